// The build report, made from the phases' results and never read back.
#include "compile/driver_internal.h"

#include <sys/resource.h>
#include <tuple>

namespace aotpack::compile {

std::size_t BuildReport::failedJobs() const {
    std::size_t n = 0;
    for (const auto& j : jobs)
        n += j.outcome == JobOutcome::Failed;
    return n;
}

std::size_t CompiledJobs::failed() const {
    std::size_t n = 0;
    for (const auto& j : jobs)
        n += j.outcome == JobOutcome::Failed;
    return n;
}

// CPU time (user + system) of this process's threads and of its children that have ended.
static std::pair<double, double> cpuSecondsSoFar() {
    auto seconds = [](const rusage& u) {
        auto of = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
        return of(u.ru_utime) + of(u.ru_stime);
    };
    rusage self{}, children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    return {seconds(self), seconds(children)};
}

BuildReport makeReport(const BuildSetup& setup, const BuildCaches& caches,
                       const PreparedModules& prepared, CompiledJobs compiled,
                       const Finished& finished) {
    BuildReport report;
    report.deviceListInput = setup.targets.input;
    report.deviceListExpanded = setup.targets.canonical();
    report.compiler = "ocloc " + setup.compiler->support().version;
    report.jobs = std::move(compiled.jobs);
    report.moduleErrors = prepared.errors;
    report.frontendFailures = prepared.frontendFailures;
    report.skippedTargets = setup.skippedTargets;
    report.archiveWritten = finished.archiveWritten;
    report.compileMode = compiled.compileMode;
    report.shard = compiled.shard;
    report.remoteCache = finished.remoteCache;
    report.remoteCacheUrl = caches.remoteUrl;
    report.remoteCacheMode = caches.remoteMode;
    report.remoteCacheVerify = caches.remoteVerify;
    report.seconds = setup.elapsed();
    std::tie(report.aotpackCpuSeconds, report.compilerCpuSeconds) = cpuSecondsSoFar();
    return report;
}

} // namespace aotpack::compile
