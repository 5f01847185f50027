// The C API of libaotpack_rt (include/aotpack/runtime.h). No exception crosses it: every entry
// point catches, records the message for aotpack_last_error() and returns a code.
#include "aotpack/runtime.h"
#include "aotpack/runtime_opencl.h"

#include "archive/reader.h"
#include "archive/trust_policy.h"
#include "common/diagnostics.h"
#include "devices/device_list.h"
#include "runtime/cl_api.h"
#include "runtime/cl_device_identity.h"
#include "runtime/device_identity.h"
#include "runtime/module_loader.h"
#include "runtime/opencl_library.h"
#include "runtime/remote_jit.h"
#include "runtime/result_codes.h"
#include "runtime/selector.h"
#include "runtime/ze_api.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

// Opening checks the header and the index's layout (kChecks below); the module and target lists
// are built on first use, so opening a large archive to load one module stays cheap.
struct aotpack_archive {
    aotpack_archive(aotpack::archive::ArchiveReader r,
                    std::optional<aotpack::archive::VerifiedArchive> t)
        : reader(std::move(r)), trust(std::move(t)) {}
    aotpack::archive::ArchiveReader reader;
    // Under a trust policy (docs/TRUST.md): who signed it; every payload is checked on use.
    std::optional<aotpack::archive::VerifiedArchive> trust;
    std::once_flag listed;
    std::vector<std::string> moduleNames; // stable C strings for aotpack_archive_module_name
    std::vector<std::uint32_t> targets;

    void list() {
        std::call_once(listed, [this] {
            for (auto m : reader.modules())
                moduleNames.emplace_back(m);
            targets = reader.targets();
        });
    }
};

namespace {

// Opening checks the header and the index's layout; records are checked as a lookup reads them,
// and the whole index only to explain a module not found (runtime::findModule). Opening an
// archive of 100,000 entries to load one module does not read all of them.
constexpr auto kChecks = aotpack::archive::IndexChecks::Lookup;

thread_local std::string lastError;

aotpack_result failWith(aotpack_result code, std::string message) {
    lastError = std::move(message);
    return code;
}

aotpack_result codeFor(const aotpack::Error& e) {
    return aotpack::runtime::resultFor(e.code);
}

aotpack_result adopt(aotpack::Expected<aotpack::archive::ArchiveReader> reader,
                     aotpack_archive** out) {
    if (!reader) return failWith(codeFor(reader.error()), reader.error().message);
    auto trust =
        aotpack::archive::applyTrustPolicy(aotpack::archive::processTrustPolicy(), *reader);
    if (!trust) return failWith(AOTPACK_ERROR_UNTRUSTED, trust.error().message);
    auto* a = new (std::nothrow) aotpack_archive(std::move(*reader), std::move(*trust));
    if (!a) return failWith(AOTPACK_ERROR_OUT_OF_MEMORY, "out of memory");
    *out = a;
    return AOTPACK_SUCCESS;
}

template <class F> aotpack_result guarded(F&& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return failWith(AOTPACK_ERROR_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, std::string("internal error: ") + e.what());
    }
}

} // namespace

extern "C" {

uint32_t aotpack_runtime_version(void) {
    return AOTPACK_RT_VERSION_MAJOR << 16 | AOTPACK_RT_VERSION_MINOR << 8 |
           AOTPACK_RT_VERSION_PATCH;
}

const char* aotpack_runtime_version_string(void) {
    return AOTPACK_VERSION;
}

const char* aotpack_last_error(void) {
    return lastError.c_str();
}

namespace {

struct MessageTarget {
    aotpack_message_callback callback;
    void* userData;
};

// diag's levels are the C enum's numbers (runtime.h, common/diagnostics.h).
void forwardMessage(int level, const char* message, void* target) {
    auto* t = static_cast<MessageTarget*>(target);
    t->callback(static_cast<aotpack_message_level>(level), message, t->userData);
}

} // namespace

void aotpack_set_message_callback(aotpack_message_callback callback, void* user_data) {
    static std::mutex settingMutex;
    static std::unique_ptr<MessageTarget> current;
    std::lock_guard<std::mutex> lock(settingMutex);
    auto next =
        callback ? std::make_unique<MessageTarget>(MessageTarget{callback, user_data}) : nullptr;
    aotpack::diag::setMessageSink(next ? forwardMessage : nullptr, next.get());
    current = std::move(next); // diag calls a sink under its lock: the old one is out of use
}

void aotpack_fleet_stats_get(aotpack_fleet_stats* stats) {
    if (!stats) return;
    auto c = aotpack::runtime::fleetCounts();
    *stats = {c.lookups, c.hits, c.errors, c.uploads, c.uploadErrors};
}

const char* aotpack_last_reason(void) {
    return aotpack::runtime::lastReason().c_str();
}

const char* aotpack_last_dropped_kernels(void) {
    return aotpack::runtime::lastDroppedKernels().c_str();
}

aotpack_result aotpack_archive_open_file(const char* path, aotpack_archive** archive) {
    if (!path || !archive)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "path and archive must not be NULL");
    return guarded(
        [&] { return adopt(aotpack::archive::ArchiveReader::openFile(path, kChecks), archive); });
}

