#include "cache/remote_store.h"

#include "cache/action_result.h"
#include "crypto/sha256.h"

#include <algorithm>
#include <set>

namespace aotpack::cache {

constexpr const char* kHmacPrefix = "aotpack-hmac-sha256:";

std::string actionPath(const Hash128& key) {
    return "ac/" + sha256Hex("aotpack-ac-v1:" + key.hex());
}

static std::string blobPath(const BlobDigest& d) {
    return "cas/" + d.sha256;
}

// HMAC-SHA256 under the shared key of what a record says: its path (so a record cannot be moved
// to another job's key) and every output's name and digest.
static std::string recordHmac(const std::string& key, const std::string& path,
                              const std::vector<OutputRecord>& outputs) {
    std::string text = "aotpack-ac-hmac-v1\n" + path + "\n";
    for (const auto& o : outputs)
        text += o.name + '\0' + o.digest.sha256 + '\0' + std::to_string(o.digest.size) + "\n";
    return kHmacPrefix + toHex(hmacSha256(key, text));
}

RemoteStore::RemoteStore(RemoteConfig config, std::unique_ptr<RemoteBackend> backend, Warn warn)
    : config_(std::move(config)), backend_(std::move(backend)), warn_(std::move(warn)) {}

void RemoteStore::noteFailure(const Response& r) {
    ++errors_;
    if (r.outcome == Response::Outcome::TimedOut) ++timeouts_;
    if (++failuresInARow_ >= kFailuresToMarkDown && !down_.exchange(true))
        warn_("remote cache " + config_.redactedUrl() + " is not answering (" + r.message +
              "); not used for the rest of this build");
}

void RemoteStore::noteCorrupt(const std::string& what) {
    ++corrupt_;
    if (!warnedCorrupt_.exchange(true))
        warn_("remote cache " + config_.redactedUrl() + ": " + what +
              "; rejected (further rejections are only counted)");
}

std::vector<std::vector<OutputRecord>> RemoteStore::records(std::span<const Hash128> keys,
                                                            std::span<const std::string> names) {
    std::vector<std::string> paths;
    for (const auto& key : keys)
        paths.push_back(actionPath(key));
    auto responses = backend_->get(paths);
    std::vector<std::vector<OutputRecord>> found(keys.size()); // empty: no usable record
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const Response& r = responses[i];
        if (!r.ok())
            noteFailure(r);
        else
            noteSuccess();
        if (r.outcome != Response::Outcome::Found) continue;
        auto record = decodeActionResult(r.body);
        auto hasOutput = [&](const std::string& name) {
            return std::any_of(record->begin(), record->end(),
                               [&](const OutputRecord& o) { return o.name == name; });
        };
        if (!record || !std::all_of(names.begin(), names.end(), hasOutput)) {
            noteCorrupt("record " + paths[i] + " does not parse or lacks an output");
            continue;
        }
        if (config_.verifyHmac &&
            !equalInConstantTime(actionResultWorker(r.body),
                                 recordHmac(config_.hmacKey, paths[i], *record))) {
            ++unverified_; // a miss: compiled here, and the record is never used
            if (!warnedUnverified_.exchange(true))
                warn_("remote cache " + config_.redactedUrl() +
                      ": a record without a valid HMAC was not used (--remote-cache-verify "
                      "hmac; further ones are only counted)");
            continue;
        }
        found[i] = std::move(*record);
    }
    return found;
}

std::map<std::string, Bytes> RemoteStore::blobs(const std::vector<BlobDigest>& wanted) {
    std::vector<std::string> paths;
    for (const auto& d : wanted)
        paths.push_back(blobPath(d));
    auto responses = backend_->get(paths);
    std::map<std::string, Bytes> verified;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        Response& r = responses[i];
        if (!r.ok())
            noteFailure(r);
        else
            noteSuccess();
        if (r.outcome != Response::Outcome::Found) continue;
        if (r.body.size() != wanted[i].size || sha256Hex(r.body) != wanted[i].sha256) {
            noteCorrupt("blob " + paths[i] + " does not match its digest");
            continue;
        }
        verified.emplace(wanted[i].sha256, std::move(r.body));
    }
    return verified;
}

