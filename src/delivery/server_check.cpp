#include "delivery/server_check.h"

#include "archive/remote_native.h"
#include "cache/remote_backend.h"

namespace aotpack::delivery {
namespace {

struct Pinned {
    std::vector<std::string> paths;   // cas/<sha256>
    std::vector<std::string> modules; // each path's module, for the message
};

Pinned pinnedOf(const archive::ArchiveReader& slim, archive::EntryKind kind) {
    Pinned out;
    for (const auto& e : slim.entries()) {
        if (e.kind != kind) continue;
        if (auto pin = archive::remoteNative(slim, e)) {
            out.paths.push_back("cas/" + pin->sha256);
            out.modules.emplace_back(e.module);
        }
    }
    return out;
}

// What the server lacks of `pinned`, or why it could not be asked; "" when it holds it all.
std::string checkKind(cache::RemoteBackend& server, const Pinned& pinned) {
    auto answers = server.head(pinned.paths);
    std::size_t missing = 0;
    std::string first;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].outcome == cache::Response::Outcome::Found) continue;
        if (!answers[i].ok()) return "could not be asked (" + answers[i].message + ")";
        if (!missing++) first = pinned.modules[i];
    }
    if (!missing) return "";
    return "lacks " + std::to_string(missing) + " of " + std::to_string(answers.size()) +
           " (module '" + first + "' first)";
}

} // namespace

std::vector<std::string> missingOnServer(const archive::ArchiveReader& slim) {
    auto url = slim.archiveMeta(archive::kNativesUrl);
    if (!url) return {};
    auto config = cache::remoteConfig({std::string(*url), "read-only", 0, ""});
    auto server = config ? cache::openBackend(*config)
                         : Expected<std::unique_ptr<cache::RemoteBackend>>(config.error());
    if (!server) return {"cannot check the natives server: " + server.error().message};
    struct Kind {
        archive::EntryKind kind;
        const char* what;
        const char* publish; // the command that puts them there
    };
    const Kind kinds[] = {
        {archive::EntryKind::RemoteNative, "native binaries", "aotpack publish ARCHIVE --to URL"},
        {archive::EntryKind::RemoteSpirv, "SPIR-V", "aotpack publish ARCHIVE --spirv --to URL"}};
    std::vector<std::string> warnings;
    for (const auto& k : kinds) {
        auto pinned = pinnedOf(slim, k.kind);
        if (pinned.paths.empty()) continue;
        auto problem = checkKind(**server, pinned);
        if (problem.empty()) continue;
        warnings.push_back("'" + slim.name() + "': the natives server " + problem + " of its " +
                           k.what + "; loads that need them " +
                           (k.kind == archive::EntryKind::RemoteSpirv ? "fail" : "JIT") +
                           " until `" + k.publish + "` of the archive it was slimmed from");
    }
    return warnings;
}

} // namespace aotpack::delivery
