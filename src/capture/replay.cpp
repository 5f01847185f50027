#include "capture/replay.h"
#include "common/diagnostics.h"

#include "archive/reader.h"
#include "archive/trust_policy.h"
#include "cache/disk_cache.h"
#include "common/text.h"
#include "runtime/device_identity.h"
#include "runtime/native_fetch.h"
#include "runtime/remote_jit.h"
#include "runtime/selector.h"

#include <cstdio>
#include <map>
#include <mutex>
#include <pthread.h>
#include <set>
#include <string_view>

namespace aotpack::capture {

namespace {

// One lock for the device table; fork() takes it first, so a child never inherits it locked.
std::mutex tableLock;
struct KnownDevice {
    std::uint32_t ip = 0;
    std::string driverVersion;
};
std::map<ze_device_handle_t, KnownDevice> knownDevices;
std::set<ze_module_handle_t> hidingModules;

void installForkHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        pthread_atfork([] { tableLock.lock(); }, [] { tableLock.unlock(); },
                       [] { tableLock.unlock(); });
    });
}

KnownDevice knownDevice(ze_device_handle_t device) {
    installForkHandlers();
    {
        std::lock_guard<std::mutex> lock(tableLock);
        if (auto it = knownDevices.find(device); it != knownDevices.end()) return it->second;
    }
    auto identity = runtime::identifyDevice(device);
    KnownDevice known{identity ? identity->ip : 0, identity ? identity->driverVersion : ""};
    std::lock_guard<std::mutex> lock(tableLock);
    knownDevices[device] = known;
    return known;
}

std::uint32_t deviceIp(ze_device_handle_t device) {
    return knownDevice(device).ip;
}

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

std::string hexResult(ze_result_t r) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%x", static_cast<unsigned>(r));
    return text;
}

// The call's module created from `binary` in native format (its constants were applied when the
// binary was made); the build log is handed over only when the driver takes it.
ze_result_t createNative(const ModuleCall& call, ByteView binary, const CreateModule& create,
                         ze_module_build_log_handle_t* buildLog) {
    ze_module_desc_t native = *call.desc;
    native.format = ZE_MODULE_FORMAT_NATIVE;
    native.inputSize = binary.size();
    native.pInputModule = binary.data();
    native.pConstants = nullptr;
    ze_module_build_log_handle_t log = nullptr;
    ze_result_t r = create(&native, buildLog ? &log : nullptr);
    if (r == ZE_RESULT_SUCCESS && buildLog)
        *buildLog = log;
    else if (log)
        zeModuleBuildLogDestroy(log);
    return r;
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

// One archive's native binary for the call, if it has one the driver takes.
std::optional<Served> serveFrom(const ServingArchive& serving, const ModuleCall& call,
                                std::uint32_t ip, const CreateModule& create,
                                ze_module_build_log_handle_t* buildLog) {
    const archive::ArchiveReader& archive = serving.reader;
    auto chosen = runtime::select(archive, call.name, ip, runtime::Policy::PreferNative);
    if (chosen.choice != runtime::Choice::NativeExact &&
        chosen.choice != runtime::Choice::NativeCompatible)
        return std::nullopt;
    if (!runtime::droppedKernels(archive, call.name, chosen, ip).empty())
        return Served{std::nullopt, "its native binary lacks fp64 kernels: JIT"};
    if (auto intact = archive.checkEntry(*chosen.entry); !intact)
        return Served{std::nullopt, intact.error().message + ": JIT"};
    if (serving.trust) // the bytes the driver gets (or the digest pinning them) are signed
        if (auto st = serving.trust->checkEntry(archive, *chosen.entry); !st)
            return Served{std::nullopt, st.error().message + ": JIT"};
    auto payload = archive.payloadView(*chosen.entry);
    if (!payload) return Served{std::nullopt, payload.error().message + ": JIT"};
    ByteView bytes = payload->bytes;
    std::optional<runtime::FetchedNative> fetched;
    if (chosen.entry->kind == archive::EntryKind::RemoteNative) {
        auto got = fetchNative(archive, *chosen.entry);
        if (!got) return Served{std::nullopt, got.error().message + ": JIT"};
        fetched = std::move(*got);
        bytes = fetched->bytes;
    }
    std::string target = runtime::describeIp(chosen.entry->targetIp);
    ze_result_t r = createNative(call, bytes, create, buildLog);
    if (r == ZE_RESULT_SUCCESS) {
        std::string how = !fetched ? "" : fetched->fromCache ? ", fetched earlier" : ", fetched";
        return Served{ZE_RESULT_SUCCESS, "native " + target + " from " + archive.name() + how};
    }
    return Served{std::nullopt, "the driver rejected the native " + target + " binary (" +
                                    hexResult(r) + "): JIT"};
}

} // namespace

