#include "capture/serving.h"

#include "archive/reader.h"
#include "archive/trust_policy.h"
#include "cache/disk_cache.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "devices/ip_version.h"
#include "runtime/driver_release.h"
#include "runtime/native_fetch.h"
#include "runtime/remote_jit.h"
#include "runtime/selector.h"

#include <cstdlib>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace aotpack::capture {

namespace {

// An archive replay may serve from, and, under a trust policy, the signature that vouches for it.
struct ServingArchive {
    archive::ArchiveReader reader;
    std::optional<archive::VerifiedArchive> trust;
};

// The archives of AOTPACK_ARCHIVE, opened at the first module served; one warning for each that
// cannot be opened or that the trust policy refuses (docs/TRUST.md), which is then left out: the
// program's own calls go through unchanged.
const std::vector<ServingArchive>& archives(const std::string& list) {
    static std::vector<ServingArchive> opened;
    static std::once_flag once;
    std::call_once(once, [&] {
        const auto& policy = archive::processTrustPolicy();
        for (const auto& path : split(list, ':')) {
            if (path.empty()) continue;
            auto reader = archive::ArchiveReader::openFile(path, archive::IndexChecks::Lookup);
            if (!reader) {
                diag::warning("AOTPACK_ARCHIVE: " + reader.error().message + "; it is not used");
                continue;
            }
            auto trust = archive::applyTrustPolicy(policy, *reader);
            if (!trust) {
                diag::warning("AOTPACK_ARCHIVE: " + trust.error().message +
                              "; it is not used (the program's modules are JIT-compiled)");
                continue;
            }
            opened.push_back({std::move(*reader), std::move(*trust)});
        }
    });
    return opened;
}

// A slim archive's native, fetched by hash into the user's cache (AOTPACK_CACHE=0: not kept).
Expected<runtime::FetchedNative> fetchNative(const archive::ArchiveReader& archive,
                                             const archive::EntryView& entry) {
    static const std::optional<DiskCache> cache = []() -> std::optional<DiskCache> {
        const char* off = std::getenv("AOTPACK_CACHE");
        if (off && std::string_view(off) == "0") return std::nullopt;
        auto c = DiskCache::open(DiskCache::defaultRoot() / "jit", 1ull << 30);
        return c ? std::optional<DiskCache>(*c) : std::nullopt;
    }();
    auto got = runtime::obtainRemoteNative(archive, entry, cache ? &*cache : nullptr);
    if (!got)
        return makeError(got.error().code, "fetching the binary for " +
                                               runtime::describeIp(entry.targetIp) + " failed (" +
                                               got.error().message + ")");
    return got;
}

// The bytes of the entry selection picks (a view into the archive where it can be), checked
// (integrity, trust) and fetched if remote; an error says why the program's own JIT runs instead.
using Payload = archive::ArchiveReader::Payload;
Expected<Payload> chosenBytes(const ServingArchive& serving, const runtime::Selection& chosen,
                              std::string& how) {
    const archive::ArchiveReader& archive = serving.reader;
    if (auto intact = archive.checkEntry(*chosen.entry); !intact) return intact.error();
    if (serving.trust) // the bytes the driver gets (or the digest pinning them) are signed
        if (auto st = serving.trust->checkEntry(archive, *chosen.entry); !st) return st.error();
    auto payload = archive.payloadView(*chosen.entry);
    if (!payload || chosen.entry->kind != archive::EntryKind::RemoteNative) return payload;
    auto got = fetchNative(archive, *chosen.entry);
    if (!got) return got.error();
    how = got->fromCache ? ", fetched earlier" : ", fetched";
    Payload fetched{std::move(got->bytes), {}};
    fetched.bytes = fetched.owned;
    return fetched;
}

// One archive's native binary for the module, if it has one the driver takes.
std::optional<ServeOutcome> serveFrom(const ServingArchive& serving, const std::string& name,
                                      const ServedDevice& device, const TryNative& tryNative) {
    const archive::ArchiveReader& archive = serving.reader;
    auto chosen = runtime::select(archive, name, device.ip, runtime::Policy::PreferNative);
    if (chosen.choice != runtime::Choice::NativeExact &&
        chosen.choice != runtime::Choice::NativeCompatible)
        return std::nullopt;
    std::string compiler(archive.meta(*chosen.entry, "compiler").value_or(""));
    if (runtime::newerThanDriver(compiler, device.driverRelease))
        return ServeOutcome{false, "its native was built by " + compiler +
                                       ", newer than the driver (" + device.driverRelease +
                                       "): JIT"};
    if (!runtime::droppedKernels(archive, name, chosen, device.ip).empty())
        return ServeOutcome{false, "its native binary lacks fp64 kernels: JIT"};
    std::string how;
    auto bytes = chosenBytes(serving, chosen, how);
    if (!bytes) return ServeOutcome{false, bytes.error().message + ": JIT"};
    std::string target = runtime::describeIp(chosen.entry->targetIp);
    std::string rejected;
    if (tryNative(bytes->bytes, rejected))
        return ServeOutcome{true, "native " + target + " from " + archive.name() + how};
    return ServeOutcome{false, "the driver rejected the native " + target + " binary (" + rejected +
                                   "): JIT"};
}

} // namespace

ServeOutcome serveNative(const std::string& name, const ServedDevice& device,
                         const std::string& archiveList, const Hash128& fleetKey,
                         const TryNative& tryNative) {
    for (const auto& archive : archives(archiveList))
        if (auto outcome = serveFrom(archive, name, device, tryNative)) return *outcome;
    const auto& remote = runtime::remoteJit();
    if (!remote || archive::processTrustPolicy().enabled)
        return ServeOutcome{false, "not in the archives: JIT"};
    auto result = runtime::getRemoteJit(*remote, fleetKey);
    if (!result) return ServeOutcome{false, "not in the archives or the fleet's results: JIT"};
    std::string rejected;
    if (tryNative(*result, rejected)) return ServeOutcome{true, "the fleet's JIT result"};
    return ServeOutcome{false, "the driver rejected the fleet's JIT result: JIT"};
}

Hash128 fleetKey(const std::string& name, std::uint32_t ip, const std::string& driverVersion) {
    return Hasher()
        .add("aotpack-replay-jit-v1")
        .add(name)
        .add(std::to_string(ip))
        .add(driverVersion)
        .finish();
}

bool fleetWantsUploads() {
    const auto& remote = runtime::remoteJit();
    return remote && remote->upload;
}

void shareJitResult(const Hash128& fleetKey, ByteView native) {
    if (fleetWantsUploads()) (void)runtime::putRemoteJit(*runtime::remoteJit(), fleetKey, native);
}

std::string ipText(std::uint32_t ip) {
    return ip ? devices::IpVersion::fromValue(ip).str() : "unknown";
}

} // namespace aotpack::capture
