#include "cli/exit_codes.h"

#include "common/exit_codes.h"
#include "common/file_io.h"
#include "common/subprocess.h"
#include "toolchain/compiler_support.h"
#include "toolchain/store.h"

namespace aotpack::cli {

std::string exitCodeHelp() {
    std::string text = "Exit codes:\n";
    for (const auto& r : exitCodeTable()) {
        std::string code = std::to_string(r.code);
        text += std::string(4 - code.size(), ' ') + code + "  " + r.meaning + "\n";
    }
    return text;
}

std::string versionText(ProcessRunner& runner) {
    std::string text = "aotpack " AOTPACK_VERSION "\n";
    auto compiler = toolchain::probeCompiler(devices::Database::builtin());
    if (compiler)
        text += "ocloc " + compiler->version + " (" + compiler->ocloc.string() + ")\n";
    else
        text += "ocloc: not available (" + compiler.error().message + ")\n";
    // ocloc 22.43 cannot report IGC's version (`ocloc query IGC_REVISION` arrived in 23.39); the
    // Debian package that ships IGC can.
    TempDir dir;
    auto igc = runner.run(
        {{"dpkg-query", "-W", "-f=${Version}", "libigc1"}, {}, dir.path() / "v", {}, {}}, 10);
    auto version = readTextFile(dir.path() / "v");
    if (igc && igc->succeeded() && version && !version->empty())
        text += "IGC " + *version + " (Debian libigc1)\n";
    else // not a Debian system, or no dpkg-query on PATH
        text += "IGC: unknown\n";
    toolchain::ToolchainStore store(toolchain::ToolchainStore::defaultDir());
    for (const auto& t : store.installed()) // the store's compilers (aotpack toolchain list)
        text += "toolchain " + t.id + ": ocloc " + t.oclocVersion + ", IGC " + t.igcVersion + "\n";
    for (const auto& t : store.translators())
        text += "toolchain " + t.id + ": llvm-spirv " + t.translatorVersion + "\n";
    return text;
}

} // namespace aotpack::cli
