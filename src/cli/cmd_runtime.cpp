// Runtime commands: load and warm (real devices, through libaotpack_rt), select and coverage
// (offline answers from the archive and the device database); fetch and device-ips are in
// cmd_fetch.cpp.
#include "aotpack/runtime.h"
#include "aotpack/runtime_opencl.h"
#include "archive/reader.h"
#include "archive/trust_policy.h"
#include "cache/disk_cache.h"
#include "cli/archive_view.h"
#include "cli/commands.h"
#include "cli/runtime_loads.h"
#include "cli/table.h"
#include "common/diagnostics.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "devices/device_list.h"
#include "runtime/native_fetch.h"
#include "runtime/opencl_library.h"
#include "runtime/result_codes.h"
#include "runtime/selector.h"
#include "runtime/ze_devices.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace aotpack::cli {
using nlohmann::json;

Status initLevelZero() {
    ze_result_t init = zeInit(0); // a failed zeInit is final (loader 1.8.12): no retry
    if (init == ZE_RESULT_SUCCESS) return success();
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(init));
    return makeError(Errc::NoDevice,
                     std::string("no Level Zero GPU here (zeInit returned ") + hex + ")");
}

static const char* sourceName(aotpack_source s) {
    static const char* names[] = {"native", "compatible", "jit-cache", "jit"};
    return names[s];
}

std::vector<std::string> droppedKernels() {
    std::string list = aotpack_last_dropped_kernels();
    return list.empty() ? std::vector<std::string>{} : split(list, ',');
}

// One load's row and JSON object.
void recordLoad(const aotpack_load_info& info, std::string why, const std::string& module,
                const std::vector<std::string>& kernels, const std::vector<std::string>& dropped,
                LoadResults& results) {
    results.jitLoads +=
        info.source == AOTPACK_SOURCE_JIT || info.source == AOTPACK_SOURCE_JIT_CACHE;
    if (!dropped.empty()) why += "; dropped (fp64): " + join(dropped, ",");
    char ms[16];
    std::snprintf(ms, sizeof ms, "%.1f", info.milliseconds);
    results.table.add({runtime::describeIp(info.device_ip), module, sourceName(info.source), ms,
                       join(kernels, ","), why});
    results.out.push_back(
        {{"device_ip",
          info.device_ip ? devices::IpVersion::fromValue(info.device_ip).str() : "unknown"},
         {"module", module},
         {"source", sourceName(info.source)},
         {"milliseconds", info.milliseconds},
         {"kernels", kernels},
         {"dropped_kernels", dropped},
         {"reason", why}});
}

