#include "runtime/native_fetch.h"

#include "archive/payload_codec.h"
#include "common/hash.h"
#include "common/text.h"
#include "crypto/sha256.h"

#include "net/http.h"

#include <zstd.h>

namespace aotpack::runtime {

namespace {

// A compressed copy: one zstd frame, made with one of the archive's trained dictionaries when it
// names one (what `publish` serves for payloads the archive stores that way). NotFound: the
// archive does not carry that dictionary (the copy was published from another build).
Expected<Bytes> inflate(const archive::ArchiveReader& archive, const Bytes& packed,
                        std::uint64_t size) {
    std::shared_ptr<const archive::Dictionary> dictionary;
    if (std::uint32_t id = archive::frameDictionaryId(packed)) {
        auto found = archive.dictionary(id);
        if (!found) return found.error();
        dictionary = *found;
    }
    auto raw = archive::decompressPayload(
        packed, dictionary ? archive::Compression::ZstdDictionary : archive::Compression::Zstd,
        size, dictionary.get());
    if (!raw)
        return makeError(Errc::BadInput, "the bytes are not the ones the archive pins (a "
                                         "compressed copy that does not inflate to " +
                                             std::to_string(size) + " bytes)");
    return raw;
}

// `url`.zst (what `aotpack publish` also writes: ~3-4x smaller), else `url` when the server has
// no compressed copy (404) or one this archive cannot inflate (another build's dictionary).
Expected<Bytes> downloadNative(const archive::ArchiveReader& archive, const std::string& url,
                               std::uint64_t size) {
    long status = 0;
    auto packed = net::httpGet(url + ".zst", ZSTD_compressBound(size), status);
    if (!packed && status == 404) return net::httpGet(url, size, status);
    if (!packed) return packed;
    auto raw = inflate(archive, *packed, size);
    if (!raw && raw.error().code == Errc::NotFound) return net::httpGet(url, size, status);
    return raw;
}

Hash128 cacheKey(const archive::RemoteNative& native) {
    return Hasher().add("aotpack-fetched-v1").add(native.sha256).finish();
}

} // namespace

Expected<FetchedNative> obtainRemoteNative(const archive::ArchiveReader& archive,
                                           const archive::EntryView& entry, const DiskCache* cache,
                                           const DiskCache* readOnly) {
    auto native = archive::remoteNative(archive, entry);
    if (!native) return native.error();
    for (const DiskCache* c : {cache, readOnly})
        if (auto hit = c ? c->map(cacheKey(*native), "fetched") : std::nullopt;
            hit && hit->data.size() == native->size)
            return FetchedNative{Bytes(hit->data.begin(), hit->data.end()), true};
    const char* mirror = std::getenv("AOTPACK_NATIVES_URL");
    auto base = mirror && *mirror ? std::optional<std::string_view>(mirror)
                                  : archive.archiveMeta(archive::kNativesUrl);
    if (!base || base->empty())
        return makeError(Errc::NotFound, "the archive names no natives server");
    std::string url = archive::remoteNativeUrl(std::string(*base), *native);
    // A mirror's URL may carry a token: messages then name the file only.
    std::string shown = archive::urlHasCredentials(url) ? "cas/" + native->sha256 : url;
    auto bytes = downloadNative(archive, url, native->size);
    if (!bytes) return makeError(bytes.error().code, shown + ": " + bytes.error().message);
    if (bytes->size() != native->size || sha256Hex(*bytes) != native->sha256)
        return makeError(Errc::BadInput, shown + ": the bytes are not the ones the archive pins (" +
                                             std::to_string(bytes->size()) + " bytes, SHA-256 " +
                                             sha256Hex(*bytes).substr(0, 12) + "...)");
    if (cache) (void)cache->put(cacheKey(*native), *bytes, "fetched"); // verified bytes only
    return FetchedNative{std::move(*bytes), false};
}

} // namespace aotpack::runtime
