#include "cli/exit_codes.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "devices/compiler_support.h"

namespace aotpack::cli {

std::string exitCodeHelp() {
    return "Exit codes:\n"
           "  0  success\n"
           "  1  a compile failed (a job, or OpenCL C that does not compile)\n"
           "  2  bad command line or device list\n"
           "  3  an input file is unreadable or invalid (SPIR-V, manifest, devlist)\n"
           "  4  an archive is truncated, corrupt, or of a newer format\n"
           "  5  a tool aotpack needs is missing or cannot do it: the installed ocloc cannot build "
           "a\n     target, no ocloc was found, or libaotpack_preload.so is missing (run, "
           "capture)\n"
           "  6  an output could not be written\n"
           "  7  no Level Zero driver or device, or the driver failed to load a module\n"
           "  8  merge conflict: the same module and target with different contents\n"
           "  9  a module or target is not in the archive (or native-only finds no binary)\n"
           " 70  internal error (a bug in aotpack)\n";
}

std::string versionText() {
    std::string text = "aotpack " AOTPACK_VERSION "\n";
    auto compiler = devices::probeCompiler(devices::Database::builtin());
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
