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
        {"cpu_seconds", {{"aotpack", r.aotpackCpuSeconds}, {"compilers", r.compilerCpuSeconds}}},
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
        remote["verify"] = r.remoteCacheVerify;
        remote["marked_down"] = r.remoteCache->down;
        doc["remote_cache"] = remote;
    }
    return writeFileAtomic(path, doc.dump(2) + "\n");
}

Expected<compile::ShardCosts> readShardCosts(const std::filesystem::path& report) {
    auto text = readTextFile(report);
    if (!text)
        return makeError(Errc::BadInput, "--shard-costs: cannot read '" + report.string() + "'");
    auto bad = [&](const std::string& why) {
        return makeError(Errc::BadInput, "--shard-costs '" + report.string() + "': " + why);
    };
    auto doc = nlohmann::json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array())
        return bad("not an aotpack JSON report (no \"jobs\" list)");
    compile::ShardCosts costs;
    for (const auto& job : doc["jobs"]) {
        auto field = [&job](const char* key) { // value() would throw on another type
            return job.contains(key) && job[key].is_string() ? job[key].get<std::string>() : "";
        };
        if (!job.is_object() || field("result") != "compiled") continue;
        auto ip = devices::parseIpVersion(field("ip"));
        if (!ip || !job.contains("module") || !job["module"].is_string() ||
            !job.contains("seconds") || !job["seconds"].is_number())
            return bad("a job lacks its module, ip or seconds");
        costs[{job["module"].get<std::string>(), ip->value()}] = job["seconds"].get<double>();
    }
    return costs;
}

} // namespace aotpack::cli
