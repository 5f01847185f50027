#include "archive/tools.h"
#include "common/text.h"
#include "devices/database.h"
#include "devices/ip_version.h"

#include <algorithm>

namespace aotpack::archive {

namespace {

// The payload of `e` as `in` stores it, with the dictionary it needs.
CompressedPayload storedForm(const ArchiveReader& in, const EntryView& e) {
    BlobInfo blob = in.blob(e.blob);
    ByteView stored = in.storedPayload(e);
    std::shared_ptr<const Dictionary> dictionary; // payload() found it, so it is there
    if (blob.compression == Compression::ZstdDictionary)
        if (auto d = in.dictionary(frameDictionaryId(stored))) dictionary = *d;
    return {Bytes(stored.begin(), stored.end()),
            blob.rawSize,
            blob.compression,
            blob.rawChecksum,
            0,
            std::move(dictionary)};
}

Status copy(const ArchiveReader& in, ArchiveWriter& out,
            const std::function<bool(const EntryView&)>& keep, bool asStored) {
    for (const auto& e : in.entries()) {
        if (keep && !keep(e)) continue;
        auto payload = in.payload(e);
        if (!payload) return payload.error();
        if (asStored) out.adoptStoredPayload(hash128(*payload), storedForm(in, e));
        Metadata meta;
        for (const auto& [k, v] : in.metadata(e))
            meta[std::string(k)] = std::string(v);
        std::string module(e.module);
        // The kind as it is: one this version does not know stays that kind (FORMAT.md).
        Status st = out.addEntry(module, static_cast<std::uint16_t>(e.kind), e.targetIp,
                                 std::move(*payload), meta);
        if (!st)
            return makeError(st.error().code,
                             st.error().message + " (conflict with '" + in.name() + "')");
    }
    return success();
}

} // namespace

Status copyEntries(const ArchiveReader& in, ArchiveWriter& out,
                   const std::function<bool(const EntryView&)>& keep) {
    return copy(in, out, keep, false);
}

Status copyEntriesAsStored(const ArchiveReader& in, ArchiveWriter& out,
                           const std::function<bool(const EntryView&)>& keep) {
    return copy(in, out, keep, true);
}

RewrittenMetadata rewrittenMetadata(const std::vector<const ArchiveReader*>& inputs,
                                    const std::vector<std::uint32_t>& targets) {
    std::vector<std::string> devices, compilers;
    auto addOnce = [](std::vector<std::string>& list, std::string_view value) {
        if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end())
            list.emplace_back(value);
    };
    for (const auto* in : inputs) {
        for (const auto& item :
             split(std::string(in->archiveMeta("devices.input").value_or("")), ','))
            addOnce(devices, item);
        addOnce(compilers, in->archiveMeta("compiler").value_or(""));
    }
    RewrittenMetadata out;
    if (!inputs.empty()) // keys every input agrees on
        for (const auto& [k, v] : inputs.front()->archiveMetadata())
            if (std::all_of(inputs.begin(), inputs.end(),
                            [key = k, value = v](const auto* in) { // clang: no bindings
                                return in->archiveMeta(key) == value;
                            }))
                out.meta[std::string(k)] = std::string(v);
    std::vector<std::uint32_t> ips(targets);
    std::sort(ips.begin(), ips.end());
    ips.erase(std::unique(ips.begin(), ips.end()), ips.end());
    std::vector<std::string> names;
    for (auto ip : ips)
        names.push_back(devices::targetName(ip));
    out.meta["devices.expanded"] = join(names, ",");
    out.meta["devices.input"] = join(devices, ",");
    out.meta["compiler"] = join(compilers, "; ");
    out.meta["tool"] = "aotpack " AOTPACK_VERSION;
    out.compilersDiffer = compilers.size() > 1;
    return out;
}

// What the filter asks for that the archive does not have: the module or the target, named
// with what there is instead.
static std::string nameOf(std::uint32_t ip) {
    auto v = devices::IpVersion::fromValue(ip);
    auto t = devices::Database::builtin().findIp(v);
    return t ? t->name() + " (" + v.str() + ")" : v.str();
}

static Status missingForFilter(const ArchiveReader& in, const ExtractFilter& filter) {
    auto modules = in.modules();
    if (filter.module &&
        std::find(modules.begin(), modules.end(), *filter.module) == modules.end()) {
        std::vector<std::string> names(modules.begin(), modules.end());
        return makeError(Errc::NotFound, "module '" + *filter.module + "' is not in '" + in.name() +
                                             "' (modules: " + join(names, ", ") + ")");
    }
    auto targets = in.targets();
    if (filter.targetIp &&
        std::find(targets.begin(), targets.end(), *filter.targetIp) == targets.end()) {
        std::vector<std::string> names;
        for (auto ip : targets)
            names.push_back(nameOf(ip));
        return makeError(
            Errc::NotFound,
            "target " + nameOf(*filter.targetIp) + " is not in '" + in.name() +
                "' (targets: " + (names.empty() ? "none, SPIR-V only" : join(names, ", ")) + ")");
    }
    return success();
}

static bool selected(const EntryView& e, const ExtractFilter& filter) {
    if (filter.module && e.module != *filter.module) return false;
    if (e.kind == EntryKind::Spirv) return !filter.targetIp;
    if (e.kind != EntryKind::Native) return false; // a kind this version does not know
    return !filter.targetIp || e.targetIp == *filter.targetIp;
}

Expected<std::vector<std::filesystem::path>>
extract(const ArchiveReader& in, const ExtractFilter& filter, const std::filesystem::path& dir) {
    if (auto st = missingForFilter(in, filter); !st) return st.error(); // before any directory
    auto entries = in.entries();
    if (std::none_of(entries.begin(), entries.end(),
                     [&](const EntryView& e) { return selected(e, filter); }))
        return makeError(Errc::NotFound, "nothing in '" + in.name() + "' matches");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + dir.string() + "': " + ec.message());
    std::vector<std::filesystem::path> written;
    for (const auto& e : entries) {
        if (!selected(e, filter)) continue;
        auto payload = in.payload(e);
        if (!payload) return payload.error();
        std::string name = std::string(e.module) +
                           (e.kind == EntryKind::Spirv
                                ? ".spv"
                                : "." + devices::IpVersion::fromValue(e.targetIp).str() + ".bin");
        // writeFileAtomic renames onto the name: a symlink planted there is replaced, never
        // followed.
        if (auto st = writeFileAtomic(dir / name, *payload); !st) return st.error();
        written.push_back(dir / name);
    }
    return written;
}

} // namespace aotpack::archive
