#include "runtime/selector.h"

#include <algorithm>

#include "archive/remote_native.h"
#include "common/text.h"

namespace aotpack::runtime {
using archive::EntryKind;
using devices::IpVersion;

std::optional<Policy> parsePolicy(std::string_view text) {
    if (text == "prefer-native") return Policy::PreferNative;
    if (text == "native-only") return Policy::NativeOnly;
    if (text == "jit-only") return Policy::JitOnly;
    return std::nullopt;
}

const char* policyName(Policy p) {
    switch (p) {
    case Policy::PreferNative:
        return "prefer-native";
    case Policy::NativeOnly:
        return "native-only";
    case Policy::JitOnly:
        return "jit-only";
    }
    return "?";
}

const char* choiceName(Choice c) {
    switch (c) {
    case Choice::NativeExact:
        return "native";
    case Choice::NativeCompatible:
        return "compatible";
    case Choice::Jit:
        return "jit";
    case Choice::None:
        return "none";
    }
    return "?";
}

std::string describeIp(std::uint32_t ip, const devices::Database& db) {
    if (ip == 0) return "unknown"; // a device the database does not know
    auto v = IpVersion::fromValue(ip);
    auto known = db.findIp(v);
    return known ? known->name() + " (" + v.str() + ")" : v.str();
}

static std::string archiveTargets(const archive::ArchiveReader& archive, std::string_view module,
                                  const devices::Database& db) {
    std::vector<std::string> names, remote;
    for (const auto& e : archive.nativeEntries(module))
        names.push_back(describeIp(e.targetIp, db));
    for (const auto& e : archive.entriesOf(module, EntryKind::RemoteNative))
        remote.push_back(describeIp(e.targetIp, db));
    if (!remote.empty()) // a slim archive: its natives are on the server
        names.push_back(join(remote, ", ") + " on the natives server");
    return names.empty() ? "no native binaries" : join(names, ", ");
}

Status findModule(const archive::ArchiveReader& archive, std::string_view module) {
    if (archive::findSpirv(archive, module) || !archive.nativeEntries(module).empty())
        return success();
    if (auto st = archive.checkIndex(); !st) return st;
    return makeError(Errc::NotFound,
                     "module '" + printable(module) + "' is not in '" + archive.name() + "'");
}

Selection select(const archive::ArchiveReader& archive, std::string_view module,
                 std::uint32_t deviceIp, Policy policy, const devices::Database& db) {
    auto spirv = archive::findSpirv(archive, module); // on the server after slim --remote-spirv
    std::string device = deviceIp ? describeIp(deviceIp, db) : "this device";
    if (policy != Policy::JitOnly) {
        if (auto exact = archive.find(module, EntryKind::Native, deviceIp))
            return {Choice::NativeExact, exact, "exact match for " + device};
        for (auto key : db.keysServing(IpVersion::fromValue(deviceIp)))
            if (auto compatible = archive.find(module, EntryKind::Native, key.value()))
                return {Choice::NativeCompatible, compatible,
                        "binary for " + describeIp(key.value(), db) + " serves " + device +
                            " (compatibility table)"};
        // A slim archive's natives live on a server: the same choice, fetched on first use.
        if (auto exact = archive.find(module, EntryKind::RemoteNative, deviceIp))
            return {Choice::NativeExact, exact, "exact match for " + device + ", on the server"};
        for (auto key : db.keysServing(IpVersion::fromValue(deviceIp)))
            if (auto compatible = archive.find(module, EntryKind::RemoteNative, key.value()))
                return {Choice::NativeCompatible, compatible,
                        "binary for " + describeIp(key.value(), db) + " serves " + device +
                            " (compatibility table), on the server"};
    }
    if (policy == Policy::NativeOnly)
        return {Choice::None, std::nullopt,
                "native-only: no binary serves " + device + "; archive has " +
                    archiveTargets(archive, module, db)};
    if (!spirv)
        return {Choice::None, std::nullopt,
                "no binary serves " + device + " and the archive has no SPIR-V for the module"};
    std::string why = policy == Policy::JitOnly ? "policy jit-only"
                                                : "no binary for " + device + " (archive has " +
                                                      archiveTargets(archive, module, db) + ")";
    return {Choice::Jit, spirv, why + "; JIT from SPIR-V"};
}

Selection offlineView(const archive::ArchiveReader& archive, std::string_view module, Selection s,
                      std::uint32_t deviceIp, const devices::Database& db) {
    if (s.choice != Choice::Jit || !s.entry) return s;
    auto device = db.findIp(IpVersion::fromValue(deviceIp));
    if (!device || device->device->fp64 || archive.archiveMeta("fp64_policy") == "poison" ||
        archive.meta(*s.entry, "fp64") != "yes")
        return s;
    return {Choice::None, std::nullopt,
            "module '" + printable(module) + "' uses fp64, which " + describeIp(deviceIp, db) +
                " lacks: its JIT fails there unless the compiler removes every double (build "
                "with --fp64=poison to drop those kernels, or for this target to find out)"};
}

static std::vector<std::string> listedKernels(const archive::ArchiveReader& archive,
                                              const archive::EntryView& e) {
    std::string text(archive.meta(e, "dropped_kernels").value_or(""));
    std::vector<std::string> out;
    for (std::size_t start = 0; start < text.size();) {
        auto comma = text.find(',', start);
        out.push_back(text.substr(start, comma - start));
        start = comma == std::string::npos ? text.size() : comma + 1;
    }
    return out;
}

std::vector<std::string> droppedKernels(const archive::ArchiveReader& archive,
                                        std::string_view module, const Selection& s,
                                        std::uint32_t deviceIp, const devices::Database& db) {
    if (!s.entry) return {};
    if (s.entry->kind != EntryKind::Spirv && s.entry->kind != EntryKind::RemoteSpirv)
        return listedKernels(archive, *s.entry);
    auto device = db.findIp(IpVersion::fromValue(deviceIp));
    if (archive.archiveMeta("fp64_policy") != "poison" || (device && device->device->fp64))
        return {};
    std::vector<std::string> dropped;
    for (const auto& e : archive.nativeEntries(module))
        for (auto& k : listedKernels(archive, e))
            if (std::find(dropped.begin(), dropped.end(), k) == dropped.end()) dropped.push_back(k);
    std::sort(dropped.begin(), dropped.end());
    return dropped;
}

} // namespace aotpack::runtime
