#include "delivery/publish.h"

#include "cache/remote_backend.h"
#include "common/sha256.h"

#include <zstd.h>

#include <map>

namespace aotpack::delivery {

namespace {

// The native payloads (and with `spirv` the SPIR-V) by their SHA-256 (identical ones once), raw
// as the driver gets them.
Expected<std::map<std::string, Bytes>> nativesByDigest(const archive::ArchiveReader& archive,
                                                       bool spirv) {
    std::map<std::string, Bytes> natives;
    for (const auto& e : archive.entries()) {
        if (e.kind != archive::EntryKind::Native && !(spirv && e.kind == archive::EntryKind::Spirv))
            continue;
        auto raw = archive.payload(e);
        if (!raw) return raw.error();
        natives.emplace(sha256Hex(*raw), std::move(*raw));
    }
    return natives;
}

// The compressed copy a fetch tries first (`cas/<sha256>.zst`): zebins are ~3-4x smaller in zstd,
// and the runtime checks the SHA-256 of what it inflates, so the copy needs no trust of its own.
Bytes zstdCopy(const Bytes& raw) {
    Bytes out(ZSTD_compressBound(raw.size()));
    std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 19);
    out.resize(ZSTD_isError(n) ? 0 : n);
    return out;
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
    std::vector<std::pair<std::string, const Bytes*>> files; // cas/<sha256>[.zst] -> raw bytes
    for (const auto& [digest, bytes] : *natives) {
        files.emplace_back("cas/" + digest, &bytes);
        files.emplace_back("cas/" + digest + ".zst", &bytes);
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
        Bytes body = compressed ? zstdCopy(*files[i].second) : *files[i].second;
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