namespace {

struct RuntimeArgs {
    std::string archive, module, device, policy; // policy "": $AOTPACK_POLICY, else prefer-native
    std::string api = "level-zero";              // load/warm --api: level-zero or opencl
    bool json = false;
    bool system = false; // warm --system: the machine-wide JIT cache every user reads
    bool upload = false; // warm --upload: the JIT results to the fleet's server
};

// warm --upload: the runtime uploads what it JIT-compiles (runtime/remote_jit.h) when
// AOTPACK_RUNTIME_REMOTE names the server and a write token is set; said before any work.
Status enableUpload() {
    if (envOr("AOTPACK_RUNTIME_REMOTE", "").empty())
        return makeError(Errc::Usage,
                         "--upload needs AOTPACK_RUNTIME_REMOTE=URL (the fleet's server)");
    if (envOr("AOTPACK_REMOTE_CACHE_TOKEN", "").empty() &&
        envOr("AOTPACK_REMOTE_CACHE_TOKEN_FILE", "").empty())
        return makeError(Errc::Usage,
                         "--upload needs the write token in AOTPACK_REMOTE_CACHE_TOKEN "
                         "or AOTPACK_REMOTE_CACHE_TOKEN_FILE");
    ::setenv("AOTPACK_RUNTIME_REMOTE_UPLOAD", "1", 1);
    return success();
}

// --policy as given, else the environment's (as the library reads it); a bad value is an error.
Expected<runtime::Policy> chosenPolicy(const std::string& flag) {
    std::string text = !flag.empty() ? flag : envOr("AOTPACK_POLICY", "prefer-native");
    auto p = runtime::parsePolicy(text);
    if (!p)
        return makeError(Errc::Usage, std::string(flag.empty() ? "AOTPACK_POLICY" : "--policy") +
                                          " '" + text +
                                          "' is not prefer-native, native-only or jit-only");
    return *p;
}

// --module names a module of the archive, or the command fails as extract does (exit 9).
Status checkModule(const std::vector<std::string>& modules, const std::string& archive,
                   const std::string& module) {
    if (module.empty() || std::find(modules.begin(), modules.end(), module) != modules.end())
        return success();
    return makeError(Errc::NotFound, "module '" + module + "' is not in '" + archive +
                                         "' (modules: " + join(modules, ", ") + ")");
}

// --system: the machine-wide JIT cache, which needs root to write.
Status useSystemJitCache(const std::string& dir, aotpack_load_options& options) {
    auto cache = DiskCache::open(dir, DiskCache::kDefaultMaxBytes, DiskCache::Access::Shared);
    if (!cache) return makeError(Errc::Output, cache.error().message + " (--system needs root)");
    options.cache_dir = dir.c_str();
    return success();
}

// Kernels poisoned for fp64 are still in the module but will not run: not listed.
std::vector<std::string> runnableKernels(ze_module_handle_t handle,
                                         const std::vector<std::string>& dropped) {
    std::uint32_t count = 0;
    zeModuleGetKernelNames(handle, &count, nullptr);
    std::vector<const char*> names(count);
    zeModuleGetKernelNames(handle, &count, names.data());
    std::vector<std::string> kept;
    for (const char* k : names)
        if (std::find(dropped.begin(), dropped.end(), k) == dropped.end()) kept.emplace_back(k);
    return kept;
}

void loadOne(aotpack_archive* archive, ze_context_handle_t ctx, ze_device_handle_t dev,
             const std::string& module, const aotpack_load_options& options, LoadResults& results) {
    ze_module_handle_t handle = nullptr;
    aotpack_load_info info{};
    if (auto r = aotpack_module_create(archive, ctx, dev, module.c_str(), &options, &handle, &info);
        r != AOTPACK_SUCCESS) {
        diag::error("module '" + module + "': " + aotpack_last_error());
        if (!results.failure) results.failure = runtime::errcFor(r);
        return;
    }
    std::string why = aotpack_last_reason(); // whole: info.reason may be cut
    auto dropped = droppedKernels();
    auto kernels = runnableKernels(handle, dropped);
    zeModuleDestroy(handle);
    recordLoad(info, why, module, kernels, dropped, results);
}

void printLoads(const LoadResults& r, const RuntimeArgs& a, bool warm) {
    if (a.json)
        std::cout << r.out.dump(2) << "\n";
    else if (!warm && !r.out.empty())
        r.table.print(std::cout);
    else if (warm && r.jitLoads)
        diag::note("JIT cache warmed: " + std::to_string(r.jitLoads) +
                   " module load(s) through the JIT; " + std::to_string(r.out.size() - r.jitLoads) +
                   " load natively (nothing to warm)");
    else if (warm)
        diag::note("nothing to warm: all " + std::to_string(r.out.size()) +
                   " module load(s) are native binaries on this machine's GPUs");
    aotpack_fleet_stats fleet{};
    aotpack_fleet_stats_get(&fleet);
    if (fleet.lookups || fleet.uploads || fleet.upload_errors) // the fleet's server took part
        diag::note("fleet's server: " + std::to_string(fleet.lookups) + " lookup(s), " +
                   std::to_string(fleet.hits) + " found, " + std::to_string(fleet.errors) +
                   " unanswered; " + std::to_string(fleet.uploads) + " upload(s), " +
                   std::to_string(fleet.upload_errors) + " failed");
}

Status prepareLoads(const RuntimeArgs& a, LoadSetup& s) {
    auto policy = chosenPolicy(a.policy);
    if (!policy) return policy.error();
    if (a.api != "level-zero" && a.api != "opencl")
        return makeError(Errc::Usage, "--api '" + a.api + "' is not level-zero or opencl");
    if (a.upload)
        if (auto st = enableUpload(); !st) return st;
    if (auto r = aotpack_archive_open_file(a.archive.c_str(), &s.archive); r != AOTPACK_SUCCESS)
        return makeError(runtime::errcFor(r), aotpack_last_error());
    if (auto st = checkModule(s.modules(""), a.archive, a.module); !st) return st;
    s.options.policy = static_cast<aotpack_policy>(static_cast<int>(*policy) + 1);
    if (a.system)
        if (auto st = useSystemJitCache(s.systemJit, s.options); !st) return st;
    return success();
}

Status loadLevelZero(const RuntimeArgs& a, LoadSetup& s, LoadResults& results) {
    if (auto st = initLevelZero(); !st) return st;
    auto devices = runtime::levelZeroDevices();
    if (devices.empty()) return makeError(Errc::NoDevice, "Level Zero reports no GPU device");
    for (const auto& [driver, device] : devices) { // a context belongs to one driver
        ze_context_desc_t desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
        ze_context_handle_t ctx = nullptr;
        if (zeContextCreate(driver, &desc, &ctx) != ZE_RESULT_SUCCESS)
            return makeError(Errc::NoDevice, "Level Zero cannot create a context for a GPU");
        for (const auto& module : s.modules(a.module))
            loadOne(s.archive, ctx, device, module, s.options, results);
        zeContextDestroy(ctx);
    }
    return success();
}

int loadAll(const RuntimeArgs& a, bool warm) {
    LoadSetup setup;
    if (auto st = prepareLoads(a, setup); !st) return diag::fail(st.error());
    LoadResults results;
    auto loaded =
        a.api == "opencl" ? loadOpenCl(a.module, setup, results) : loadLevelZero(a, setup, results);
    if (!loaded) return diag::fail(loaded.error());
    printLoads(results, a, warm);
    return results.failure ? static_cast<int>(*results.failure) : 0;
}

// Under a trust policy (docs/TRUST.md) an archive no trusted key signed is refused, as the
// runtime library refuses it.
Status trustedUnderPolicy(const archive::ArchiveReader& in) {
    auto trust = archive::applyTrustPolicy(archive::processTrustPolicy(), in);
    if (!trust) return trust.error();
    return success();
}

int selectOffline(const RuntimeArgs& a) {
    auto in = archive::ArchiveReader::openFile(a.archive);
    if (!in) return diag::fail(in.error());
    if (auto st = trustedUnderPolicy(*in); !st) return diag::fail(st.error());
    auto ip = singleTargetIp(a.device, "--device");
    if (!ip) return diag::fail(ip.error());
    auto policy = chosenPolicy(a.policy);
    if (!policy) return diag::fail(policy.error());
    auto views = in->modules();
    std::vector<std::string> names(views.begin(), views.end());
    if (auto st = checkModule(names, in->name(), a.module); !st) return diag::fail(st.error());
    json out = json::array();
    Table table({"MODULE", "FROM", "ENTRY", "WHY"});
    int none = 0;
    for (auto module : in->modules()) {
        if (!a.module.empty() && module != a.module) continue;
        auto s = runtime::offlineView(*in, module, runtime::select(*in, module, *ip, *policy), *ip);
        none += s.choice == runtime::Choice::None;
        bool native = s.entry && (s.entry->kind == archive::EntryKind::Native ||
                                  s.entry->kind == archive::EntryKind::RemoteNative);
        std::string entry = native ? targetName(s.entry->targetIp) +
                                         (s.entry->kind == archive::EntryKind::RemoteNative
                                              ? " (on the natives server)"
                                              : "")
                            : s.entry ? "spirv"
                                      : "-";
        auto dropped = runtime::droppedKernels(*in, module, s, *ip);
        std::string why = s.reason;
        if (!dropped.empty())
            why += "; kernels this device will not get (fp64): " + join(dropped, ",");
        table.add({std::string(module), runtime::choiceName(s.choice), entry, why});
        out.push_back({{"module", module},
                       {"choice", runtime::choiceName(s.choice)},
                       {"entry", entry},
                       {"dropped_kernels", dropped},
                       {"reason", why}});
    }
    if (a.json)
        std::cout << out.dump(2) << "\n";
    else
        table.print(std::cout);
    return none ? static_cast<int>(Errc::NotFound) : 0; // like load: no binary for the device
}

// The IP versions of this machine's GPUs, once each, in IP order: the values a wheel-variant
// provider plugin (PEP 817, `intel :: device_ip :: <ip>`) returns for this machine.
// One row per known IP (every stepping): what each module would load there.
int coverage(const RuntimeArgs& a) {
    auto in = archive::ArchiveReader::openFile(a.archive);
    if (!in) return diag::fail(in.error());
    const auto& db = devices::Database::builtin();
    Table table({"DEVICE", "IP", "NATIVE", "COMPATIBLE", "JIT", "NONE", "DROPPED KERNELS"});
    json out = json::array();
    for (const auto& d : db.devices()) {
        std::vector<const devices::Stepping*> steppings{&d.current};
        for (const auto& s : d.older)
            steppings.push_back(&s);
        for (const auto* s : steppings) {
            int counts[4] = {0, 0, 0, 0};
            std::vector<std::string> dropped; // module:kernel this device will not get
            for (auto module : in->modules()) {
                auto sel = runtime::offlineView(
                    *in, module,
                    runtime::select(*in, module, s->ip.value(), runtime::Policy::PreferNative),
                    s->ip.value());
                ++counts[static_cast<int>(sel.choice)];
                for (const auto& k : runtime::droppedKernels(*in, module, sel, s->ip.value()))
                    dropped.push_back(std::string(module) + ":" + k);
            }
            std::string name = devices::TargetInfo{&d, s}.name();
            table.add({name, s->ip.str(), std::to_string(counts[0]), std::to_string(counts[1]),
                       std::to_string(counts[2]), std::to_string(counts[3]),
                       dropped.empty() ? "" : join(dropped, ",")});
            out.push_back({{"device", name},
                           {"ip", s->ip.str()},
                           {"native", counts[0]},
                           {"compatible", counts[1]},
                           {"jit", counts[2]},
                           {"none", counts[3]},
                           {"dropped_kernels", dropped}});
        }
    }
    if (a.json)
        std::cout << out.dump(2) << "\n";
    else {
        std::cout << "modules per device (" << countOf(in->modules().size(), "module", "modules")
                  << ")\n";
        table.print(std::cout);
    }
    return 0;
}

} // namespace

