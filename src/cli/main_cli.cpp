#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/exit_codes.h"

#include <cstdio>
#include <exception>

namespace aotpack::cli {

int run(int argc, char** argv) {
    CLI::App app{"aotpack: ahead-of-time builds, fat archives and runtime selection for Intel GPU kernels"};
    app.require_subcommand(1);
    app.set_version_flag("--version", versionText, "Print the versions of aotpack and of the installed ocloc");
    app.footer(exitCodeHelp());
    CommandRegistry registry{app, {}};
    addDevicesCommand(registry);
    addArchiveCommands(registry);
    addBuildCommands(registry);
    addRuntimeCommands(registry);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        error(e.what());
        return 2;
    }
    try {
        for (auto& [sub, handler] : registry.handlers)
            if (sub->parsed()) return handler();
    } catch (const std::exception& e) {
        error(std::string("internal error: ") + e.what());
        return 70;
    }
    return 2;
}

} // namespace aotpack::cli