std::optional<ModuleCall> describeCall(const ze_module_desc_t& desc) {
    ModuleCall call;
    call.desc = &desc;
    call.spirv = ByteView(static_cast<const std::uint8_t*>(desc.pInputModule), desc.inputSize);
    call.flags = desc.pBuildFlags ? desc.pBuildFlags : "";
    const ze_module_constants_t* c = desc.pConstants;
    auto constants =
        c ? readConstants(call.spirv, c->numConstants, c->pConstantIds, c->pConstantValues)
          : std::optional<std::vector<SpecConstant>>(std::vector<SpecConstant>{});
    if (!constants) return std::nullopt;
    call.constants = std::move(*constants);
    call.name = moduleName(moduleKey(call.spirv, call.flags, call.constants));
    return call;
}

std::string deviceIpText(ze_device_handle_t device) {
    std::uint32_t ip = deviceIp(device);
    return ip ? devices::IpVersion::fromValue(ip).str() : "unknown";
}

void rememberServed(ze_module_handle_t module, ByteView spirv) {
    std::string_view text(reinterpret_cast<const char*>(spirv.data()), spirv.size());
    if (text.find(kSymbolTableKernel) != std::string_view::npos) return; // a kernel of its own
    std::lock_guard<std::mutex> lock(tableLock);
    hidingModules.insert(module);
}

bool hidesSymbolTable(ze_module_handle_t module) {
    std::lock_guard<std::mutex> lock(tableLock);
    return hidingModules.count(module) != 0;
}

void forgetModule(ze_module_handle_t module) {
    std::lock_guard<std::mutex> lock(tableLock);
    hidingModules.erase(module);
}

Hash128 fleetKey(const ModuleCall& call, ze_device_handle_t device) {
    KnownDevice d = knownDevice(device);
    return Hasher()
        .add("aotpack-replay-jit-v1")
        .add(call.name)
        .add(std::to_string(d.ip))
        .add(d.driverVersion)
        .finish();
}

Served serve(const ModuleCall& call, ze_device_handle_t device, const std::string& archiveList,
             const CreateModule& create, ze_module_build_log_handle_t* buildLog) {
    std::uint32_t ip = deviceIp(device);
    for (const auto& archive : archives(archiveList))
        if (auto served = serveFrom(archive, call, ip, create, buildLog)) return *served;
    const auto& remote = runtime::remoteJit();
    if (!remote || archive::processTrustPolicy().enabled)
        return Served{std::nullopt, "not in the archives: JIT"};
    auto result = runtime::getRemoteJit(*remote, fleetKey(call, device));
    if (!result) return Served{std::nullopt, "not in the archives or the fleet's results: JIT"};
    if (createNative(call, *result, create, buildLog) == ZE_RESULT_SUCCESS)
        return Served{ZE_RESULT_SUCCESS, "the fleet's JIT result"};
    return Served{std::nullopt, "the driver rejected the fleet's JIT result: JIT"};
}

void shareJitResult(const ModuleCall& call, ze_device_handle_t device, ze_module_handle_t module) {
    const auto& remote = runtime::remoteJit();
    std::size_t size = 0;
    if (!remote || !remote->upload ||
        zeModuleGetNativeBinary(module, &size, nullptr) != ZE_RESULT_SUCCESS || !size)
        return;
    Bytes binary(size);
    if (zeModuleGetNativeBinary(module, &size, binary.data()) == ZE_RESULT_SUCCESS)
        (void)runtime::putRemoteJit(*remote, fleetKey(call, device), binary);
}

} // namespace aotpack::capture
