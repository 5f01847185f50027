// `aotpack build`, `aotpack add-targets` (`aotpack cache`: cmd_cache.cpp).
#include "cache/disk_cache.h"
#include "cache/remote_store.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/report_json.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "compile/driver.h"
#include "compile/history.h"
#include "dropin/call_log.h"
#include "toolchain/ocloc_worker.h"

#include <cstdio>
#include <iostream>

namespace aotpack::cli {
using namespace compile;

namespace {

struct CompileFlags {
    std::string devices, options, clOptions,
        fp64 = "error", maxMemory, jsonReport, cacheDir, output, frontendDevice = "pvc",
        frontend = "ocloc", compression = "default", compileMode = "workers", remoteCache,
        remoteCacheMode, remoteCacheVerify, shard, shardCosts;
    double remoteCacheTimeout = 0;
    std::vector<std::string> targetOptions, signKeys, toolchains;
    unsigned jobs = 0;
    double timeout = 3600;
    bool keepGoing = false, skipUnsupported = false, noCache = false, quiet = false,
         explain = false, strictSpirv = false;
};

// The local and remote build caches.
void addCacheFlags(CLI::App* sub, CompileFlags& f) {
    sub->add_option("--cache-dir", f.cacheDir,
                    "Build cache (default: $AOTPACK_CACHE_DIR/build, else ~/.cache/aotpack/build)");
    sub->add_flag("--no-cache", f.noCache, "Neither read nor write the build cache");
    sub->add_option("--remote-cache", f.remoteCache,
                    "Shared cache behind the local one: http(s)://HOST/PATH (bazel-remote "
                    "layout) or file:///DIR (default: $AOTPACK_REMOTE_CACHE)");
    sub->add_option("--remote-cache-mode", f.remoteCacheMode,
                    "read-write (default) or read-only (never uploads: for untrusted builds)")
        ->check(CLI::IsMember({"read-write", "read-only"}));
    sub->add_option("--remote-cache-timeout", f.remoteCacheTimeout,
                    "Seconds before a remote cache request is given up (default 10)");
    sub->add_option("--remote-cache-verify", f.remoteCacheVerify,
                    "hmac: use only records whose HMAC verifies under "
                    "AOTPACK_REMOTE_CACHE_HMAC_KEY (never printed), upload only with it "
                    "(default none; $AOTPACK_REMOTE_CACHE_VERIFY)")
        ->check(CLI::IsMember({"none", "hmac"}));
}

void addCompileFlags(CLI::App* sub, CompileFlags& f) {
    sub->add_option("-d,--devices", f.devices, "Device list (see 'aotpack devices')")->required();
    sub->add_option("-o,--output", f.output, "Archive to write")->required();
    sub->add_option("--sign", f.signKeys,
                    "Sign the archive with this private key (aotpack keygen; repeat for several)");
    sub->add_option("-j,--jobs", f.jobs, "Parallel compiles (default: number of cores)")
        ->check(CLI::Range(1u, 4096u));
    sub->add_option("--options", f.options, "Build options for every compile");
    sub->add_option("--target-options", f.targetOptions,
                    "DEVICE=OPTIONS: extra options for some targets (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("--toolchain", f.toolchains,
                    "ID|VERSION, or DEVICES=ID|VERSION: the compiler toolchain for every target, "
                    "or for those (repeatable; default: the newest that builds each target; "
                    "'aotpack toolchain list')")
        ->allow_extra_args(false); // one value per --toolchain: inputs may follow it
    sub->add_option(
           "--fp64", f.fp64,
           "Module needs fp64, target lacks it: error (default) or poison (drop those kernels)")
        ->check(CLI::IsMember({"error", "poison"}));
    sub->add_flag("-k,--keep-going", f.keepGoing,
                  "Write the archive with what succeeded; exit non-zero anyway");
    sub->add_flag("--skip-unsupported", f.skipUnsupported,
                  "Build only the targets the installed ocloc can build; record the others as "
                  "missing (warning, exit 0)");
    addCacheFlags(sub, f);
    sub->add_option("--timeout", f.timeout, "Seconds before a compile is killed (default 3600)")
        ->check(CLI::Validator(
            [](std::string& v) {
                char* end = nullptr;
                double d = std::strtod(v.c_str(), &end);
                return *end == '\0' && d > 0 ? std::string()
                                             : "'" + v + "' is not a positive number of seconds";
            },
            "SECONDS"));
    sub->add_option("--max-memory", f.maxMemory,
                    "Memory for parallel compiles, e.g. 8G (default: 80% of available)");
    sub->add_option("--json-report", f.jsonReport, "Write a JSON report of every job");
    sub->add_flag("-q,--quiet", f.quiet, "Only errors");
    sub->add_flag("--explain,-v,--verbose", f.explain, "Say why each job ran");
    sub->add_option("--compression", f.compression,
                    "default (zstd 15 up to 128 KiB, 19 up to 1 MiB, 9 above, with the "
                    "trained dictionary of the target's architecture; SPIR-V as byte "
                    "planes when smaller), max (19 for all), "
                    "fast-load (native binaries uncompressed: larger archive, no "
                    "decompression when a module loads) or portable (no dictionaries: "
                    "format 1.1, which older aotpack versions read)")
        ->check(CLI::IsMember({"default", "max", "fast-load", "portable"}));
    sub->add_option("--compile-mode", f.compileMode,
                    "workers (default: long-lived worker processes that load libocloc once) or "
                    "processes (one ocloc process per job)")
        ->check(CLI::IsMember({"workers", "processes"}));
    sub->add_flag(
        "--strict-spirv", f.strictSpirv,
        "SPIR-V failing SPIRV-Tools validation is an error, not a warning (and the SPIR-V "
        "made from OpenCL C is validated too)");
}

Expected<std::uint64_t> parseSizeKb(const std::string& text) {
    if (text.empty()) return std::uint64_t{0};
    std::uint64_t scale = 1;
    std::string digits = text;
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
    case 'K':
        scale = 1;
        break;
    case 'M':
        scale = 1024;
        break;
    case 'G':
        scale = 1024 * 1024;
        break;
    default:
        scale = 0;
    }
    if (scale) digits.pop_back();
    auto value = parseUnsigned(digits);
    if (!value || !scale)
        return makeError(Errc::Usage, "malformed size '" + text + "' (use e.g. 512M or 8G)");
    return *value * scale;
}

Expected<BuildRequest> makeRequest(const CompileFlags& f) {
    BuildRequest r;
    r.deviceList = f.devices;
    r.compile.options = f.options;
    r.compile.clOptions = f.clOptions;
    r.frontendDevice = f.frontendDevice;
    r.compile.frontend = f.frontend == "clang" ? Frontend::Clang : Frontend::Ocloc;
    r.jobs = f.jobs;
    r.compile.keepGoing = f.keepGoing;
    r.skipUnsupported = f.skipUnsupported;
    r.compile.strictSpirv = f.strictSpirv;
    r.output.maxCompression = f.compression == "max";
    r.output.uncompressedNatives = f.compression == "fast-load";
    r.output.portableCompression = f.compression == "portable";
    r.useCache = !f.noCache;
    r.cacheDir = f.cacheDir;
    r.compile.fp64 = f.fp64 == "poison" ? Fp64Policy::Poison : Fp64Policy::Error;
    r.compile.timeoutSeconds = f.timeout;
    r.output.archive = f.output;
    r.signKeys.assign(f.signKeys.begin(), f.signKeys.end());
    if (f.compileMode == "workers") {
        std::error_code ec;
        auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (!ec) r.workerCommand = {self.string(), toolchain::kWorkerCommand};
    }
    r.toolchains = f.toolchains;
    for (const auto& item : f.targetOptions) {
        auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            return makeError(Errc::Usage, "--target-options '" + item + "' must be DEVICE=OPTIONS");
        r.targetOptions.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    auto memory = parseSizeKb(f.maxMemory);
    if (!memory) return memory.error();
    r.compile.memoryBudgetKb = *memory;
    auto remote = cache::remoteConfig(
        {f.remoteCache, f.remoteCacheMode, f.remoteCacheTimeout, f.remoteCacheVerify});
    if (!remote) return remote.error();
    r.remoteCache = *remote;
    if (!f.shard.empty()) {
        auto shard = parseShard(f.shard);
        if (!shard) return shard.error();
        r.shard = *shard;
    }
    if (!f.shardCosts.empty()) {
        if (!r.shard) return makeError(Errc::Usage, "--shard-costs needs --shard");
        auto costs = readShardCosts(f.shardCosts);
        if (!costs) return costs.error();
        r.shardCosts = std::move(*costs);
    }
    return r;
}

int report(const BuildOutcome& out, const CompileFlags& f, ProgressPrinter& progress) {
    progress.done();
    for (const auto& e : out.report.moduleErrors) { // the message, then the compiler's log
        auto newline = e.find('\n');
        diag::error(printable(e.substr(0, newline)));
        if (newline != std::string::npos) diag::printCompilerLog(e.substr(newline + 1));
    }
    if (!f.jsonReport.empty())
        if (auto st = writeBuildReport(f.jsonReport, out, f.output); !st)
            return diag::fail(st.error());
    if (out.error) {
        bool somethingFailed = out.report.failedJobs() || !out.report.moduleErrors.empty();
        if (out.report.archiveWritten && somethingFailed)
            diag::warning("wrote '" + f.output + "' without the failed jobs (--keep-going)");
        // Modules that failed were each named above, one error line apiece: no summary line.
        if (!out.report.moduleErrors.empty() && out.report.failedJobs() == 0)
            return static_cast<int>(out.error->code);
        return diag::fail(*out.error);
    }
    if (out.report.upToDate) {
        if (!f.quiet) diag::note("'" + f.output + "' is up to date");
        return 0;
    }
    std::size_t hits = 0;
    for (const auto& j : out.report.jobs)
        hits += j.outcome == JobOutcome::CacheHit;
    if (!f.quiet)
        diag::note("wrote '" + f.output +
                   "': " + countOf(out.report.jobs.size(), "binary", "binaries") + " (" +
                   std::to_string(out.report.jobs.size() - hits) + " compiled, " +
                   std::to_string(hits) + " from cache) in " +
                   std::to_string(out.report.seconds).substr(0, 5) + " s");
    return 0;
}

} // namespace

namespace {

void addBuildCommand(CommandRegistry& registry) {
    auto build = std::make_shared<CompileFlags>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto manifest = std::make_shared<std::string>();
    auto depfile = std::make_shared<std::string>();
    CLI::App* sub = registry.app.add_subcommand(
        "build", "Compile SPIR-V / OpenCL C modules for a device list into one archive");
    sub->add_option("inputs", *inputs, ".spv or .cl files, or directories of them");
    sub->add_option("--manifest", *manifest,
                    "JSON manifest listing modules with per-module options");
    sub->add_option("--depfile", *depfile,
                    "Write a Make-style dependency file (inputs and the headers they include)");
    sub->add_option("--cl-options", build->clOptions, "OpenCL C frontend options (-I, -D)");
    sub->add_option("--frontend", build->frontend,
                    "OpenCL C to SPIR-V with ocloc (default) or clang (clang + llvm-spirv)")
        ->check(CLI::IsMember({"ocloc", "clang"}));
    sub->add_option("--frontend-device", build->frontendDevice,
                    "Device the OpenCL C frontend compiles for (default pvc)");
    addCompileFlags(sub, *build);
    sub->add_option("--shard", build->shard,
                    "INDEX/COUNT (from 1) or auto (Slurm array, GitLab parallel, "
                    "TEST_SHARD_INDEX): build one share of the jobs into a partial archive for "
                    "'aotpack merge' (docs/DISTRIBUTED.md)");
    sub->add_option("--shard-costs", build->shardCosts,
                    "JSON report of an earlier build: split the shards by its measured compile "
                    "times (give every shard the same file)");
    sub->footer("Examples:\n  aotpack build -d ats-m150,pvc examples/kernels -o kernels.aotpack\n"
                "  aotpack build -d @ipex-default --manifest modules.json -j 8 -o out.aotpack "
                "--json-report report.json\n"
                "  aotpack build -d pvc,acm-g10 k.spv --target-options "
                "pvc=-ze-opt-large-register-file -o k.aotpack\n"
                "Arguments can be read from a response file: aotpack build @args.txt");
    registry.add(sub, [build, inputs, manifest, depfile] {
        auto request = makeRequest(*build);
        if (!request) return diag::fail(request.error());
        if (auto st = checkOutputPath(build->jsonReport, "the report"); !st)
            return diag::fail(st.error());
        auto modules = collectInputs(*inputs);
        if (!modules) return diag::fail(modules.error());
        request->modules = *modules;
        if (!manifest->empty()) {
            auto listed = readManifest(*manifest);
            if (!listed) return diag::fail(listed.error());
            request->modules.insert(request->modules.end(), listed->begin(), listed->end());
        }
        request->output.depfile = *depfile;
        if (!manifest->empty()) request->output.extraDependencies.push_back(*manifest);
        ProgressPrinter progress(build->quiet, build->explain);
        return report(runBuild(*request, progress), *build, progress);
    });
}

void addAddTargetsCommand(CommandRegistry& registry) {
    auto add = std::make_shared<CompileFlags>();
    auto archive = std::make_shared<std::string>();
    CLI::App* addSub = registry.app.add_subcommand(
        "add-targets",
        "Compile an archive's (or a SYCL binary's) SPIR-V for more targets into a new archive");
    addSub
        ->add_option("archive", *archive,
                     "Archive to extend, or a SYCL executable or library whose SPIR-V images "
                     "to build (docs/FOREIGN_BINARIES.md)")
        ->required();
    addCompileFlags(addSub, *add);
    addSub->footer(
        "Examples:\n  aotpack add-targets app.aotpack -d acm-g11 -o app-with-a380.aotpack\n"
        "  aotpack add-targets libtorch_xpu.so -d mtl-h -o torch-mtl.aotpack");
    registry.add(addSub, [add, archive] {
        auto request = makeRequest(*add);
        if (!request) return diag::fail(request.error());
        if (auto st = checkOutputPath(add->jsonReport, "the report"); !st)
            return diag::fail(st.error());
        ProgressPrinter progress(add->quiet, add->explain);
        return report(addTargets({*archive, *request}, progress), *add, progress);
    });
}

} // namespace

void addBuildCommands(CommandRegistry& registry) {
    addBuildCommand(registry);
    addAddTargetsCommand(registry);
}

void addOclocCommand(CommandRegistry& registry) {
    CLI::App* sub = registry.app.add_subcommand(
        "ocloc", "Be ocloc: same command line and outputs, targets in parallel, cached");
    sub->prefix_command();
    sub->footer("ocloc's own arguments follow (see docs/OCLOC.md); `aotpack ocloc --shim-dir`\n"
                "prints a directory with an `ocloc` that is aotpack.\nExamples:\n"
                "  aotpack ocloc compile -file k.spv -spirv_input -device acm-g10,pvc\n"
                "  PATH=$(aotpack ocloc --shim-dir):$PATH cmake --build build");
    registry.add(sub, [] { return 2; }); // never reached: run() dispatches `ocloc` first
}

} // namespace aotpack::cli