void addRuntimeCommands(CommandRegistry& r) {
    auto load = std::make_shared<RuntimeArgs>();
    auto* sub = r.app.add_subcommand(
        "load",
        "Load an archive's modules on this machine's GPUs: will it run here, and from what?");
    sub->add_option("archive", load->archive, "Archive to load")->required();
    sub->add_option("--module", load->module, "Only this module");
    sub->add_option("--policy", load->policy, "prefer-native, native-only or jit-only");
    sub->add_flag("--json", load->json, "Print JSON");
    sub->add_option("--api", load->api, "level-zero (default) or opencl");
    sub->footer("Examples:\n  aotpack load app.aotpack\n  AOTPACK_LOG=1 aotpack load app.aotpack "
                "--module vector_ops --json");
    r.add(sub, [load] { return loadAll(*load, false); });

    auto warm = std::make_shared<RuntimeArgs>();
    auto* warmSub = r.app.add_subcommand(
        "warm", "Fill the JIT cache for this machine's GPUs (at install time)");
    warmSub
        ->add_option("archive", warm->archive,
                     "Archive whose modules to JIT-compile into the cache")
        ->required();
    warmSub->add_option("--module", warm->module, "Only this module");
    warmSub->add_option("--api", warm->api, "level-zero (default) or opencl");
    warmSub->add_flag(
        "--system", warm->system,
        "Fill the machine-wide JIT cache every user reads ($AOTPACK_SYSTEM_CACHE_DIR, "
        "default /var/cache/aotpack), not your own (run as root)");
    warmSub->add_flag("--upload", warm->upload,
                      "Also upload the JIT results to the fleet's server ($AOTPACK_RUNTIME_REMOTE; "
                      "write token in $AOTPACK_REMOTE_CACHE_TOKEN[_FILE], never printed)");
    warmSub->footer("Example (at install time, as root):\n  aotpack warm --system "
                    "/usr/share/myapp/kernels.aotpack\nA fleet (docs/DELIVERY.md): "
                    "AOTPACK_RUNTIME_REMOTE=https://jit.example aotpack warm --upload app.aotpack");
    r.add(warmSub, [warm] { return loadAll(*warm, true); });

    auto sel = std::make_shared<RuntimeArgs>();
    auto* selSub =
        r.app.add_subcommand("select", "What would load on a given device, without a GPU");
    selSub->add_option("archive", sel->archive, "Archive to ask")->required();
    selSub->add_option("--device", sel->device, "A device name, IP version or PCI id (0x56a5@5)")
        ->required();
    selSub->add_option("--module", sel->module, "Only this module");
    selSub->add_option("--policy", sel->policy, "prefer-native, native-only or jit-only");
    selSub->add_flag("--json", sel->json, "Print JSON");
    selSub->footer("Examples:\n  aotpack select app.aotpack --device 0x56a5\n  aotpack select "
                   "app.aotpack --device tgllp --policy native-only");
    r.add(selSub, [sel] { return selectOffline(*sel); });

    auto cov = std::make_shared<RuntimeArgs>();
    auto* covSub = r.app.add_subcommand(
        "coverage", "Every known device: how many modules load natively, compatibly or by JIT");
    covSub->add_option("archive", cov->archive, "Archive to ask")->required();
    covSub->add_flag("--json", cov->json, "Print JSON");
    covSub->footer("Example:\n  aotpack coverage app.aotpack --json");
    r.add(covSub, [cov] { return coverage(*cov); });

    addFetchCommand(r);

    addDeviceIpsCommand(r);
}

} // namespace aotpack::cli
