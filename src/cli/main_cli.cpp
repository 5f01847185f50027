#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/exit_codes.h"
#include "common/diagnostics.h"

#include "common/file_io.h"
#include "common/text.h"
#include "devices/database.h"
#include "dropin/dropin.h"
#include "toolchain/ocloc_worker.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <malloc.h>
#include <optional>
#include <sstream>
#include <string_view>

namespace aotpack::cli {

// An `@NAME` that is no file is a preset of the device language when it stands where a device
// list does (after -d/--devices, or anywhere in `aotpack devices`) or names a known preset; any
// other is a response file that is missing.
static bool isPresetArgument(const std::vector<std::string>& before, const std::string& arg) {
    std::string name = arg.substr(1);
    if (devices::Database::builtin().presets().count(name)) return true;
    if (!before.empty() && (before.back() == "-d" || before.back() == "--devices")) return true;
    return !before.empty() && before.front() == "devices";
}

// `@FILE` arguments are replaced by the whitespace-separated words in FILE, so long command lines
// fit. A preset such as `-d @ipex-default` is kept as it is.
static Expected<std::vector<std::string>> expandResponseFiles(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::error_code ec;
        bool file =
            arg.size() > 1 && arg[0] == '@' && std::filesystem::is_regular_file(arg.substr(1), ec);
        if (!file && (arg.size() < 2 || arg[0] != '@' || isPresetArgument(args, arg))) {
            args.push_back(arg);
            continue;
        }
        if (!file)
            return makeError(Errc::BadInput, "response file '" + arg.substr(1) + "' not found");
        auto text = readTextFile(arg.substr(1));
        if (!text) return text.error();
        std::istringstream words(*text);
        for (std::string w; words >> std::quoted(w);)
            args.push_back(w);
    }
    return args;
}

// `--cl-options=` (an empty value) becomes `--cl-options ""`: CLI11 would otherwise take the
// next argument as the value.
static std::vector<std::string> splitEmptyValues(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const auto& arg : args) {
        if (arg.size() > 3 && arg.starts_with("--") && arg.back() == '=' &&
            arg.find('=') == arg.size() - 1) {
            out.push_back(arg.substr(0, arg.size() - 1));
            out.emplace_back();
        } else {
            out.push_back(arg);
        }
    }
    return out;
}

static std::string closest(const std::string& word, const std::vector<std::string>& known) {
    std::string best;
    std::size_t bestDistance = 3;
    for (const auto& k : known)
        if (std::size_t d = editDistance(word, k); d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

// A word where a command should be that names none: "unknown command", not CLI11's "A
// subcommand is required".
static std::optional<std::string> unknownCommand(const CLI::App& app,
                                                 const std::vector<std::string>& args) {
    if (args.empty() || args[0].starts_with("-")) return std::nullopt;
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), args[0]) != names.end()) return std::nullopt;
    return "unknown command '" + args[0] + "'" + closest(args[0], names) +
           "; 'aotpack --help' lists them";
}

// An option the chosen command does not have, reported before a missing required one (CLI11
// checks requirements first, so `build --bogus` said "--devices is required").
static std::optional<std::string> unknownOption(const CLI::App& app,
                                                const std::vector<std::string>& args) {
    const CLI::App* sub = nullptr;
    for (const auto* s : app.get_subcommands([](const CLI::App*) { return true; }))
        if (!args.empty() && s->get_name() == args[0]) sub = s;
    if (!sub) return std::nullopt;
    std::vector<std::string> names;
    for (const auto* opt : sub->get_options())
        for (const auto& n : opt->get_lnames())
            names.push_back("--" + n);
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") break;
        if (!arg.starts_with("--")) continue;
        std::string name = arg.substr(0, arg.find('='));
        const CLI::Option* opt = sub->get_option_no_throw(name);
        if (!opt)
            return "unknown option '" + name + "' for 'aotpack " + args[0] + "'" +
                   closest(name, names);
        if (arg.find('=') == std::string::npos && opt->get_items_expected_min() > 0) ++i;
    }
    return std::nullopt;
}

// `aotpack ocloc ARGS...`, or aotpack run through a file named ocloc: ocloc's own command line,
// not aotpack's (no CLI11, no response files: ocloc has its own rules for both).
static int runOclocDropin(const std::string& argv0, std::vector<std::string> args) {
    if (args.size() == 1 && args[0] == "--shim-dir") {
        std::string err;
        auto dir = dropin::ensureShimDir(err);
        if (dir.empty()) return diag::fail(makeError(Errc::Output, err));
        std::cout << dir.string() << "\n";
        return 0;
    }
    if (!args.empty() && args[0] == "--learn-facts") // started by the drop-in itself
        return dropin::learnFacts(std::vector<std::string>(args.begin() + 1, args.end()));
    dropin::DropinOptions options{argv0, {}, nullptr};
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) options.workerCommand = {self.string(), toolchain::kWorkerCommand};
    return dropin::runDropin(args, options);
}

