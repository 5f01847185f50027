// The build's caches: opening them (local, then remote), the output records that make a rebuild a
// no-op, the job history, and at the end the remote uploads and the hit counters.
#include "cache/counters.h"
#include "compile/driver_internal.h"

#include <unistd.h>

namespace aotpack::compile {

// The build cache remembers, per output path, the build key and the checksum of the archive it
// wrote. Kept out of the archive itself so the archive's bytes do not depend on the compiler's
// file timestamps that the key includes.
static std::filesystem::path outputRecord(const DiskCache& cache,
                                          const std::filesystem::path& out) {
    std::error_code ec; // absolute() fails only without a current directory: keep the path
    std::filesystem::path absolute = std::filesystem::absolute(out, ec);
    std::string path = (ec ? out : absolute).lexically_normal().string();
    return cache.dir() / "outputs" / Hasher().add(path).finish().hex();
}

bool outputUpToDate(const BuildSetup& setup, const BuildCaches& caches, const BuildKeys& keys) {
    if (!caches.local) return false;
    auto record = readTextFile(outputRecord(*caches.local, setup.output.archive));
    auto archive = readFile(setup.output.archive);
    return record && archive &&
           *record == keys.build.hex() + " " + std::to_string(hash64(*archive));
}

void recordOutput(const BuildSetup& setup, const BuildCaches& caches, const BuildKeys& keys) {
    if (!caches.local) return;
    auto archive = readFile(setup.output.archive);
    if (!archive) return;
    auto record = outputRecord(*caches.local, setup.output.archive);
    std::error_code ec;
    std::filesystem::create_directories(record.parent_path(), ec);
    // Not fsynced: a torn record does not match, and the next build simply runs.
    (void)writeFileAtomic(record, keys.build.hex() + " " + std::to_string(hash64(*archive)),
                          Sync::No);
}

// Where the build remembers what the installed ocloc can build: its cache directory.
std::filesystem::path buildCacheDir(const BuildRequest& r) {
    return r.cacheDir.empty() ? DiskCache::defaultRoot() / "build" : r.cacheDir;
}

// The local cache, and the remote one behind it when configured. A local cache directory that
// cannot be used is a warning (a cache never fails a build: it builds without one); a remote
// configuration that cannot work stops the build (the command line is wrong).
Expected<BuildCaches> openCaches(const BuildRequest& request, BuildObserver& observer) {
    BuildCaches caches;
    if (!request.useCache) return caches;
    auto dir = buildCacheDir(request);
    auto local = DiskCache::open(dir, request.cacheMaxBytes ? request.cacheMaxBytes
                                                            : DiskCache::configuredMaxBytes(dir));
    if (local && ::access((dir / "v1").c_str(), W_OK | X_OK) != 0)
        local = makeError(Errc::Output, "cannot write cache directory '" + dir.string() + "'");
    if (!local) {
        observer.warning(local.error().message + "; building without a cache");
        return caches;
    }
    caches.local = *local;
    caches.history = loadHistory(local->dir());
    auto inbox = caches.warnings;
    auto remote = cache::openRemoteStore(request.remoteCache,
                                         [inbox](const std::string& m) { inbox->add(m); });
    if (!remote) return remote.error();
    if (*remote) {
        caches.remoteUrl = request.remoteCache.redactedUrl();
        caches.remoteMode =
            request.remoteCache.mode == cache::RemoteMode::ReadOnly ? "read-only" : "read-write";
        caches.remoteVerify = request.remoteCache.verifyHmac ? "hmac" : "none";
        caches.remoteUploadWaitSeconds =
            std::max(10.0, 2 * request.remoteCache.requestTimeoutSeconds);
    }
    caches.store = std::make_unique<cache::TieredStore>(
        std::make_unique<cache::DiskStore>(*local, "zebin"), std::move(*remote));
    return caches;
}

void printCacheWarnings(const BuildCaches& caches, BuildObserver& observer) {
    for (const auto& w : caches.warnings->take())
        observer.warning(w);
}

// Waits a bounded time for the remote cache's uploads, then counts them into
// <build cache>/remote-stats (for `aotpack cache stats`) and returns them for the report.
std::optional<cache::RemoteStats> finishRemoteCache(BuildCaches& caches, BuildObserver& observer) {
    if (!caches.store || !caches.store->remote()) return std::nullopt;
    auto stats = caches.store->finishUploads(caches.remoteUploadWaitSeconds);
    if (stats.uploadsAbandoned)
        caches.warnings->add("remote cache: " + std::to_string(stats.uploadsAbandoned) +
                             " upload(s) abandoned (the build itself is complete)");
    printCacheWarnings(caches, observer);
    cache::addCounters(caches.local->dir() / cache::kRemoteStatsFile, cache::toCounters(stats));
    return stats;
}

// The build's cache hits and compiles, summed in <build cache>/build-stats over every build
// (`aotpack cache stats`; `cache zero` resets them).
void countCacheUse(const BuildCaches& caches, const CompiledJobs& compiled) {
    if (!caches.local) return;
    cache::Counters delta{{"hits", 0}, {"compiled", 0}};
    for (const auto& j : compiled.jobs) {
        delta["hits"] += j.outcome == JobOutcome::CacheHit;
        delta["compiled"] += j.outcome == JobOutcome::Compiled;
    }
    cache::addCounters(caches.local->dir() / cache::kBuildStatsFile, delta);
}

void keepHistory(BuildCaches& caches, const History& learned, BuildObserver& observer) {
    if (caches.local) {
        for (const auto& [key, entry] : learned)
            caches.history[key] = entry;
        saveHistory(caches.local->dir(), caches.history);
        caches.local->evict();
    }
    if (caches.store && caches.store->local())
        if (auto e = caches.store->local()->takeWriteError()) observer.warning(*e);
}

} // namespace aotpack::compile