aotpack_result aotpack_archive_open_memory(const void* data, size_t size,
                                           aotpack_archive** archive) {
    if (!data || !archive)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "data and archive must not be NULL");
    return guarded([&] {
        aotpack::ByteView view(static_cast<const std::uint8_t*>(data), size);
        return adopt(
            aotpack::archive::ArchiveReader::openMemory(view, "<embedded archive>", kChecks),
            archive);
    });
}

void aotpack_archive_close(aotpack_archive* archive) {
    delete archive;
}

uint32_t aotpack_archive_module_count(const aotpack_archive* a) {
    if (!a) return 0;
    const_cast<aotpack_archive*>(a)->list(); // lazily filled, once, thread-safe
    return static_cast<uint32_t>(a->moduleNames.size());
}

const char* aotpack_archive_module_name(const aotpack_archive* a, uint32_t index) {
    if (!a) return nullptr;
    const_cast<aotpack_archive*>(a)->list();
    return index < a->moduleNames.size() ? a->moduleNames[index].c_str() : nullptr;
}

uint32_t aotpack_archive_target_count(const aotpack_archive* a) {
    if (!a) return 0;
    const_cast<aotpack_archive*>(a)->list();
    return static_cast<uint32_t>(a->targets.size());
}

uint32_t aotpack_archive_target_ip(const aotpack_archive* a, uint32_t index) {
    if (!a) return 0;
    const_cast<aotpack_archive*>(a)->list();
    return index < a->targets.size() ? a->targets[index] : 0;
}

aotpack_result aotpack_device_ip(ze_device_handle_t device, uint32_t* ip) {
    if (!device || !ip)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "device and ip must not be NULL");
    return guarded([&] {
        auto id = aotpack::runtime::identifyDevice(device);
        if (!id) return failWith(AOTPACK_ERROR_LEVEL_ZERO, id.error().message);
        if (id->ip == 0) return failWith(AOTPACK_ERROR_NOT_FOUND, id->how);
        *ip = id->ip;
        return AOTPACK_SUCCESS;
    });
}

aotpack_result aotpack_target_name(uint32_t ip, char* name, size_t size) {
    if (!name || size == 0)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "name must not be NULL");
    return guarded([&] {
        auto v = aotpack::devices::IpVersion::fromValue(ip);
        auto known = aotpack::devices::Database::builtin().findIp(v);
        std::snprintf(name, size, "%s", known ? known->name().c_str() : v.str().c_str());
        return AOTPACK_SUCCESS;
    });
}

aotpack_result aotpack_parse_device(const char* text, uint32_t* ip) {
    if (!text || !ip)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "text and ip must not be NULL");
    return guarded([&] {
        auto list = aotpack::devices::parseDeviceList(aotpack::devices::Database::builtin(), text);
        if (!list) return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, list.error().message);
        if (list->targets.size() != 1)
            return failWith(AOTPACK_ERROR_INVALID_ARGUMENT,
                            std::string("'") + text + "' is not exactly one device");
        *ip = list->targets[0].ip.value();
        return AOTPACK_SUCCESS;
    });
}

