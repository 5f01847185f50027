#include "cli/report_json.h"

#include "common/file_io.h"
#include "devices/ip_version.h"

#include <nlohmann/json.hpp>

namespace aotpack::cli {

static const char* outcomeName(compile::JobOutcome o) {
    switch (o) {
    case compile::JobOutcome::Compiled:
        return "compiled";
    case compile::JobOutcome::CacheHit:
        return "cache-hit";
    case compile::JobOutcome::Failed:
        return "failed";
    case compile::JobOutcome::NotRun:
        return "not-run";
    }
    return "?";
}

Status writeBuildReport(const std::string& path, const compile::BuildOutcome& outcome,
                        const std::string& archive) {
    const auto& r = outcome.report;
    nlohmann::json doc = {
        {"format", "aotpack-build-report/1"},
        {"archive", archive},
        {"archive_written", r.archiveWritten},
        {"devices", {{"input", r.deviceListInput}, {"expanded", r.deviceListExpanded}}},
        {"compiler", r.compiler},
        {"compile_mode", r.compileMode},
        {"seconds", r.seconds},
        {"module_errors", r.moduleErrors},
        {"skipped_targets", r.skippedTargets},
        {"error", outcome.error ? outcome.error->message : ""},
        {"jobs", nlohmann::json::array()}};
    for (const auto& j : r.jobs)
        doc["jobs"].push_back({{"module", j.module},
                               {"target", j.target},
                               {"ip", devices::IpVersion::fromValue(j.ip).str()},
                               {"result", outcomeName(j.outcome)},
                               {"cache_hit", j.outcome == compile::JobOutcome::CacheHit},
                               {"started", j.started},
                               {"seconds", j.seconds},
                               {"compile_seconds", j.compileSeconds},
                               {"max_rss_kb", j.maxRssKb},
                               {"why", j.why},
                               {"error", j.error},
                               {"dropped_kernels", j.droppedKernels},
                               {"log", j.log}});
    if (r.shard)
        doc["shard"] = {{"index", r.shard->shard.index},
                        {"count", r.shard->shard.count},
                        {"plan", r.shard->plan},
                        {"expected_costs", r.shard->expectedCosts},
                        {"largest_job_cost", r.shard->largestJobCost}};
    if (r.remoteCache) { // the counters `aotpack cache stats` adds up, plus where and how
        nlohmann::json remote = cache::toCounters(*r.remoteCache);
        remote["url"] = r.remoteCacheUrl;
        remote["mode"] = r.remoteCacheMode;
        remote["marked_down"] = r.remoteCache->down;
        doc["remote_cache"] = remote;
    }
    return writeFileAtomic(path, doc.dump(2) + "\n");
}

} // namespace aotpack::cli
