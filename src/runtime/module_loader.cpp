#include "runtime/module_loader.h"
#include "common/diagnostics.h"

#include "cache/disk_cache.h"
#include "common/hash.h"
#include "common/text.h"
#include "runtime/device_identity.h"
#include "runtime/driver_release.h"
#include "runtime/native_fetch.h"
#include "runtime/remote_jit.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

namespace aotpack::runtime {

namespace {

struct CacheConfig {
    bool enabled = true;
    std::filesystem::path dir;
    std::uint64_t maxBytes = 1ull << 30;
};

// The cache for a configuration, opened (directories created, permissions set) once per process:
// the native-binary path runs on every module load.
// A cache that cannot be used costs speed, not correctness: said once per directory, so that
// nobody JIT-compiles every time without knowing why.
void warnUnusableCache(const std::filesystem::path& dir, const std::string& why) {
    static std::mutex mutex;
    static std::set<std::filesystem::path> warned;
    std::lock_guard<std::mutex> lock(mutex);
    if (warned.insert(dir).second)
        diag::warning("JIT cache '" + printable(dir.string()) + "' cannot be used (" +
                      printable(why) + ")");
}

std::optional<DiskCache> openCache(const CacheConfig& cfg) {
    static std::mutex mutex;
    static std::map<std::pair<std::filesystem::path, std::uint64_t>, DiskCache> opened;
    std::lock_guard<std::mutex> lock(mutex);
    auto key = std::make_pair(cfg.dir, cfg.maxBytes);
    if (auto it = opened.find(key); it != opened.end()) return it->second;
    // The system cache (warm --system writes it) must stay readable by every user.
    bool system = cfg.dir == DiskCache::systemRoot() / "jit";
    auto cache = DiskCache::open(cfg.dir, cfg.maxBytes,
                                 system ? DiskCache::Access::Shared : DiskCache::Access::Private);
    if (!cache) { // retried next load
        warnUnusableCache(cfg.dir, cache.error().message);
        return std::nullopt;
    }
    opened.emplace(key, *cache);
    return *cache;
}

// The machine-wide JIT cache, read-only; nothing if there is none. Only a directory someone
// configured (AOTPACK_SYSTEM_CACHE_DIR) and this user cannot read is warned about.
std::optional<DiskCache> systemCache() {
    static const std::optional<DiskCache> cache = [] {
        auto dir = DiskCache::systemRoot() / "jit";
        auto c = DiskCache::openExisting(dir);
        std::error_code ec;
        if (!c && std::getenv("AOTPACK_SYSTEM_CACHE_DIR") && std::filesystem::exists(dir, ec))
            warnUnusableCache(dir, c.error().message);
        return c ? std::optional<DiskCache>(*c) : std::nullopt;
    }();
    return cache;
}

CacheConfig cacheConfig(const aotpack_load_options* o) {
    CacheConfig c;
    const char* env = std::getenv("AOTPACK_CACHE");
    int enabled = o ? o->cache_enabled : -1;
    c.enabled = enabled == -1 ? !(env && std::string_view(env) == "0") : enabled != 0;
    c.dir =
        o && o->cache_dir ? std::filesystem::path(o->cache_dir) : DiskCache::defaultRoot() / "jit";
    if (o && o->cache_dir) c.dir = o->cache_dir;
    if (const char* mb = std::getenv("AOTPACK_CACHE_MAX_MB"))
        if (auto v = parseUnsigned(mb)) c.maxBytes = *v << 20;
    if (o && o->cache_max_bytes) c.maxBytes = o->cache_max_bytes;
    return c;
}

void logLine(const char* module, const aotpack_load_info& info) {
    if (!diag::logRequested()) return;
    static const char* names[] = {"native", "compatible", "jit-cache", "jit"};
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.2f", info.milliseconds);
    diag::log("load " + printable(module) + " on " + describeIp(info.device_ip) + ": " +
              names[info.source] + " (" + lastReason() + ") " + ms + " ms");
}

thread_local std::string wholeReason; // load_info.reason holds only its first 255 bytes

// The reason, whole for aotpack_last_reason and the log, and in the fixed-size field: cut at a
// character boundary with "..." when it does not fit.
void setReason(aotpack_load_info& info, const std::string& reason) {
    wholeReason = reason;
    constexpr std::size_t room = sizeof info.reason - 1;
    if (reason.size() <= room) {
        std::memcpy(info.reason, reason.c_str(), reason.size() + 1);
        return;
    }
    std::size_t keep = room - 3;
    while (keep > 0 && (static_cast<unsigned char>(reason[keep]) & 0xC0) == 0x80)
        --keep; // not inside a UTF-8 sequence
    std::memcpy(info.reason, reason.data(), keep);
    std::memcpy(info.reason + keep, "...", 4);
}

} // namespace

const std::string& lastReason() {
    return wholeReason;
}

thread_local std::string droppedKernelList;

const std::string& lastDroppedKernels() {
    return droppedKernelList;
}

void recordDroppedKernels(const archive::ArchiveReader& archive, std::string_view module,
                          const Selection& s, std::uint32_t deviceIp) {
    droppedKernelList = join(droppedKernels(archive, module, s, deviceIp), ",");
}

void forgetLastCall() {
    wholeReason.clear();
    droppedKernelList.clear();
}

Policy resolvePolicy(aotpack_policy policy) {
    switch (policy) {
    case AOTPACK_POLICY_PREFER_NATIVE:
        return Policy::PreferNative;
    case AOTPACK_POLICY_NATIVE_ONLY:
        return Policy::NativeOnly;
    case AOTPACK_POLICY_JIT_ONLY:
        return Policy::JitOnly;
    case AOTPACK_POLICY_DEFAULT:
        break;
    }
    const char* env = std::getenv("AOTPACK_POLICY");
    auto parsed = env && *env ? parsePolicy(env) : std::nullopt;
    if (env && *env && !parsed) { // a misspelling must not silently mean prefer-native
        static std::once_flag warned;
        std::call_once(warned, [env] {
            diag::warning("AOTPACK_POLICY='" + printable(env) +
                          "' is not prefer-native, native-only or jit-only; using prefer-native");
        });
    }
    return parsed.value_or(Policy::PreferNative);
}

void fillInfo(aotpack_load_info& info, const Selection& s, std::uint32_t deviceIp) {
    info.device_ip = deviceIp;
    info.source = s.choice == Choice::NativeExact        ? AOTPACK_SOURCE_NATIVE_EXACT
                  : s.choice == Choice::NativeCompatible ? AOTPACK_SOURCE_NATIVE_COMPATIBLE
                                                         : AOTPACK_SOURCE_JIT;
    info.entry_ip = s.entry && s.entry->kind != archive::EntryKind::Spirv ? s.entry->targetIp : 0;
    setReason(info, s.reason);
}

// Native binaries the archive stores compressed are kept decompressed in the JIT cache directory
// (entries keyed and checked by the archive's own checksum of the raw bytes), so that
// only the first load of a binary on this machine pays for decompression (~0.3 ms for a 400 KB
// zebin, a third of what the driver takes to create the module from it).
// With a trust policy on, bytes reach the driver only if they are what the trusted key signed.
// The check reads the stored bytes, before they are decompressed.
static Status vouchedFor(const TrustedSource& source, const archive::EntryView& entry) {
    return source.trust ? source.trust->checkEntry(source.archive, entry) : success();
}

static Expected<Creation> createNative(const TrustedSource& source, const archive::EntryView& entry,
                                       GpuApi& api, const CacheConfig& cfg) {
    const archive::ArchiveReader& archive = source.archive;
    auto blob = archive.blob(entry.blob);
    std::optional<DiskCache> cache;
    Hash128 key;
    // Below ~64 KiB decompressing (~1.2 GB/s) costs less than a cache lookup's fixed ~25 us.
    constexpr std::uint64_t kWorthCaching = 64 << 10;
    if (blob.compression != archive::Compression::None && blob.rawSize >= kWorthCaching &&
        cfg.enabled) {
        cache = openCache(cfg);
        Hasher h;
        h.add("aotpack-native-v1")
            .add(std::to_string(blob.rawChecksum))
            .add(std::to_string(blob.rawSize));
        // Under a trust policy only bytes verified against the signed digest are put in the
        // cache, under a key that names that digest: a hit needs no second SHA-256 (the cache
        // checks its own checksum, and whoever can write it is the user already).
        if (source.trust) {
            auto digest = source.trust->signedDigest(archive, entry);
            if (!digest) return digest.error();
            h.add("trusted").add(std::span<const std::uint8_t>(*digest));
        }
        key = h.finish();
    }
    if (cache)
        if (auto hit = cache->map(key);
            hit && hit->checksum == blob.rawChecksum && hit->data.size() == blob.rawSize)
            return api.create(CodeFormat::Native, hit->data, "");
    if (auto st = vouchedFor(source, entry); !st) return st.error();
    auto zebin = archive.payloadView(entry);
    if (!zebin) return zebin.error();
    Creation c = api.create(CodeFormat::Native, zebin->bytes, "");
    if (c.created && cache && cache->put(key, zebin->bytes)) cache->evict();
    return c;
}

// The module's build options, plus the archive's fp64 policy: an archive built with
// --fp64=poison drops (poisons) the fp64 kernels on a GPU without fp64 when it JIT-compiles too,
// instead of failing the whole module. IGC ignores the option on GPUs that have fp64.
static std::string jitOptions(const archive::ArchiveReader& archive,
                              const archive::EntryView& spirvEntry) {
    std::string options(archive.meta(spirvEntry, "options").value_or(""));
    if (archive.archiveMeta("fp64_policy") == "poison" && archive.meta(spirvEntry, "fp64") == "yes")
        options += std::string(options.empty() ? "" : " ") + "-cl-poison-unsupported-fp64-kernels";
    return options;
}

// The fleet's JIT result for `key` (AOTPACK_RUNTIME_REMOTE), if there is one the driver takes;
// kept in the local cache then. Not under a trust policy: nobody signed it.
static bool loadFleetResult(const TrustedSource& source, const Hash128& key, GpuApi& api,
                            const DiskCache* cache, aotpack_load_info& info) {
    const auto& remote = remoteJit();
    if (!remote || source.trust) return false;
    auto result = getRemoteJit(*remote, key);
    if (!result) return false;
    if (!api.create(CodeFormat::Native, *result, "").created) {
        if (diag::logRequested())
            diag::log("fleet: the driver rejected result " + key.hex() + "; JIT instead");
        return false;
    }
    if (cache && cache->put(key, *result)) cache->evict();
    info.source = AOTPACK_SOURCE_JIT_CACHE;
    setReason(info, lastReason() + "; the fleet's JIT result");
    return true;
}

// Under warm --upload: a failed upload is reported by putRemoteJit (the load itself is fine).
static void uploadJitResult(const Hash128& key, ByteView binary) {
    const auto& remote = remoteJit();
    if (!remote || !remote->upload) return;
    (void)putRemoteJit(*remote, key, binary);
}

// What the JIT made, into the local cache and, under warm --upload, to the fleet's server.
static void keepJitResult(GpuApi& api, const Hash128& key, const DiskCache* cache) {
    const auto& remote = remoteJit();
    bool upload = remote && remote->upload;
    if (!cache && !upload) return;
    auto binary = api.createdBinary();
    if (!binary) return;
    if (cache) {
        (void)cache->put(key, *binary);
        cache->evict();
    }
    if (upload) uploadJitResult(key, *binary);
}

// The module's SPIR-V: from the archive, or (slim --remote-spirv) fetched by the digest the
// archive pins and kept in the cache like a fetched native. Without it there is nothing to JIT.
static Expected<Bytes> spirvOf(const TrustedSource& source, const archive::EntryView& entry,
                               const DiskCache* cache) {
    if (entry.kind != archive::EntryKind::RemoteSpirv) return source.archive.payload(entry);
    auto system = cache ? systemCache() : std::nullopt;
    auto fetched = obtainRemoteNative(source.archive, entry, cache, system ? &*system : nullptr);
    if (!fetched)
        return makeError(Errc::NoDevice, // callers name the module
                         "its SPIR-V is on the server and fetching it failed (" +
                             fetched.error().message + ")");
    return std::move(fetched->bytes);
}

// The SPIR-V path: a JIT-cache hit loads natively; otherwise the driver compiles and the result
// is stored. A cached binary the driver refuses is removed and compiled again.
static Status loadFromSpirv(const TrustedSource& source, const archive::EntryView& spirvEntry,
                            GpuApi& api, const DeviceIdentity& id, const CacheConfig& cfg,
                            aotpack_load_info& info) {
    const archive::ArchiveReader& archive = source.archive;
    // Its SPIR-V came from the same hand as its natives: under a policy, it is checked too.
    if (auto st = vouchedFor(source, spirvEntry); !st) return st;
    std::optional<DiskCache> cache;
    if (cfg.enabled) cache = openCache(cfg);
    auto spirv = spirvOf(source, spirvEntry, cache ? &*cache : nullptr);
    if (!spirv) return spirv.error();
    std::string options = jitOptions(archive, spirvEntry);
    Hash128 key = Hasher()
                      .add("aotpack-jit-v1")
                      .add(*spirv)
                      .add(options)
                      .add(id.ip ? std::to_string(id.ip) : "pci:" + std::to_string(id.pciId))
                      .add(id.driverVersion)
                      .finish();
    if (cache)
        if (auto cached = cache->map(key)) {
            if (api.create(CodeFormat::Native, cached->data, "").created) {
                info.source = AOTPACK_SOURCE_JIT_CACHE;
                setReason(info, lastReason() + "; JIT cache hit");
                uploadJitResult(key, cached->data); // warm --upload on a machine that has it
                return success();
            }
            cache->remove(key);
        }
    if (auto system = cfg.enabled ? systemCache() : std::nullopt)
        if (auto cached = system->map(key);
            cached && api.create(CodeFormat::Native, cached->data, "").created) {
            info.source = AOTPACK_SOURCE_JIT_CACHE;
            setReason(info, lastReason() + "; system JIT cache hit");
            return success();
        }
    if (loadFleetResult(source, key, api, cache ? &*cache : nullptr, info)) return success();
    Creation jit = api.create(CodeFormat::Spirv, *spirv, options);
    if (!jit.created)
        return makeError(Errc::NoDevice, "JIT compilation of module '" +
                                             std::string(spirvEntry.module) + "' failed (" +
                                             jit.error + "): " + jit.log);
    info.source = AOTPACK_SOURCE_JIT;
    keepJitResult(api, key, cache ? &*cache : nullptr);
    return success();
}

// A slim archive's native (archive/remote_native.h): fetched once, checked against the digest
// the archive pins, kept in the JIT cache's directory. `failure` says why no bytes reached the
// driver (no server, wrong bytes, ...): the caller JIT-compiles then.
static Expected<Creation> createFetched(const TrustedSource& source,
                                        const archive::EntryView& entry, GpuApi& api,
                                        const CacheConfig& cfg, std::string& failure,
                                        aotpack_load_info& info) {
    // Under a policy the entry itself (its metadata: the pinned digest) must be what the trusted
    // key signed.
    if (auto st = vouchedFor(source, entry); !st) return st.error();
    std::optional<DiskCache> cache = cfg.enabled ? openCache(cfg) : std::nullopt;
    auto system = cfg.enabled ? systemCache() : std::nullopt;
    auto fetched = obtainRemoteNative(source.archive, entry, cache ? &*cache : nullptr,
                                      system ? &*system : nullptr);
    if (!fetched) {
        failure = "fetching the binary for " + describeIp(entry.targetIp) + " failed (" +
                  fetched.error().message + ")";
        return Creation{};
    }
    Creation c = api.create(CodeFormat::Native, fetched->bytes, "");
    if (c.created)
        setReason(info, std::string(info.reason) +
                            (fetched->fromCache ? "; fetched earlier" : "; fetched"));
    return c;
}

// The native path; nothing when the module was created, else why the caller should JIT.
static Expected<std::optional<std::string>>
tryNative(const TrustedSource& source, const Selection& s, GpuApi& api, const DeviceIdentity& id,
          const CacheConfig& cfg, std::string& log, aotpack_load_info& info) {
    std::string compiler(source.archive.meta(*s.entry, "compiler").value_or(""));
    if (newerThanDriver(compiler, id.driverRelease))
        return std::optional<std::string>("the binary for " + describeIp(s.entry->targetIp) +
                                          " was built by " + compiler +
                                          ", newer than the driver (" + id.driverRelease + ")");
    std::string failure;
    auto created = s.entry->kind == archive::EntryKind::RemoteNative
                       ? createFetched(source, *s.entry, api, cfg, failure, info)
                       : createNative(source, *s.entry, api, cfg);
    if (!created) return created.error();
    log = created->log;
    if (created->created) return std::optional<std::string>();
    if (!failure.empty()) return std::optional<std::string>(failure);
    return std::optional<std::string>("driver rejected the binary for " +
                                      describeIp(s.entry->targetIp) + " (" + created->error + ")");
}

Status loadModule(const TrustedSource& source, GpuApi& api, const DeviceIdentity& id,
                  const char* module, const aotpack_load_options* options,
                  aotpack_load_info& info) {
    const archive::ArchiveReader& archive = source.archive;
    auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    };
    forgetLastCall();
    if (auto found = findModule(archive, module); !found) return found;
    Policy policy = resolvePolicy(options ? options->policy : AOTPACK_POLICY_DEFAULT);
    Selection s = select(archive, module, id.ip, policy);
    if (id.ip == 0) s.reason = id.how + "; " + s.reason;
    fillInfo(info, s, id.ip);
    recordDroppedKernels(archive, module, s, id.ip);
    if (s.choice == Choice::None) return makeError(Errc::Unsupported, s.reason);
    if (auto intact = archive.checkEntry(*s.entry); !intact) return intact;
    if (s.choice != Choice::Jit) {
        std::string log;
        auto why = tryNative(source, s, api, id, cacheConfig(options), log, info);
        if (!why) return why.error();
        if (!*why) {
            info.milliseconds = elapsed();
            logLine(module, info);
            return success();
        }
        if (policy == Policy::NativeOnly)
            return makeError(Errc::NoDevice,
                             "native-only: " + **why + (log.empty() ? "" : ": " + log));
        s.entry = archive::findSpirv(archive, module);
        if (!s.entry)
            return makeError(Errc::NoDevice, **why + " and the archive has no SPIR-V" +
                                                 (log.empty() ? "" : ": " + log));
        if (auto intact = archive.checkEntry(*s.entry); !intact) return intact;
        setReason(info, **why + "; JIT from SPIR-V");
        info.entry_ip = 0;
        s.choice = Choice::Jit;
        recordDroppedKernels(archive, module, s, id.ip); // a JIT drops what the SPIR-V would
    }
    Status result = loadFromSpirv(source, *s.entry, api, id, cacheConfig(options), info);
    info.milliseconds = elapsed();
    if (result) logLine(module, info);
    return result;
}

} // namespace aotpack::runtime
