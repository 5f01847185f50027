// `aotpack capture` and `aotpack run`: AOT for programs that do not know aotpack (src/capture,
// docs/CAPTURE.md).
#include "capture/capture_dir.h"
#include "capture/from_binary.h"
#include "capture/launch.h"
#include "cli/commands.h"
#include "common/diagnostics.h"
#include "toolchain/translator.h"

#include <cstdlib>
#include <filesystem>

namespace aotpack::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCaptureUsage = "aotpack capture -o DIR -- PROGRAM ARGS...";
constexpr const char* kRunUsage = "aotpack run ARCHIVE... -- PROGRAM ARGS... (no archive: "
                                  "only with AOTPACK_RUNTIME_REMOTE)";

int runProgram(const std::vector<std::string>& command,
               const std::vector<std::pair<std::string, std::string>>& env, const char* usage) {
    if (command.empty())
        return diag::fail(makeError(
            Errc::Usage, std::string("no program to run: give it after '--' (") + usage + ")"));
    std::string whyNot;
    fs::path preload = capture::findPreloadLibrary(whyNot);
    if (preload.empty())
        return diag::fail(
            makeError(Errc::Unsupported, "cannot run '" + command.front() +
                                             "' with aotpack's preload library: " + whyNot));
    auto status = capture::runWithPreload(command, preload, env);
    return status ? *status : diag::fail(status.error());
}

int captureProgram(const std::string& dir, const std::vector<std::string>& command) {
    if (command.empty()) return runProgram(command, {}, kCaptureUsage); // the usage error
    std::error_code ec;
    fs::path absolute = fs::absolute(dir, ec);
    int status = runProgram(command, {{"AOTPACK_CAPTURE_DIR", absolute.string()}}, kCaptureUsage);
    if (!fs::is_directory(absolute / "raw", ec)) {
        diag::warning(
            "'" + command.front() +
            "' created no SPIR-V module through Level Zero and built no OpenCL program; '" + dir +
            "' holds nothing");
        return status;
    }
    auto summary = capture::finishCapture(absolute);
    if (!summary) return status ? status : diag::fail(summary.error());
    for (const auto& s : summary->skipped)
        diag::warning("capture record skipped: " + s);
    diag::note("'" + dir + "' holds " + std::to_string(summary->modules) + " module(s) (" +
               std::to_string(summary->specialized) + " with specialization constants applied); " +
               "build them with: aotpack build -d LIST " + dir + " -o app.aotpack");
    return status;
}

int captureBinaries(const std::string& dir, const std::vector<std::string>& files,
                    const std::vector<std::string>& command) {
    if (!command.empty())
        return diag::fail(makeError(Errc::Usage, "give either --from-binary FILE... or a program "
                                                 "after '--', not both"));
    auto captured = capture::captureFromBinaries({files.begin(), files.end()}, dir,
                                                 toolchain::localBitcodeTranslator());
    if (!captured) return diag::fail(captured.error());
    for (const auto& s : captured->capture.skipped)
        diag::warning("capture record skipped: " + s);
    for (const auto& s : captured->untranslated)
        diag::warning("LLVM bitcode not captured: " + s);
    diag::note("'" + dir + "' holds " + std::to_string(captured->capture.modules) +
               " module(s) from " + std::to_string(captured->spirv) + " SPIR-V image(s) (" +
               std::to_string(captured->described) + " with the build flags their runtime uses, " +
               std::to_string(captured->translated) +
               " translated from LLVM bitcode); build them with: aotpack build -d LIST " + dir +
               " -o app.aotpack");
    return 0;
}

int replayProgram(const std::vector<std::string>& archives,
                  const std::vector<std::string>& command) {
    // Without an archive the program can still be served the fleet's JIT results.
    const char* fleet = std::getenv("AOTPACK_RUNTIME_REMOTE");
    if (archives.empty() && !(fleet && *fleet))
        return diag::fail(
            makeError(Errc::Usage, std::string("no archive (usage: ") + kRunUsage + ")"));
    if (command.empty()) return runProgram(command, {}, kRunUsage); // the usage error
    // The preload library in a program only warns about an archive it cannot open (the program
    // must run); here the user named it, so a missing one is an error before the program starts.
    std::string list;
    for (const auto& a : archives) {
        std::error_code ec;
        if (!fs::is_regular_file(a, ec))
            return diag::fail(makeError(Errc::BadInput, "archive '" + a + "' not found"));
        list += (list.empty() ? "" : ":") + fs::absolute(a, ec).string();
    }
    if (list.empty()) return runProgram(command, {}, kRunUsage);
    return runProgram(command, {{"AOTPACK_ARCHIVE", list}}, kRunUsage);
}

} // namespace

void addCaptureCommands(CommandRegistry& registry) {
    auto dir = std::make_shared<std::string>();
    auto binaries = std::make_shared<std::vector<std::string>>();
    CLI::App* capture = registry.app.add_subcommand(
        "capture", "Run a program and record every SPIR-V module it JIT-compiles");
    capture->add_option("-o,--output", *dir, "Capture directory (added to if it exists)")
        ->required();
    capture->add_option("--from-binary", *binaries,
                        "Instead of running a program, record the SPIR-V images inside these "
                        "executables, libraries or containers as the SYCL runtime would create "
                        "them (docs/FOREIGN_BINARIES.md)");
    capture->footer("The program follows '--'. Build the directory like any input, then replay:\n"
                    "  aotpack capture -o cap -- ./app --input x\n"
                    "  aotpack build -d ats-m150,pvc cap -o app.aotpack\n"
                    "  aotpack run app.aotpack -- ./app --input x\n"
                    "Without running it: aotpack capture --from-binary libapp.so -o cap\n"
                    "(docs/CAPTURE.md)");
    const auto& command = registry.trailingCommand;
    registry.add(capture, [dir, binaries, &command] {
        return binaries->empty() ? captureProgram(*dir, command)
                                 : captureBinaries(*dir, *binaries, command);
    });

    CLI::App* run = registry.app.add_subcommand(
        "run", "Run a program with its SPIR-V modules served natively from archives");
    auto archives = std::make_shared<std::vector<std::string>>();
    run->add_option("archives", *archives,
                    "Archives to serve modules from, first match wins (none: only the fleet's "
                    "JIT results, AOTPACK_RUNTIME_REMOTE)");
    run->footer("Archives, then '--' and the program. A module no archive holds for the device,\n"
                "or one the driver rejects, is JIT-compiled as without aotpack.\n"
                "  aotpack run app.aotpack -- ./app --input x\n"
                "Without aotpack on the machine: LD_PRELOAD=.../libaotpack_preload.so "
                "AOTPACK_ARCHIVE=app.aotpack ./app");
    registry.add(run, [archives, &command] { return replayProgram(*archives, command); });
}

} // namespace aotpack::cli
