#include "cli/archive_view.h"

#include "archive/payload_codec.h"
#include "archive/remote_native.h"
#include "archive/shards.h"
#include "cli/table.h"
#include "common/text.h"
#include "devices/device_list.h"

#include <iostream>
#include <map>

namespace aotpack::cli {
using archive::EntryKind;
using nlohmann::json;

Expected<std::uint32_t> singleTargetIp(const std::string& text, const std::string& option) {
    auto list = devices::parseDeviceList(devices::Database::builtin(), text);
    if (!list) return list.error();
    if (list->targets.size() != 1)
        return makeError(Errc::Usage, option + " '" + text + "' must name exactly one device");
    return list->targets[0].ip.value();
}

std::string targetName(std::uint32_t ip) {
    return devices::targetName(ip);
}

static std::string metaOr(const archive::ArchiveReader& in, const archive::EntryView& e,
                          const char* key) {
    return std::string(in.meta(e, key).value_or(""));
}

// How an entry's payload is stored: its bytes in the archive and the compression.
static json storedJson(const archive::ArchiveReader& in, const archive::EntryView& e) {
    auto blob = in.blob(e.blob);
    return {{"bytes", blob.storedSize},
            {"raw_bytes", blob.rawSize},
            {"compression", archive::compressionName(blob.compression)}};
}

namespace {
// A slim archive's natives (format 1.3), by module: `list` shows them beside the local ones.
std::map<std::string_view, std::vector<archive::EntryView>>
remoteNatives(const archive::ArchiveReader& in) {
    std::map<std::string_view, std::vector<archive::EntryView>> out;
    for (const auto& e : in.entries())
        if (e.kind == EntryKind::RemoteNative) out[e.module].push_back(e);
    return out;
}
} // namespace

void addSplitByOption(CLI::App* sub, std::string& by, const char* unit) {
    sub->add_option("--by", by,
                    std::string("target: a ") + unit +
                        " per target; compat: targets whose "
                        "binaries serve each other (the device database's compat lines) share a " +
                        unit)
        ->check(CLI::IsMember({"target", "compat"}));
}

delivery::SplitBy splitBy(const std::string& by) {
    return by == "compat" ? delivery::SplitBy::Compat : delivery::SplitBy::Target;
}

json listJson(const archive::ArchiveReader& in) {
    json out = {{"archive", in.name()},     {"format", "1." + std::to_string(in.minorVersion())},
                {"bytes", in.fileSize()},   {"metadata", json::object()},
                {"targets", json::array()}, {"modules", json::array()}};
    for (const auto& [k, v] : in.archiveMetadata())
        out["metadata"][std::string(k)] = v;
    for (auto ip : in.targets())
        out["targets"].push_back(
            {{"name", targetName(ip)}, {"ip", devices::IpVersion::fromValue(ip).str()}});
    auto remote = remoteNatives(in);
    for (auto module : in.modules()) {
        json m = {{"name", module}, {"binaries", json::array()}};
        if (auto s = archive::findSpirv(in, module)) {
            m["spirv"] = {{"entry_points", split(metaOr(in, *s, "entry_points"), ',')},
                          {"options", metaOr(in, *s, "options")},
                          {"stored", storedJson(in, *s)}};
            if (s->kind == EntryKind::RemoteSpirv) m["spirv"]["on_server"] = true;
        }
        for (const auto& e : in.nativeEntries(module)) {
            json b = {{"target", targetName(e.targetIp)},
                      {"ip", devices::IpVersion::fromValue(e.targetIp).str()}};
            for (const auto& [k, v] : in.metadata(e))
                b[std::string(k)] = v;
            b["stored"] = storedJson(in, e);
            m["binaries"].push_back(b);
        }
        for (const auto& e : remote[module]) {
            json b = {{"target", targetName(e.targetIp)},
                      {"ip", devices::IpVersion::fromValue(e.targetIp).str()},
                      {"remote", true}};
            for (const auto& [k, v] : in.metadata(e))
                b[std::string(k)] = v;
            m["binaries"].push_back(b);
        }
        out["modules"].push_back(m);
    }
    return out;
}

void printList(const archive::ArchiveReader& in) {
    std::map<std::string, std::string> meta;
    for (const auto& [k, v] : in.archiveMetadata())
        meta[std::string(k)] = std::string(v);
    std::cout << "archive: " << printable(in.name()) << " (format 1." << in.minorVersion() << ", "
              << humanBytes(in.fileSize()) << ")\ndevices: " << printable(meta["devices.input"])
              << " -> "
              << (meta["devices.expanded"].empty() ? std::string("none (SPIR-V only)")
                                                   : printable(meta["devices.expanded"]))
              << "\ncompiler: " << printable(meta["compiler"]) << "\n";
    if (!meta["missing"].empty())
        std::cout << "missing (not built: failed, or --skip-unsupported): "
                  << printable(meta["missing"]) << "\n";
    if (auto shard = archive::shardInfo(in); shard && *shard)
        std::cout << "shard: " << (*shard)->index << " of " << (*shard)->count
                  << " (a partial archive: 'aotpack merge' all " << (*shard)->count
                  << " shards into the build's archive)\n";
    std::cout << "\n";
    Table table({"MODULE", "SPIR-V", "TARGETS", "KERNELS"});
    auto remote = remoteNatives(in);
    for (auto module : in.modules()) {
        std::vector<std::string> targets;
        for (const auto& e : remote[module])
            targets.push_back(targetName(e.targetIp) + " (on the server)");
        for (const auto& e : in.nativeEntries(module)) {
            std::string t = targetName(e.targetIp);
            if (auto dropped = in.meta(e, "dropped_kernels"))
                t += " (without " + std::string(*dropped) + ")";
            targets.push_back(t);
        }
        auto s = archive::findSpirv(in, module);
        std::string spirv = !s ? "no" : s->kind == EntryKind::RemoteSpirv ? "on the server" : "yes";
        table.add({std::string(module), spirv, targets.empty() ? "-" : join(targets, ","),
                   s ? metaOr(in, *s, "entry_points") : ""});
    }
    table.print(std::cout);
}

namespace {
struct Sizes {
    std::uint64_t stored = 0, raw = 0;
};
} // namespace

json sizeJson(const archive::ArchiveReader& in) {
    std::map<std::string, Sizes> perTarget, perModule;
    Sizes total, spirv, logical;
    std::vector<bool> seen(in.blobCount(), false);
    for (const auto& e : in.entries()) {
        auto b = in.blob(e.blob);
        logical.raw += b.rawSize;
        logical.stored += b.storedSize;
        std::string target = e.kind == EntryKind::Spirv        ? "spirv"
                             : e.kind == EntryKind::Native     ? targetName(e.targetIp)
                             : e.kind == EntryKind::Dictionary ? "dictionaries"
                                                               : "other kinds"; // not targets
        std::string module =
            e.kind == EntryKind::Dictionary ? "(dictionaries)" : std::string(e.module);
        for (auto* s : {&perTarget[target], &perModule[module]}) {
            s->stored += b.storedSize;
            s->raw += b.rawSize;
        }
        if (seen[e.blob]) continue; // stored once: counts once in the totals
        seen[e.blob] = true;
        total.stored += b.storedSize;
        total.raw += b.rawSize;
        if (e.kind == EntryKind::Spirv) spirv.stored += b.storedSize;
    }
    auto toJson = [](const std::map<std::string, Sizes>& m) {
        json j = json::object();
        for (const auto& [k, s] : m)
            j[k] = {{"stored", s.stored}, {"raw", s.raw}};
        return j;
    };
    return {{"file_bytes", in.fileSize()},
            {"payload_stored", total.stored},
            {"payload_raw", total.raw},
            {"spirv_stored", spirv.stored},
            {"spirv_share", total.stored ? double(spirv.stored) / double(total.stored) : 0.0},
            {"dedup_saved_stored", logical.stored - total.stored},
            {"per_target", toJson(perTarget)},
            {"per_module", toJson(perModule)}};
}

void printSize(const archive::ArchiveReader& in) {
    json s = sizeJson(in);
    auto row = [](const std::string& name, const json& v) {
        std::uint64_t stored = v["stored"], raw = v["raw"];
        char ratio[16];
        std::snprintf(ratio, sizeof ratio, "%.2f", raw ? double(stored) / double(raw) : 0.0);
        return std::vector<std::string>{name, humanBytes(stored), humanBytes(raw), ratio};
    };
    std::cout << "file: " << humanBytes(s["file_bytes"]) << ", payloads "
              << humanBytes(s["payload_stored"]) << " stored / " << humanBytes(s["payload_raw"])
              << " raw; SPIR-V " << static_cast<int>(double(s["spirv_share"]) * 100)
              << "% of stored; deduplication saved " << humanBytes(s["dedup_saved_stored"])
              << "\n\n";
    Table targets({"TARGET", "STORED", "RAW", "RATIO"});
    for (const auto& [k, v] : s["per_target"].items())
        targets.add(row(k, v));
    targets.print(std::cout);
    std::cout << "\n";
    Table modules({"MODULE", "STORED", "RAW", "RATIO"});
    for (const auto& [k, v] : s["per_module"].items())
        modules.add(row(k, v));
    modules.print(std::cout);
}

} // namespace aotpack::cli