aotpack_result aotpack_select(const aotpack_archive* archive, const char* module,
                              uint32_t device_ip, aotpack_policy policy, aotpack_load_info* info) {
    if (!archive || !module || !info)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT,
                        "archive, module and info must not be NULL");
    return guarded([&] {
        aotpack::runtime::forgetLastCall();
        if (auto found = aotpack::runtime::findModule(archive->reader, module); !found)
            return failWith(codeFor(found.error()), found.error().message);
        auto s = aotpack::runtime::select(archive->reader, module, device_ip,
                                          aotpack::runtime::resolvePolicy(policy));
        if (s.entry)
            if (auto intact = archive->reader.checkEntry(*s.entry); !intact)
                return failWith(codeFor(intact.error()), intact.error().message);
        aotpack::runtime::fillInfo(*info, s, device_ip);
        aotpack::runtime::recordDroppedKernels(archive->reader, module, s, device_ip);
        if (s.choice == aotpack::runtime::Choice::None)
            return failWith(AOTPACK_ERROR_NO_BINARY, s.reason);
        return AOTPACK_SUCCESS;
    });
}

aotpack_result aotpack_module_create(aotpack_archive* archive, ze_context_handle_t context,
                                     ze_device_handle_t device, const char* module,
                                     const aotpack_load_options* options, ze_module_handle_t* out,
                                     aotpack_load_info* info) {
    if (!archive || !context || !device || !module || !out)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT,
                        "archive, context, device, module and out must not be NULL");
    return guarded([&] {
        aotpack_load_info local{};
        const auto* trust = archive->trust ? &*archive->trust : nullptr;
        auto id = aotpack::runtime::identifyDevice(device);
        if (!id) return failWith(codeFor(id.error()), id.error().message);
        aotpack::runtime::ZeApi api(context, device, *out);
        auto result = aotpack::runtime::loadModule({archive->reader, trust}, api, *id, module,
                                                   options, info ? *info : local);
        if (!result) return failWith(codeFor(result.error()), result.error().message);
        return AOTPACK_SUCCESS;
    });
}

// OpenCL (aotpack/runtime_opencl.h): the same loader through ClApi; Level Zero's error code
// becomes OpenCL's.
static aotpack_result clFailure(const aotpack::Error& e) {
    aotpack_result code = codeFor(e);
    return failWith(code == AOTPACK_ERROR_LEVEL_ZERO ? AOTPACK_ERROR_OPENCL : code, e.message);
}

static const aotpack::runtime::OpenClLibrary* openCl() {
    std::string whyNot;
    const auto* cl = aotpack::runtime::openClLibrary(whyNot);
    if (!cl) failWith(AOTPACK_ERROR_OPENCL, whyNot);
    return cl;
}

static aotpack::runtime::DeviceIdentity clIdentity(const aotpack::runtime::OpenClLibrary& cl,
                                                   cl_device_id device) {
    return aotpack::runtime::identifyClDevice([&](unsigned param, size_t size, void* value) {
        return cl.getDeviceInfo(device, param, size, value, nullptr);
    });
}

aotpack_result aotpack_cl_device_ip(cl_device_id device, uint32_t* ip) {
    if (!device || !ip)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT, "device and ip must not be NULL");
    return guarded([&] {
        const auto* cl = openCl();
        if (!cl) return AOTPACK_ERROR_OPENCL;
        auto id = clIdentity(*cl, device);
        if (!id.ip) return failWith(AOTPACK_ERROR_NOT_FOUND, id.how);
        *ip = id.ip;
        return AOTPACK_SUCCESS;
    });
}

aotpack_result aotpack_cl_program_create(aotpack_archive* archive, cl_context context,
                                         cl_device_id device, const char* module,
                                         const aotpack_load_options* options, cl_program* out,
                                         aotpack_load_info* info) {
    if (!archive || !context || !device || !module || !out)
        return failWith(AOTPACK_ERROR_INVALID_ARGUMENT,
                        "archive, context, device, module and out must not be NULL");
    return guarded([&] {
        const auto* cl = openCl();
        if (!cl) return AOTPACK_ERROR_OPENCL;
        aotpack_load_info local{};
        const auto* trust = archive->trust ? &*archive->trust : nullptr;
        aotpack::runtime::ClApi api(*cl, context, device, *out);
        auto result =
            aotpack::runtime::loadModule({archive->reader, trust}, api, clIdentity(*cl, device),
                                         module, options, info ? *info : local);
        if (!result) return clFailure(result.error());
        return AOTPACK_SUCCESS;
    });
}

} // extern "C"