namespace {

// `capture` and `run` take a program after "--": it is the program's, not aotpack's (no response
// files, no option parsing). Returns how many arguments are aotpack's.
int takeTrailingCommand(int argc, char** argv, std::vector<std::string>& command) {
    if (argc < 2 || (std::string_view(argv[1]) != "capture" && std::string_view(argv[1]) != "run"))
        return argc;
    for (int i = 2; i < argc; ++i)
        if (std::string_view(argv[i]) == "--") {
            for (int j = i + 1; j < argc; ++j)
                command.emplace_back(argv[j] ? argv[j] : "");
            return i;
        }
    return argc;
}

void addCommands(CommandRegistry& registry) {
    addDevicesCommand(registry);
    addArchiveCommands(registry);
    addDeliveryCommands(registry);
    addBuildCommands(registry);
    addCacheCommand(registry);
    addEnvironmentCommand(registry);
    addRuntimeCommands(registry);
    addOclocCommand(registry);
    addBundleCommand(registry);
    addCaptureCommands(registry);
    addInspectCommand(registry);
    addTrustCommands(registry);
    addToolchainCommands(registry);
    auto shell = std::make_shared<std::string>();
    CLI::App* completion =
        registry.app.add_subcommand("completion", "Print a shell completion script (bash)");
    completion->add_option("shell", *shell, "bash")->required()->check(CLI::IsMember({"bash"}));
    completion->footer("Example:\n  aotpack completion bash > /etc/bash_completion.d/aotpack");
    // The handler owns `shell`: CLI11 writes the parsed value through a reference to it.
    registry.add(completion, [&app = registry.app, shell] {
        std::cout << bashCompletion(app);
        return 0;
    });
}

// Parses and runs the chosen command; CLI11's errors become one line, exit 2.
int parseAndRun(CLI::App& app, CommandRegistry& registry, const std::vector<std::string>& args) {
    // Before parsing: `aotpack nosuch --help` is an unknown command, not a request for help.
    if (auto unknown = unknownCommand(app, args)) {
        diag::error(*unknown);
        return static_cast<int>(Errc::Usage);
    }
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11's order
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        auto better = unknownCommand(app, args);
        if (!better) better = unknownOption(app, args);
        diag::error(better ? *better : e.what());
        return static_cast<int>(Errc::Usage);
    }
    try {
        for (auto& [sub, handler] : registry.handlers)
            if (sub->parsed()) return handler();
    } catch (const std::exception& e) {
        diag::error(std::string("internal error: ") + e.what());
        return static_cast<int>(Errc::Internal);
    }
    return static_cast<int>(Errc::Usage);
}

} // namespace

int run(int argc, char** argv) {
    // A compile worker the build driver started (not a user command: no help, no parsing).
    if (argc == 3 && std::string_view(argv[1]) == toolchain::kWorkerCommand)
        return toolchain::runOclocWorker(argv[2]);
    if (std::filesystem::path(argv[0]).filename() == "ocloc")
        return runOclocDropin(argv[0], std::vector<std::string>(argv + 1, argv + argc));
    bool oclocHelp = argc == 3 && (std::string_view(argv[2]) == "--help" ||
                                   std::string_view(argv[2]) == "-h"); // aotpack's, not ocloc's
    if (argc >= 2 && std::string_view(argv[1]) == "ocloc" && !oclocHelp)
        return runOclocDropin("ocloc", std::vector<std::string>(argv + 2, argv + argc));
    // Not in compile workers (dispatched above): IGC makes many large short-lived allocations,
    // and mapping and unmapping each one made every compile 1.7x slower (bench/toolchain.py).
    // A build allocates and frees many large buffers (zstd contexts of tens of MB, payloads,
    // SPIR-V) while its compilers run; glibc's dynamic threshold would soon serve them from the
    // heap and keep their pages. A fixed threshold maps each one and gives it back when freed,
    // so the build's peak memory is what it holds, not its history (bench/run.py: the driver).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    // Past a file-size limit (RLIMIT_FSIZE), write() should fail with EFBIG and be reported as an
    // output error, not kill the process halfway through.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{
        "aotpack: ahead-of-time builds, fat archives and runtime selection for Intel GPU kernels"};
    app.require_subcommand(1);
    app.set_version_flag(
        "--version", [] { return versionText(systemProcesses()); },
        "Print the versions of aotpack and of its compilers (host ocloc, store toolchains)");
    app.footer(exitCodeHelp());
    CommandRegistry registry{app, {}, {}};
    argc = takeTrailingCommand(argc, argv, registry.trailingCommand);
    addCommands(registry);
    auto expanded = expandResponseFiles(argc, argv);
    if (!expanded) return diag::fail(expanded.error());
    app.name("aotpack");
    return parseAndRun(app, registry, splitEmptyValues(*expanded));
}

} // namespace aotpack::cli
