// `aotpack fetch` (a slim archive's natives into the cache the runtime reads, at install time)
// and `aotpack device-ips` (this machine's GPUs, as a wheel variant selects on them).
#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "cache/disk_cache.h"
#include "cli/archive_view.h"
#include "cli/commands.h"
#include "cli/runtime_loads.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "devices/device_list.h"
#include "runtime/native_fetch.h"
#include "runtime/selector.h"
#include "runtime/ze_devices.h"

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

namespace aotpack::cli {
using nlohmann::json;

namespace {

int deviceIps(bool asJson) {
    if (auto st = initLevelZero(); !st) {
        if (!asJson) return diag::fail(st.error());
        std::cout << "[]\n"; // a variant provider's answer for a machine without a GPU
        return 0;
    }
    std::set<std::uint32_t> ips;
    for (const auto& d : runtime::levelZeroDevices()) {
        std::uint32_t ip = 0;
        if (aotpack_device_ip(d.device, &ip) == AOTPACK_SUCCESS && ip) ips.insert(ip);
    }
    json out = json::array();
    for (auto ip : ips) {
        std::string text = devices::IpVersion::fromValue(ip).str();
        if (asJson)
            out.push_back({{"ip", text}, {"target", targetName(ip)}});
        else
            std::cout << text << "\n";
    }
    if (asJson) std::cout << out.dump(2) << "\n";
    return ips.empty() && !asJson ? static_cast<int>(Errc::NoDevice) : 0;
}

// The IPs `fetch` fetches for: the GPUs here (auto), or the devices named.
Expected<std::set<std::uint32_t>> fetchIps(const std::vector<std::string>& devices) {
    std::set<std::uint32_t> ips;
    if (devices.empty() || (devices.size() == 1 && devices[0] == "auto")) {
        if (auto st = initLevelZero(); !st) return st.error();
        for (const auto& d : runtime::levelZeroDevices())
            if (std::uint32_t ip = 0; aotpack_device_ip(d.device, &ip) == AOTPACK_SUCCESS && ip)
                ips.insert(ip);
        if (ips.empty()) return makeError(Errc::NoDevice, "no GPU with a known IP here");
        return ips;
    }
    for (const auto& d : devices) { // the device language: lists, families, IPs
        auto list = devices::parseDeviceList(devices::Database::builtin(), d);
        if (!list) return makeError(list.error().code, "--device: " + list.error().message);
        for (const auto& t : list->targets)
            ips.insert(t.ip.value());
    }
    return ips;
}

// `aotpack fetch`: a slim archive's natives for these GPUs, into the cache the runtime reads.
int fetchNatives(const std::string& path, const std::vector<std::string>& devices, bool system,
                 bool asJson) {
    auto in = archive::ArchiveReader::openFile(path);
    if (!in) return diag::fail(in.error());
    auto ips = fetchIps(devices);
    if (!ips) return diag::fail(ips.error());
    auto dir = (system ? DiskCache::systemRoot() : DiskCache::defaultRoot()) / "jit";
    auto cache = DiskCache::open(dir, 1ull << 30,
                                 system ? DiskCache::Access::Shared : DiskCache::Access::Private);
    if (!cache) return diag::fail(cache.error());
    std::size_t fetched = 0, spirv = 0, cached = 0, failed = 0, local = 0;
    std::uint64_t bytes = 0;
    for (auto module : in->modules())
        for (auto ip : *ips) { // what the runtime would load: a native, else SPIR-V to JIT
            auto s = runtime::select(*in, module, ip, runtime::Policy::PreferNative);
            bool remote = s.entry && (s.entry->kind == archive::EntryKind::RemoteNative ||
                                      s.entry->kind == archive::EntryKind::RemoteSpirv);
            if (!remote) {
                local += s.entry && s.entry->kind == archive::EntryKind::Native;
                continue;
            }
            auto got = runtime::obtainRemoteNative(*in, *s.entry, &*cache);
            if (!got) {
                ++failed;
                diag::warning(std::string(module) + ": " + got.error().message);
                continue;
            }
            bool isSpirv = s.entry->kind == archive::EntryKind::RemoteSpirv;
            (got->fromCache ? cached : isSpirv ? spirv : fetched) += 1;
            bytes += got->fromCache ? 0 : got->bytes.size();
        }
    if (asJson)
        std::cout << json{{"archive", path},     {"cache", dir.string()},
                          {"fetched", fetched},  {"spirv", spirv},
                          {"bytes", bytes},      {"already_cached", cached},
                          {"in_archive", local}, {"failed", failed}}
                         .dump(2)
                  << "\n";
    else
        std::cout << "fetched " << fetched << " native(s)"
                  << (spirv ? " and " + std::to_string(spirv) + " SPIR-V module(s)" : "") << ", "
                  << humanBytes(bytes) << "; " << cached << " already in " << dir.string() << "; "
                  << local << " in the archive; " << failed << " failed\n";
    return failed ? static_cast<int>(Errc::NotFound) : 0;
}

} // namespace

void addFetchCommand(CommandRegistry& r) {
    auto fetchArchive = std::make_shared<std::string>();
    auto fetchDevices = std::make_shared<std::vector<std::string>>();
    auto fetchSystem = std::make_shared<bool>(false);
    auto fetchJson = std::make_shared<bool>(false);
    auto* fetchSub = r.app.add_subcommand(
        "fetch", "Fetch a slim archive's natives for this machine's GPUs (at install time)");
    fetchSub->add_option("archive", *fetchArchive, "Slim archive (aotpack slim)")->required();
    fetchSub->add_option("--device", *fetchDevices,
                         "auto (the GPUs here, default) or devices/IPs to fetch for (no GPU "
                         "needed: an image for another machine)");
    fetchSub->add_flag("--system", *fetchSystem,
                       "Into the machine-wide cache every user reads (run as root)");
    fetchSub->add_flag("--json", *fetchJson,
                       "Print {archive, cache, fetched, spirv, bytes, already_cached, in_archive, "
                       "failed}");
    fetchSub->footer("Example:\n  aotpack fetch /usr/share/myapp/kernels.aotpack --system\n"
                     "Exit 9 when a native could not be fetched (the program would JIT it).");
    r.add(fetchSub, [fetchArchive, fetchDevices, fetchSystem, fetchJson] {
        return fetchNatives(*fetchArchive, *fetchDevices, *fetchSystem, *fetchJson);
    });
}

void addDeviceIpsCommand(CommandRegistry& r) {
    auto ipsJson = std::make_shared<bool>(false);
    auto* ipsSub = r.app.add_subcommand(
        "device-ips", "The IP versions of this machine's GPUs (what a wheel variant selects on)");
    ipsSub->add_flag("--json", *ipsJson, "Print [{ip, target}] as JSON");
    ipsSub->footer("Example:\n  aotpack device-ips   # 12.60.7: the property intel :: device_ip "
                   ":: 12.60.7 of a PEP 825 wheel variant");
    r.add(ipsSub, [ipsJson] { return deviceIps(*ipsJson); });
}

} // namespace aotpack::cli
