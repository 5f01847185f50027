#include "archive/tools.h"
#include "common/text.h"
#include "devices/ip_version.h"

namespace aotpack::archive {

Status copyEntries(const ArchiveReader& in, ArchiveWriter& out,
                   const std::function<bool(const EntryView&)>& keep) {
    for (const auto& e : in.entries()) {
        if (keep && !keep(e)) continue;
        auto payload = in.payload(e);
        if (!payload) return payload.error();
        Metadata meta;
        for (const auto& [k, v] : in.metadata(e))
            meta[std::string(k)] = std::string(v);
        std::string module(e.module);
        Status st = e.kind == EntryKind::Spirv
                        ? out.addSpirv(module, std::move(*payload), meta)
                        : out.addNative(module, e.targetIp, std::move(*payload), meta);
        if (!st)
            return makeError(st.error().code,
                             st.error().message + " (conflict with '" + in.name() + "')");
    }
    return success();
}

Expected<std::vector<std::filesystem::path>>
extract(const ArchiveReader& in, const ExtractFilter& filter, const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + dir.string() + "': " + ec.message());
    std::vector<std::filesystem::path> written;
    for (const auto& e : in.entries()) {
        if (filter.module && e.module != *filter.module) continue;
        if (e.kind == EntryKind::Spirv && filter.targetIp) continue;
        if (e.kind == EntryKind::Native && filter.targetIp && e.targetIp != *filter.targetIp)
            continue;
        if (e.kind != EntryKind::Spirv && e.kind != EntryKind::Native) continue;
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
    if (written.empty()) return makeError(Errc::NotFound, "nothing in '" + in.name() + "' matches");
    return written;
}

} // namespace aotpack::archive
