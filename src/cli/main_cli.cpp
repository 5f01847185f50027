#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/diagnostics.h"
#include "cli/exit_codes.h"

#include "build/ocloc_worker.h"
#include "common/file_io.h"
#include "ocloc/dropin.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string_view>

namespace aotpack::cli {

// `@FILE` arguments (when FILE exists) are replaced by the whitespace-separated words in FILE, so
// long command lines fit. A preset such as `-d @ipex-default` is kept as it is.
static Expected<std::vector<std::string>> expandResponseFiles(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::error_code ec;
        if (arg.size() > 1 && arg[0] == '@' &&
            std::filesystem::is_regular_file(arg.substr(1), ec)) {
            auto text = readTextFile(arg.substr(1));
            if (!text) return text.error();
            std::istringstream words(*text);
            for (std::string w; words >> std::quoted(w);)
                args.push_back(w);
        } else {
            args.push_back(arg);
        }
    }
    std::reverse(args.begin(), args.end()); // CLI11 takes a vector in reverse order
    return args;
}

// `aotpack ocloc ARGS...`, or aotpack run through a file named ocloc: ocloc's own command line,
// not aotpack's (no CLI11, no response files: ocloc has its own rules for both).
static int runOclocDropin(const std::string& argv0, std::vector<std::string> args) {
    if (args.size() == 1 && args[0] == "--shim-dir") {
        std::string err;
        auto dir = ocloc::ensureShimDir(err);
        if (dir.empty()) return fail(makeError(Errc::Output, err));
        std::cout << dir.string() << "\n";
        return 0;
    }
    ocloc::DropinOptions options{argv0, {}};
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) options.workerCommand = {self.string(), build::kWorkerCommand};
    return ocloc::runDropin(args, options);
}

int run(int argc, char** argv) {
    // A compile worker the build driver started (not a user command: no help, no parsing).
    if (argc == 3 && std::string_view(argv[1]) == build::kWorkerCommand)
        return build::runOclocWorker(argv[2]);
    if (std::filesystem::path(argv[0]).filename() == "ocloc")
        return runOclocDropin(argv[0], std::vector<std::string>(argv + 1, argv + argc));
    bool oclocHelp = argc == 3 && (std::string_view(argv[2]) == "--help" ||
                                   std::string_view(argv[2]) == "-h"); // aotpack's, not ocloc's
    if (argc >= 2 && std::string_view(argv[1]) == "ocloc" && !oclocHelp)
        return runOclocDropin("ocloc", std::vector<std::string>(argv + 2, argv + argc));
    // Past a file-size limit (RLIMIT_FSIZE), write() should fail with EFBIG and be reported as an
    // output error, not kill the process halfway through.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{
        "aotpack: ahead-of-time builds, fat archives and runtime selection for Intel GPU kernels"};
    app.require_subcommand(1);
    app.set_version_flag("--version", versionText,
                         "Print the versions of aotpack and of the installed ocloc");
    app.footer(exitCodeHelp());
    CommandRegistry registry{app, {}};
    addDevicesCommand(registry);
    addArchiveCommands(registry);
    addBuildCommands(registry);
    addRuntimeCommands(registry);
    addOclocCommand(registry);
    addBundleCommand(registry);
    auto shell = std::make_shared<std::string>();
    CLI::App* completion =
        app.add_subcommand("completion", "Print a shell completion script (bash)");
    completion->add_option("shell", *shell, "bash")->required()->check(CLI::IsMember({"bash"}));
    completion->footer("Example:\n  aotpack completion bash > /etc/bash_completion.d/aotpack");
    registry.add(completion, [&app] {
        std::cout << bashCompletion(app);
        return 0;
    });
    auto args = expandResponseFiles(argc, argv);
    if (!args) return fail(args.error());
    app.name("aotpack");
    try {
        app.parse(*args);
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
