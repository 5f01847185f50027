#include "toolchain/lock.h"

#include "common/file_io.h"
#include "crypto/sha256.h"
#include "net/http.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace aotpack::toolchain {

namespace fs = std::filesystem;
using nlohmann::json;

// A .deb is tens of MB: its own time limit, not the runtime's 2 s for a native.
constexpr long kDebTimeoutMs = 15 * 60 * 1000;

json packagesJson(const std::vector<DebPackage>& packages) {
    json out = json::array();
    for (const auto& p : packages)
        out.push_back({{"name", p.name},
                       {"version", p.version},
                       {"sha256", p.sha256},
                       {"size", p.size},
                       {"url", p.url}});
    return out;
}

json describeJson(const Toolchain& t) {
    return {{"id", t.id},
            {"ocloc_version", t.oclocVersion},
            {"igc_version", t.igcVersion},
            {"source", t.source},
            {"legacy", t.legacy},
            {"spirv_only", t.spirvOnly},
            {"translator_llvm", t.translatorLlvm},
            {"translator_version", t.translatorVersion},
            {"size", t.sizeBytes},
            {"packages", packagesJson(t.packages)}};
}

std::string lockText(const std::vector<Toolchain>& toolchains) {
    json list = json::array();
    for (const auto& t :
         toolchains) // what fetching needs: no sizes or versions of the unpacked tree
        list.push_back({{"id", t.id},
                        {"source", t.source},
                        {"ocloc_version", t.oclocVersion},
                        {"legacy", t.legacy},
                        {"spirv_only", t.spirvOnly},
                        {"translator_llvm", t.translatorLlvm},
                        {"packages", packagesJson(t.packages)}});
    return json{{"format", kLockFormat}, {"toolchains", list}}.dump(2) + "\n";
}

static Expected<Toolchain> lockedToolchain(const json& j, const std::string& where) {
    Toolchain t;
    t.id = j.value("id", "");
    t.source = j.value("source", "");
    t.oclocVersion = j.value("ocloc_version", "");
    t.legacy = j.value("legacy", false);
    t.spirvOnly = j.value("spirv_only", false);
    t.translatorLlvm = j.value("translator_llvm", 0);
    for (const auto& p : j.value("packages", json::array())) {
        DebPackage d{p.value("name", ""), p.value("version", ""), p.value("sha256", ""),
                     p.value("size", std::uint64_t{0}), p.value("url", "")};
        if (d.name.empty() || !isSha256Hex(d.sha256))
            return makeError(Errc::BadInput, where + ": toolchain '" + t.id +
                                                 "' has a package without a name or SHA-256");
        t.packages.push_back(std::move(d));
    }
    if (t.id.empty() || t.packages.empty())
        return makeError(Errc::BadInput, where + ": a toolchain without an id or packages");
    return t;
}

Expected<std::vector<Toolchain>> readLock(const fs::path& file) {
    auto text = readTextFile(file);
    if (!text) return makeError(Errc::BadInput, text.error().message);
    json j = json::parse(*text, nullptr, false);
    std::string where = "'" + file.string() + "'";
    if (!j.is_object() || j.value("format", "") != kLockFormat)
        return makeError(Errc::BadInput,
                         where + " is not an aotpack toolchain lock (format " + kLockFormat + ")");
    std::vector<Toolchain> out;
    for (const auto& t : j.value("toolchains", json::array())) {
        auto locked = lockedToolchain(t, where);
        if (!locked) return locked.error();
        out.push_back(std::move(*locked));
    }
    return out;
}

std::string serverPathOf(const DebPackage& p) {
    return "toolchains/" + p.sha256 + ".deb";
}

// GET one pinned .deb; nothing when it is not there or its bytes are not the pinned ones.
// `token` only for the team's server: it never goes to a package archive.
static std::optional<Bytes> download(const std::string& url, const DebPackage& p,
                                     const std::string& token = "") {
    long status = 0;
    auto bytes = net::httpGet(url, p.size ? p.size : (1ull << 31), status, token, kDebTimeoutMs);
    if (!bytes || sha256Hex(*bytes) != p.sha256) return std::nullopt;
    return std::move(*bytes);
}

Expected<std::vector<LocalDeb>> fetchLocked(const Toolchain& locked, const ToolchainStore& store,
                                            const std::string& server, const fs::path& downloads,
                                            FetchCounts& fetched) {
    std::vector<LocalDeb> out;
    for (const auto& p : locked.packages) {
        fs::path kept = store.debCache() / (p.sha256 + ".deb");
        std::error_code ec;
        if (fs::exists(kept, ec)) { // checked again by the install, like any other
            out.push_back({p, kept});
            ++fetched.store;
            continue;
        }
        std::optional<Bytes> bytes;
        const char* token = std::getenv("AOTPACK_REMOTE_CACHE_TOKEN");
        if (!server.empty() &&
            (bytes = download(server + "/" + serverPathOf(p), p, token ? token : "")))
            ++fetched.server;
        else if (!p.url.empty() && (bytes = download(p.url, p)))
            ++fetched.origin;
        if (!bytes)
            return makeError(Errc::FetchFailed,
                             "cannot fetch " + p.name + " " + p.version + " (SHA-256 " + p.sha256 +
                                 ") of toolchain " + locked.id + ": not in the store" +
                                 (server.empty() ? "" : ", not on " + server) +
                                 (p.url.empty() ? "" : ", and " + p.url + " failed or differs"));
        fs::path file = downloads / (p.sha256 + ".deb");
        if (auto st = writeFileAtomic(file, *bytes, 0644, Sync::No); !st) return st.error();
        out.push_back({p, file});
    }
    return out;
}

} // namespace aotpack::toolchain
