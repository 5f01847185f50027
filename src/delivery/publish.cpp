#include "delivery/publish.h"

#include "cache/remote_backend.h"
#include "crypto/sha256.h"

#include <zstd.h>

#include <algorithm>
#include <map>

namespace aotpack::delivery {

namespace {

// A payload to publish: raw as the driver gets it, and the compressed copy a fetch tries first
// (`cas/<sha256>.zst`).
struct Published {
    Bytes raw, packed;
};

// The compressed copy: the archive's own frame when it is stored with a trained dictionary
// (smaller; a slim archive carries the dictionary, and a reader without it takes the raw file),
// else zstd 19 of the raw bytes. The runtime checks the SHA-256 of what it inflates, so the copy
// needs no trust of its own.
Bytes zstdCopy(const archive::ArchiveReader& archive, const archive::EntryView& e,
               const Bytes& raw) {
    if (archive.blob(e.blob).compression == archive::Compression::ZstdDictionary) {
        ByteView stored = archive.storedPayload(e);
        return Bytes(stored.begin(), stored.end());
    }
    Bytes out(ZSTD_compressBound(raw.size()));
    std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 19);
    out.resize(ZSTD_isError(n) ? 0 : n);
    return out;
}

// The native payloads (and with `spirv` the SPIR-V) by their SHA-256 (identical ones once).
Expected<std::map<std::string, Published>> nativesByDigest(const archive::ArchiveReader& archive,
                                                           bool spirv) {
    std::map<std::string, Published> natives;
    for (const auto& e : archive.entries()) {
        if (e.kind != archive::EntryKind::Native && !(spirv && e.kind == archive::EntryKind::Spirv))
            continue;
        auto raw = archive.payload(e);
        if (!raw) return raw.error();
        std::string digest = sha256Hex(*raw);
        if (natives.count(digest)) continue;
        Bytes packed = zstdCopy(archive, e, *raw);
        natives.emplace(digest, Published{std::move(*raw), std::move(packed)});
    }
    return natives;
}

} // namespace

Expected<PublishReport> publishNatives(const archive::ArchiveReader& archive,
                                       const std::string& url, bool withSpirv) {
    auto config = cache::remoteConfig({url, "read-write", 0, ""});
    if (!config) return config.error();
    auto backend = cache::openBackend(*config);
    if (!backend) return backend.error();
    auto natives = nativesByDigest(archive, withSpirv);
    if (!natives) return natives.error();
    auto entries = archive.entries(); // a copy: one range, not two temporaries
    bool slim = std::any_of(entries.begin(), entries.end(), [](const auto& e) {
        return e.kind == archive::EntryKind::RemoteNative;
    });
    if (slim && !withSpirv)
        return makeError(Errc::Usage, "'" + archive.name() +
                                          "' is a slim archive: its natives are on a server "
                                          "already; publish the archive it was made from");
    std::vector<std::pair<std::string, const Bytes*>> files; // cas/<sha256>[.zst] -> body
    for (const auto& [digest, published] : *natives) {
        files.emplace_back("cas/" + digest, &published.raw);
        files.emplace_back("cas/" + digest + ".zst", &published.packed);
    }
    std::vector<std::string> paths;
    for (const auto& f : files)
        paths.push_back(f.first);
    auto present = (*backend)->head(paths);
    PublishReport report;
    for (std::size_t i = 0; i < files.size(); ++i) {
        bool compressed = files[i].first.ends_with(".zst");
        if (present[i].outcome == cache::Response::Outcome::Found) {
            report.alreadyThere += !compressed;
            continue;
        }
        const Bytes& body = *files[i].second;
        auto put = (*backend)->put(files[i].first, body);
        if (put.outcome != cache::Response::Outcome::Found)
            return makeError(Errc::Output,
                             "cannot publish to " + config->redactedUrl() + ": " + put.message);
        report.uploaded += !compressed;
        report.bytesUploaded += body.size();
    }
    return report;
}

} // namespace aotpack::delivery