std::vector<std::optional<Outputs>> RemoteStore::get(std::span<const Hash128> keys,
                                                     std::span<const std::string> names) {
    std::vector<std::optional<Outputs>> found(keys.size());
    if (down_ || keys.empty()) {
        misses_ += keys.size();
        return found;
    }
    auto recs = records(keys, names);
    std::set<std::pair<std::string, std::uint64_t>> seen;
    std::vector<BlobDigest> wanted;
    for (const auto& rec : recs)
        for (const auto& o : rec)
            if (o.digest.size && seen.emplace(o.digest.sha256, o.digest.size).second)
                wanted.push_back(o.digest);
    auto bytes = down_ ? std::map<std::string, Bytes>{} : blobs(wanted);
    static const std::string kEmptyBlob = sha256Hex(ByteView());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        Outputs outputs;
        for (const auto& o : recs[i]) {
            if (std::find(names.begin(), names.end(), o.name) == names.end()) continue;
            auto it = bytes.find(o.digest.sha256);
            if (o.digest.size == 0 && o.digest.sha256 == kEmptyBlob)
                outputs[o.name] = {};
            else if (it != bytes.end())
                outputs[o.name] = it->second;
        }
        if (outputs.size() == names.size()) found[i] = std::move(outputs);
        ++(found[i] ? hits_ : misses_);
    }
    return found;
}

std::vector<bool> RemoteStore::contains(std::span<const Hash128> keys) {
    std::vector<bool> present(keys.size(), false);
    if (down_) return present;
    std::vector<std::string> paths;
    for (const auto& key : keys)
        paths.push_back(actionPath(key));
    auto responses = backend_->head(paths);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (!responses[i].ok()) noteFailure(responses[i]);
        present[i] = responses[i].outcome == Response::Outcome::Found;
    }
    return present;
}

void RemoteStore::put(const Hash128& key, const Outputs& outputs) {
    // Without the key a verifying build writes nothing: its records could not be told apart from
    // a forger's (remote_config makes that a usage error; this is the second line).
    if (config_.mode == RemoteMode::ReadOnly || down_ ||
        (config_.verifyHmac && config_.hmacKey.empty()))
        return;
    std::vector<OutputRecord> record;
    for (const auto& [name, bytes] : outputs) {
        BlobDigest digest{sha256Hex(bytes), bytes.size()};
        record.push_back({name, digest});
        if (bytes.empty()) continue; // the empty blob is implied (Bazel never uploads it)
        if (auto r = backend_->put(blobPath(digest), bytes); !r.ok()) {
            ++uploadErrors_;
            return noteFailure(r);
        }
    }
    std::string path = actionPath(key);
    std::string mac = config_.hmacKey.empty() ? "" : recordHmac(config_.hmacKey, path, record);
    if (auto r = backend_->put(path, encodeActionResult(record, mac)); !r.ok()) {
        ++uploadErrors_;
        return noteFailure(r);
    }
    noteSuccess();
    ++uploads_;
}

RemoteStats RemoteStore::stats() const {
    RemoteStats s;
    s.hits = hits_;
    s.misses = misses_;
    s.errors = errors_;
    s.timeouts = timeouts_;
    s.corrupt = corrupt_;
    s.unverified = unverified_;
    s.uploads = uploads_;
    s.uploadErrors = uploadErrors_;
    s.uploadsAbandoned = abandoned_;
    s.bytesDown = backend_->bytesDown();
    s.bytesUp = backend_->bytesUp();
    s.down = down_;
    return s;
}

Counters toCounters(const RemoteStats& s) {
    return {{"hits", s.hits},
            {"misses", s.misses},
            {"errors", s.errors},
            {"timeouts", s.timeouts},
            {"corrupt", s.corrupt},
            {"unverified", s.unverified},
            {"uploads", s.uploads},
            {"upload_errors", s.uploadErrors},
            {"uploads_abandoned", s.uploadsAbandoned},
            {"bytes_down", s.bytesDown},
            {"bytes_up", s.bytesUp}};
}

Expected<std::unique_ptr<RemoteStore>> openRemoteStore(const RemoteConfig& config, Warn warn) {
    if (!config.enabled()) return std::unique_ptr<RemoteStore>();
    auto backend = openBackend(config);
    if (!backend) return backend.error();
    return std::make_unique<RemoteStore>(config, std::move(*backend), std::move(warn));
}

} // namespace aotpack::cache
