// `aotpack cache`: the build cache's size, limit and counters (what ccache -s / -z / -M give),
// cleaning and verifying it.
#include "cache/counters.h"
#include "cache/disk_cache.h"
#include "cache/remote_store.h"
#include "cli/commands.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "dropin/call_log.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {
namespace {

struct CacheArgs {
    std::string dir, action = "stats", maxSize;
    bool json = false;
};

nlohmann::json statsJson(const std::filesystem::path& dir, CacheStats s, std::uint64_t limit) {
    auto build = cache::readCounters(dir / cache::kBuildStatsFile);
    auto lookups = build["hits"] + build["compiled"];
    return {{"cache", dir.string()},
            {"entries", s.entries},
            {"bytes", s.bytes},
            {"max_bytes", limit},
            {"build",
             {{"hits", build["hits"]},
              {"compiled", build["compiled"]},
              {"hit_rate", lookups ? double(build["hits"]) / double(lookups) : 0.0}}},
            {"remote", cache::readCounters(dir / cache::kRemoteStatsFile)},
            {"ocloc_dropin", dropin::readStats(dir)}};
}

void printStats(const nlohmann::json& j) {
    const auto& b = j["build"];
    char rate[16];
    std::snprintf(rate, sizeof rate, "%.0f%%", 100 * b["hit_rate"].get<double>());
    std::cout << "cache: " << j["cache"].get<std::string>() << "\nentries: " << j["entries"]
              << "\nsize: " << humanBytes(j["bytes"]) << "\nlimit: " << humanBytes(j["max_bytes"])
              << "\nbuilds: " << b["hits"] << " cache hit(s), " << b["compiled"]
              << " compiled (hit rate " << rate << ")\n";
    auto remote = j["remote"];
    auto n = [](const nlohmann::json& o, const char* k) { return o.value(k, 0ull); };
    std::cout << "remote cache: " << n(remote, "hits") << " hit(s), " << n(remote, "misses")
              << " miss(es), " << n(remote, "errors") << " error(s) (" << n(remote, "timeouts")
              << " timeout(s)), " << n(remote, "corrupt") << " rejected, " << n(remote, "uploads")
              << " upload(s), " << humanBytes(n(remote, "bytes_down")) << " down, "
              << humanBytes(n(remote, "bytes_up")) << " up\n";
    auto d = j["ocloc_dropin"];
    std::cout << "ocloc drop-in: " << n(d, "calls") << " call(s), " << n(d, "modelled")
              << " built by aotpack, " << n(d, "passed_through")
              << " passed to ocloc; targets: " << n(d, "hits") << " cache hit(s), "
              << n(d, "misses") << " compiled\n";
}

// --max-size: kept in the cache for every later build, and applied now.
Status setMaxSize(const std::filesystem::path& dir, const std::string& text) {
    auto bytes = parseByteSize(text);
    if (!bytes)
        return makeError(Errc::Usage, "--max-size '" + printable(text) +
                                          "' is not a size (e.g. 500M, 10G, 1.5GiB)");
    auto cache = DiskCache::open(dir, *bytes);
    if (!cache) return cache.error();
    if (auto st = DiskCache::setConfiguredMaxBytes(dir, *bytes); !st) return st;
    (void)cache->evictNow(); // least recently used entries first
    return success();
}

int runCacheAction(const CacheArgs& a) {
    std::filesystem::path dir =
        a.dir.empty() ? DiskCache::defaultRoot() / "build" : std::filesystem::path(a.dir);
    if (!a.maxSize.empty())
        if (auto st = setMaxSize(dir, a.maxSize); !st) return diag::fail(st.error());
    // Looking at a cache creates nothing: a directory with no cache has no entries.
    std::error_code ec;
    bool exists = std::filesystem::exists(dir / "v1", ec);
    if (a.action == "zero") {
        for (const char* file : {cache::kBuildStatsFile, cache::kRemoteStatsFile})
            cache::zeroCounters(dir / file);
        dropin::zeroStats(dir);
        return 0;
    }
    if (a.action == "clean") {
        auto cache = DiskCache::open(dir);
        if (!cache) return diag::fail(cache.error());
        if (auto st = cache->clean(); !st) return diag::fail(st.error());
        return 0;
    }
    if (!exists && !(a.json && a.action == "stats")) { // a directory with no cache: no entries
        std::cout << "cache: " << dir.string() << " (no cache there yet)\nentries: 0\n";
        return 0;
    }
    if (!exists) {
        std::cout << statsJson(dir, {}, DiskCache::configuredMaxBytes(dir)).dump(2) << "\n";
        return 0;
    }
    auto cache = DiskCache::openExisting(dir);
    if (!cache) return diag::fail(cache.error());
    if (a.action == "verify") {
        auto bad = cache->verify();
        std::cout << "cache: " << dir.string() << "\nbad entries removed: " << bad.entries << "\n";
        return bad.entries ? static_cast<int>(Errc::CacheDamaged) : 0;
    }
    auto j = statsJson(dir, cache->stats(), DiskCache::configuredMaxBytes(dir));
    if (a.json)
        std::cout << j.dump(2) << "\n";
    else
        printStats(j);
    return 0;
}

} // namespace

void addCacheCommand(CommandRegistry& registry) {
    auto a = std::make_shared<CacheArgs>();
    CLI::App* sub =
        registry.app.add_subcommand("cache", "Show, limit, zero or clear the build cache");
    sub->add_option("action", a->action,
                    "stats (the default), zero (its counters), clean, or verify (check every "
                    "entry, remove bad ones)")
        ->check(CLI::IsMember({"stats", "clean", "verify", "zero"}));
    sub->add_option("--cache-dir", a->dir,
                    "Build cache (default: $AOTPACK_CACHE_DIR/build, else ~/.cache/aotpack/build)");
    sub->add_option("--max-size", a->maxSize,
                    "Size limit (500M, 10G; default 5G), kept in the cache for later builds; "
                    "least recently used entries go first, now and on every build");
    sub->add_flag("--json", a->json,
                  "stats as {cache, entries, bytes, max_bytes, build, remote, ocloc_dropin}");
    sub->footer("Examples:\n  aotpack cache\n  aotpack cache stats --json\n  aotpack cache zero\n"
                "  aotpack cache --max-size 20G\n  aotpack cache verify --cache-dir /ci/cache\n"
                "  aotpack cache clean");
    registry.add(sub, [a] { return runCacheAction(*a); });
}

} // namespace aotpack::cli
