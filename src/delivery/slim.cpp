#include "delivery/slim.h"

#include "archive/tools.h"
#include "common/text.h"
#include "crypto/sha256.h"

namespace aotpack::delivery {

using namespace archive; // the format this writes: readers, writers, entries, metadata keys

namespace {
Bytes toBytes(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

// `e` as an entry of kind `remote` (RemoteNative, RemoteSpirv): its metadata plus the pin.
Status addRemote(const ArchiveReader& in, const EntryView& e, ArchiveWriter& w) {
    auto raw = in.payload(e);
    if (!raw) return raw.error();
    Metadata meta;
    for (const auto& [k, v] : in.metadata(e))
        meta[std::string(k)] = std::string(v);
    meta["sha256"] = sha256Hex(*raw);
    meta["size"] = std::to_string(raw->size());
    bool spirv = e.kind == EntryKind::Spirv;
    auto kind = spirv ? EntryKind::RemoteSpirv : EntryKind::RemoteNative;
    return w.addEntry(std::string(e.module), static_cast<std::uint16_t>(kind), e.targetIp,
                      toBytes(spirv ? remoteSpirvMarker() : remoteNativeMarker()), std::move(meta));
}
} // namespace

Expected<ArchiveWriter> slimArchive(const ArchiveReader& in, const std::string& url,
                                    bool remoteSpirv) {
    if (urlHasCredentials(url))
        return makeError(Errc::Usage, "the natives URL must not carry credentials (they would be "
                                      "written into the archive)");
    bool fetchable =
        (url.starts_with("http://") || url.starts_with("https://") || url.starts_with("file://")) &&
        url.find("://") + 3 < url.size();
    if (!fetchable) // what a runtime could never fetch from is refused now, not at every load
        return makeError(Errc::Usage,
                         "--natives-url '" + url + "' is not an http://, https:// or file:// URL");
    auto remote = [remoteSpirv](const EntryView& e) {
        return e.kind == EntryKind::Native || (remoteSpirv && e.kind == EntryKind::Spirv);
    };
    ArchiveWriter w;
    if (auto st = copyEntriesAsStored(in, w, [&](const EntryView& e) { return !remote(e); }); !st)
        return st.error();
    std::size_t natives = 0;
    for (const auto& e : in.entries()) {
        if (!remote(e)) continue;
        if (auto st = addRemote(in, e, w); !st) return st.error();
        // publish serves it as the frame `in` stores, which this dictionary inflates
        if (in.blob(e.blob).compression == Compression::ZstdDictionary)
            if (auto d = in.dictionary(frameDictionaryId(in.storedPayload(e))))
                w.carryDictionary(*d);
        natives += e.kind == EntryKind::Native;
    }
    if (natives == 0)
        return makeError(Errc::Usage, "'" + in.name() + "' holds no native binaries to slim");
    for (const auto& [k, v] : in.archiveMetadata())
        w.setArchiveMetadata(std::string(k), std::string(v));
    w.setArchiveMetadata(kNativesUrl, url);
    return w;
}

} // namespace aotpack::delivery
