#include "cli/exit_codes.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "toolchain/compiler_support.h"

namespace aotpack::cli {

const std::vector<ExitCodeRow>& exitCodes() {
    auto row = [](Errc code, const char* meaning) {
        return ExitCodeRow{static_cast<int>(code), meaning};
    };
    static const std::vector<ExitCodeRow> rows = {
        {0, "success"},
        row(Errc::CompileFailed, "a compile failed (a job, or OpenCL C that does not compile)"),
        row(Errc::Usage, "bad command line or device list"),
        row(Errc::BadInput, "an input file is unreadable or invalid (SPIR-V, manifest, devlist, "
                            "a foreign binary's container)"),
        row(Errc::BadArchive, "an archive is truncated, corrupt, or of a newer format"),
        row(Errc::Unsupported, "a tool aotpack needs is missing or cannot do it: the installed "
                               "ocloc cannot build a target, no ocloc was found, or "
                               "libaotpack_preload.so is missing (run, capture)"),
        row(Errc::Output, "an output could not be written"),
        row(Errc::NoDevice,
            "no Level Zero driver or device, or the driver failed to load a module"),
        row(Errc::Conflict, "merge conflict: the same module and target with different contents"),
        row(Errc::NotFound, "a module or target is not in the archive (or native-only finds no "
                            "binary; inspect: no device code)"),
        row(Errc::Internal, "internal error (a bug in aotpack)"),
        {kExitCommandNotFound, "aotpack ocloc found no real ocloc; run: the program cannot be run"},
    };
    return rows;
}

std::string exitCodeHelp() {
    std::string text = "Exit codes:\n";
    for (const auto& r : exitCodes()) {
        std::string code = std::to_string(r.code);
        text += std::string(4 - code.size(), ' ') + code + "  " + r.meaning + "\n";
    }
    return text;
}

std::string versionText() {
    std::string text = "aotpack " AOTPACK_VERSION "\n";
    auto compiler = toolchain::probeCompiler(devices::Database::builtin());
    if (compiler)
        text += "ocloc " + compiler->version + " (" + compiler->ocloc.string() + ")\n";
    else
        text += "ocloc: not available (" + compiler.error().message + ")\n";
    // ocloc 22.43 cannot report IGC's version (`ocloc query IGC_REVISION` arrived in 23.39); the
    // Debian package that ships IGC can.
    TempDir dir;
    auto igc = runProcess(
        {{"dpkg-query", "-W", "-f=${Version}", "libigc1"}, {}, dir.path() / "v", {}, {}}, 10);
    auto version = readTextFile(dir.path() / "v");
    if (igc && igc->succeeded() && version && !version->empty())
        text += "IGC " + *version + " (Debian libigc1)\n";
    else // not a Debian system, or no dpkg-query on PATH
        text += "IGC: unknown\n";
    return text;
}

} // namespace aotpack::cli
