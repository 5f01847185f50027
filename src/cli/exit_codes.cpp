#include "cli/exit_codes.h"

#include "devices/compiler_support.h"

namespace aotpack::cli {

std::string exitCodeHelp() {
    return "Exit codes:\n"
           "  0  success\n"
           "  1  a compile job failed\n"
           "  2  bad command line or device list\n"
           "  3  an input file is unreadable or invalid (SPIR-V, manifest, devlist)\n"
           "  4  an archive is truncated, corrupt, or of a newer format\n"
           "  5  the installed ocloc cannot build a target, or no ocloc was found\n"
           "  6  an output could not be written\n"
           "  7  no Level Zero driver or device, or a module failed to load\n"
           "  8  merge conflict: the same module and target with different contents\n"
           "  9  a module or target is not in the archive\n"
           " 70  internal error (a bug in aotpack)\n";
}

std::string versionText() {
    std::string text = "aotpack " AOTPACK_VERSION "\n";
    auto compiler = devices::probeCompiler(devices::Database::builtin());
    if (compiler)
        text += "ocloc " + compiler->version + " (" + compiler->ocloc.string() + ")\n";
    else
        text += "ocloc: not available (" + compiler.error().message + ")\n";
    return text;
}

} // namespace aotpack::cli
