#include "dropin/call_log.h"

#include "cache/counters.h"
#include "common/file_io.h"
#include "common/subprocess.h"
#include "common/text.h"

#include <cstdio>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace aotpack::dropin {

namespace fs = std::filesystem;

namespace {

std::size_t count(const CallRecord& r, const std::string& result) {
    std::size_t n = 0;
    for (const auto& t : r.targets)
        n += t.result == result;
    return n;
}

void printLine(const CallRecord& r) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", r.seconds);
    std::string line = "aotpack ocloc: ";
    if (r.action == "passed-through")
        line += "passed to the real ocloc (" + r.reason + ")";
    else
        line +=
            std::to_string(r.targets.size()) + " target(s), " +
            std::to_string(count(r, "cache-hit")) + " cache hit(s), " +
            std::to_string(count(r, "compiled")) + " compiled -> " +
            (r.output == "." || r.output.empty() ? "the working directory" : "'" + r.output + "'");
    std::fprintf(stderr, "%s, %s\n", printable(line).c_str(), seconds);
}

void writeReport(const CallRecord& r, const fs::path& dir) {
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : r.targets)
        targets.push_back({{"device", t.device},
                           {"result", t.result},
                           {"started", t.started},
                           {"seconds", t.seconds}});
    nlohmann::json report = {{"format", "aotpack-ocloc-report/1"},
                             {"args", r.args},
                             {"action", r.action},
                             {"reason", r.reason},
                             {"output", r.output},
                             {"seconds", r.seconds},
                             {"targets", targets}};
    static unsigned sequence = 0;
    std::error_code ec;
    fs::create_directories(dir, ec);
    auto name = "ocloc-" + std::to_string(::getpid()) + "-" + std::to_string(sequence++) + ".json";
    (void)writeFileAtomic(dir / name, report.dump(1) + "\n"); // a report never fails a build
}

// The call's counts added to <build cache>/ocloc-stats.
void addStats(const CallRecord& r, const fs::path& cacheDir) {
    cache::addCounters(cacheDir / "ocloc-stats",
                       {{"calls", 1},
                        {r.action == "passed-through" ? "passed_through" : "modelled", 1},
                        {"hits", count(r, "cache-hit")},
                        {"misses", count(r, "compiled")}});
}

} // namespace

void logCall(const CallRecord& record, const fs::path& cacheDir) {
    if (envOr("AOTPACK_LOG", "0") != "0") printLine(record);
    if (std::string dir = envOr("AOTPACK_OCLOC_REPORT", ""); !dir.empty()) writeReport(record, dir);
    if (!cacheDir.empty()) addStats(record, cacheDir);
}

std::map<std::string, unsigned long long> readStats(const fs::path& cacheDir) {
    return cache::readCounters(cacheDir / "ocloc-stats");
}

void zeroStats(const fs::path& cacheDir) {
    cache::zeroCounters(cacheDir / "ocloc-stats");
}

} // namespace aotpack::dropin
