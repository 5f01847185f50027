// bench_scale: how the build stage and the archive scale with the number of modules, on the
// toolchain::FakeCompiler (no IGC: what is measured is aotpack's own cost per job). bench/scale.py
// drives it.
//   bench_scale gen N DIR                 N distinct SPIR-V modules: tests/data/vector_ops.spv,
//                                         each with one more constant of its own value
//   bench_scale build DIR OUT CACHE JOBS [BUSY_MS DISTINCT_BYTES]
//                                         one build of DIR's modules for 4 targets; prints JSON:
//                                         seconds, peak RSS, jobs, hits, report bytes, and the
//                                         time after the last compile ended. With BUSY_MS every
//                                         compile burns that much CPU and returns a binary of its
//                                         own (DISTINCT_BYTES more than the zebin)
//   bench_scale read ARCHIVE              open + list, and open + select of one module through
//                                         the runtime's C API (ms)
#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "cli/report_json.h"
#include "compile/driver.h"
#include "toolchain/fake_compiler.h"

#include <spirv-tools/libspirv.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>

namespace fs = std::filesystem;
using namespace aotpack;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kTargets = "pvc,acm-g10,tgllp,dg1";

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

long peakRssKb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int generate(unsigned n, const fs::path& dir) {
    auto base = readFile(fs::path(AOTPACK_SOURCE_DIR) / "tests/data/vector_ops.spv");
    if (!base) return 2;
    spvtools::SpirvTools tools(SPV_ENV_UNIVERSAL_1_2);
    std::string text;
    std::vector<std::uint32_t> words(base->size() / 4);
    std::memcpy(words.data(), base->data(), base->size());
    if (!tools.Disassemble(words, &text, SPV_BINARY_TO_TEXT_OPTION_FRIENDLY_NAMES)) return 2;
    auto at = text.find("OpFunction ");
    at = text.rfind('\n', at) + 1; // the constant goes just before the first function
    fs::create_directories(dir);
    for (unsigned i = 0; i < n; ++i) {
        std::string module = text;
        module.insert(at, "%scale_id = OpConstant %ulong " + std::to_string(i) + "\n");
        std::vector<std::uint32_t> out;
        if (!tools.Assemble(module, &out)) return 3;
        Bytes bytes(out.size() * 4);
        std::memcpy(bytes.data(), out.data(), bytes.size());
        char name[32];
        std::snprintf(name, sizeof name, "m%06u.spv", i);
        if (!writeFileAtomic(dir / name, bytes)) return 4;
    }
    return 0;
}

// From the end of the last compile to the end of the build (the report's timeline).
double tailSeconds(const compile::BuildReport& report) {
    double lastEnd = 0;
    for (const auto& j : report.jobs)
        if (j.outcome == compile::JobOutcome::Compiled)
            lastEnd = std::max(lastEnd, j.started + j.seconds);
    return lastEnd > 0 ? report.seconds - lastEnd : 0;
}

int build(const fs::path& dir, const fs::path& output, const fs::path& cache, unsigned jobs,
          double busyMs = 0, std::size_t distinctBytes = 0) {
    compile::BuildRequest r;
    r.deviceList = kTargets;
    r.modules = *compile::collectInputs({dir.string()});
    r.output.archive = output;
    r.cacheDir = cache;
    r.cacheMaxBytes = 64ull << 30;
    r.jobs = jobs;
    auto fake = std::make_shared<toolchain::FakeCompiler>(
        *readFile(fs::path(AOTPACK_SOURCE_DIR) / "tests/data/vector_ops.12.60.7.bin"));
    fake->busySeconds = busyMs / 1000;
    fake->distinctBytes = distinctBytes;
    r.compiler = fake;
    compile::BuildObserver quiet;
    auto start = Clock::now();
    auto out = compile::runBuild(r, quiet);
    double seconds = since(start);
    if (out.error) {
        std::fprintf(stderr, "bench_scale: %s\n", out.error->message.c_str());
        return 1;
    }
    std::size_t hits = 0;
    for (const auto& j : out.report.jobs)
        hits += j.outcome == compile::JobOutcome::CacheHit;
    fs::path report = output.string() + ".json";
    if (!cli::writeBuildReport(report.string(), out, output.string())) return 1;
    std::error_code ec;
    std::printf("{\"seconds\": %.4f, \"peak_rss_kb\": %ld, \"jobs\": %zu, \"hits\": %zu, "
                "\"up_to_date\": %s, \"report_bytes\": %ju, \"tail_seconds\": %.4f, "
                "\"report_seconds\": %.4f}\n",
                seconds, peakRssKb(), out.report.jobs.size(), hits,
                out.report.upToDate ? "true" : "false", std::uintmax_t(fs::file_size(report, ec)),
                tailSeconds(out.report), out.report.seconds);
    return 0;
}

// list: open with every index check and list the module names, as `aotpack list` does.
// open+select: what an application pays to load one module, through the runtime's C API - open
// (IndexChecks::Lookup) and aotpack_select - the median of 20, each opening the archive again. The
// first call of a process also parses the device database; it is printed apart.
int read(const fs::path& path) {
    auto start = Clock::now();
    auto listed = archive::ArchiveReader::openFile(path);
    if (!listed) return 1;
    auto modules = listed->modules();
    double listSeconds = since(start);
    std::string module(modules[modules.size() / 2]);
    std::vector<double> times;
    aotpack_load_info info{};
    for (int i = 0; i < 21; ++i) {
        start = Clock::now();
        aotpack_archive* a = nullptr;
        if (aotpack_archive_open_file(path.c_str(), &a) != AOTPACK_SUCCESS ||
            aotpack_select(a, module.c_str(), 0x030f0007, AOTPACK_POLICY_PREFER_NATIVE, &info) !=
                AOTPACK_SUCCESS)
            return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
        times.push_back(since(start));
        aotpack_archive_close(a);
    }
    double first = times.front();
    times.erase(times.begin());
    std::sort(times.begin(), times.end());
    std::printf("{\"list_ms\": %.4f, \"open_select_ms\": %.4f, \"open_select_first_ms\": %.4f, "
                "\"modules\": %zu, \"native\": %s}\n",
                listSeconds * 1000, times[times.size() / 2] * 1000, first * 1000, modules.size(),
                info.entry_ip == 0x030f0007 ? "true" : "false");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 3 && a[0] == "gen") return generate(std::stoul(a[1]), a[2]);
    if (a.size() == 5 && a[0] == "build") return build(a[1], a[2], a[3], std::stoul(a[4]));
    if (a.size() == 7 && a[0] == "build")
        return build(a[1], a[2], a[3], std::stoul(a[4]), std::stod(a[5]), std::stoul(a[6]));
    if (a.size() == 2 && a[0] == "read") return read(a[1]);
    std::fprintf(
        stderr,
        "usage: bench_scale gen N DIR | build DIR OUT CACHE JOBS [BUSY_MS DISTINCT_BYTES] | "
        "read ARCHIVE\n");
    return 2;
}
