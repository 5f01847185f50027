#include "archive/slim.h"

#include "archive/tools.h"
#include "common/sha256.h"
#include "common/text.h"

namespace aotpack::archive {

namespace {
Bytes toBytes(const std::string& text) {
    return Bytes(text.begin(), text.end());
}
} // namespace

Expected<ArchiveWriter> slimArchive(const ArchiveReader& in, const std::string& url) {
    if (urlHasCredentials(url))
        return makeError(Errc::Usage, "the natives URL must not carry credentials (they would be "
                                      "written into the archive)");
    ArchiveWriter w;
    auto local = [](const EntryView& e) { return e.kind != EntryKind::Native; };
    if (auto st = copyEntries(in, w, local); !st) return st.error();
    adoptStoredPayloads(in, w);
    std::size_t natives = 0;
    for (const auto& e : in.entries()) {
        if (e.kind != EntryKind::Native) continue;
        auto raw = in.payload(e);
        if (!raw) return raw.error();
        RemoteNative native{sha256Hex(*raw), raw->size()};
        Metadata meta;
        for (const auto& [k, v] : in.metadata(e))
            meta[std::string(k)] = std::string(v);
        meta["sha256"] = native.sha256;
        meta["size"] = std::to_string(native.size);
        if (auto st = w.addEntry(std::string(e.module),
                                 static_cast<std::uint16_t>(EntryKind::RemoteNative), e.targetIp,
                                 toBytes(remoteNativeMarker()), std::move(meta));
            !st)
            return st.error();
        ++natives;
    }
    if (natives == 0)
        return makeError(Errc::Usage, "'" + in.name() + "' holds no native binaries to slim");
    for (const auto& [k, v] : in.archiveMetadata())
        w.setArchiveMetadata(std::string(k), std::string(v));
    w.setArchiveMetadata(kNativesUrl, url);
    return w;
}

} // namespace aotpack::archive
