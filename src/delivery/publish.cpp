#include "delivery/publish.h"

#include "cache/remote_backend.h"
#include "common/sha256.h"

#include <map>

namespace aotpack::delivery {

namespace {

// The native payloads by their SHA-256 (identical binaries once), raw as the driver gets them.
Expected<std::map<std::string, Bytes>> nativesByDigest(const archive::ArchiveReader& archive) {
    std::map<std::string, Bytes> natives;
    for (const auto& e : archive.entries()) {
        if (e.kind != archive::EntryKind::Native) continue;
        auto raw = archive.payload(e);
        if (!raw) return raw.error();
        natives.emplace(sha256Hex(*raw), std::move(*raw));
    }
    return natives;
}

} // namespace

Expected<PublishReport> publishNatives(const archive::ArchiveReader& archive,
                                       const std::string& url) {
    auto config = cache::remoteConfig({url, "read-write", 0, ""});
    if (!config) return config.error();
    auto backend = cache::openBackend(*config);
    if (!backend) return backend.error();
    auto natives = nativesByDigest(archive);
    if (!natives) return natives.error();
    std::vector<std::string> paths;
    for (const auto& [digest, bytes] : *natives)
        paths.push_back("cas/" + digest);
    auto present = (*backend)->head(paths);
    PublishReport report;
    std::size_t i = 0;
    for (const auto& [digest, bytes] : *natives) {
        const auto& known = present[i++];
        if (known.outcome == cache::Response::Outcome::Found) {
            ++report.alreadyThere;
            continue;
        }
        auto put = (*backend)->put("cas/" + digest, bytes);
        if (put.outcome != cache::Response::Outcome::Found)
            return makeError(Errc::Output,
                             "cannot publish to " + config->redactedUrl() + ": " + put.message);
        ++report.uploaded;
        report.bytesUploaded += bytes.size();
    }
    return report;
}

} // namespace aotpack::delivery
