#include "toolchain/store.h"

#include "cache/disk_cache.h"
#include "common/file_io.h"
#include "common/text.h"
#include "toolchain/compiler_support.h"
#include "toolchain/ocloc_facts.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace aotpack::toolchain {

namespace fs = std::filesystem;
using nlohmann::json;

std::strong_ordering compareVersions(const std::string& a, const std::string& b) {
    auto pa = split(a, '.'), pb = split(b, '.');
    for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        auto x = i < pa.size() ? parseUnsigned(pa[i]).value_or(0) : 0;
        auto y = i < pb.size() ? parseUnsigned(pb[i]).value_or(0) : 0;
        if (x != y) return x <=> y;
    }
    return std::strong_ordering::equal;
}

std::string describeIpRanges(const std::set<std::uint32_t>& ips) {
    std::vector<std::string> ranges;
    auto release = [](std::uint32_t v) { return v >> 22; }; // the major (ip_version.h layout)
    for (auto it = ips.begin(); it != ips.end();) {
        auto last = it;
        for (auto next = std::next(it); next != ips.end() && release(*next) == release(*it); ++next)
            last = next;
        std::string first = devices::IpVersion::fromValue(*it).str();
        ranges.push_back(last == it ? first
                                    : first + "-" + devices::IpVersion::fromValue(*last).str());
        it = std::next(last);
    }
    return join(ranges, ", ");
}

fs::path ToolchainStore::defaultDir() {
    if (const char* dir = std::getenv("AOTPACK_TOOLCHAINS"); dir && *dir) return dir;
    return DiskCache::defaultRoot() / "toolchains";
}

static DebPackage packageOf(const json& j) {
    return {j.value("name", ""), j.value("version", ""), j.value("sha256", ""),
            j.value("size", std::uint64_t{0}), j.value("url", "")};
}

Expected<Toolchain> loadToolchain(const fs::path& dir) {
    auto text = readTextFile(dir / "toolchain.json");
    if (!text) return text.error();
    json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || j.value("format", "") != "aotpack-toolchain/1")
        return makeError(Errc::BadInput, "'" + (dir / "toolchain.json").string() +
                                             "' is not an aotpack toolchain manifest");
    Toolchain t;
    t.id = j.value("id", "");
    t.oclocVersion = j.value("ocloc_version", "");
    t.igcVersion = j.value("igc_version", "");
    t.source = j.value("source", "");
    t.legacy = j.value("legacy", false);
    t.spirvOnly = j.value("spirv_only", false);
    t.translatorLlvm = j.value("translator_llvm", 0);
    t.translatorVersion = j.value("translator_version", "");
    t.sizeBytes = j.value("size", std::uint64_t{0});
    for (const auto& p : j.value("packages", json::array()))
        t.packages.push_back(packageOf(p));
    for (const auto& ip : j.value("ips", json::array()))
        if (ip.is_number_unsigned()) t.ipValues.insert(ip.get<std::uint32_t>());
    t.dir = dir;
    if (t.isTranslator())
        t.translator = dir / "bin" / "llvm-spirv";
    else
        t.ocloc = dir / "bin" / "ocloc";
    t.loader = dir / j.value("loader", "");
    std::vector<std::string> libs;
    for (const auto& l : j.value("library_dirs", json::array()))
        libs.push_back((dir / l.get<std::string>()).string());
    t.libraryPath = join(libs, ":");
    if (auto lib = j.value("libocloc", std::string()); !lib.empty()) t.libocloc = dir / lib;
    return t;
}

// The store's toolchains whose directory names start with `prefix` (not debs/, apt/ or
// temporary directories), newest first by `version` (then by id, for a stable order).
static std::vector<Toolchain> toolchainsIn(const fs::path& dir, const std::string& prefix,
                                           std::string Toolchain::*version) {
    std::vector<Toolchain> out;
    for (const auto& entry : listDirectory(dir))
        if (entry.filename().string().starts_with(prefix))
            if (auto t = loadToolchain(entry)) out.push_back(std::move(*t));
    std::sort(out.begin(), out.end(), [version](const Toolchain& a, const Toolchain& b) {
        auto c = compareVersions(a.*version, b.*version);
        return c != 0 ? c > 0 : a.id < b.id;
    });
    return out;
}

std::vector<Toolchain> ToolchainStore::installed() const {
    return toolchainsIn(dir_, "ocloc-", &Toolchain::oclocVersion);
}

std::vector<Toolchain> ToolchainStore::translators() const {
    return toolchainsIn(dir_, "llvm-spirv-", &Toolchain::translatorVersion);
}

std::vector<Toolchain> ToolchainStore::everything() const {
    auto out = installed();
    for (auto& t : translators())
        out.push_back(std::move(t));
    return out;
}

Expected<Toolchain> ToolchainStore::find(const std::string& choice) const {
    auto all = everything();
    for (const auto& t : all) // an exact id first, then a unique id prefix
        if (t.id == choice) return t;
    std::vector<const Toolchain*> byPrefix;
    for (const auto& t : all)
        if (choice.size() >= 4 && t.id.starts_with(choice)) byPrefix.push_back(&t);
    if (byPrefix.size() == 1) return *byPrefix.front();
    for (const auto& t : all) // newest first: the newest of that version
        if (!t.isTranslator() &&
            (t.oclocVersion == choice || t.oclocVersion.starts_with(choice + ".")))
            return t;
    std::vector<std::string> ids;
    for (const auto& t : all)
        ids.push_back(t.id + (t.isTranslator() ? " (llvm-spirv " + t.translatorVersion + ")"
                                               : " (ocloc " + t.oclocVersion + ")"));
    return makeError(Errc::Usage, "no toolchain '" + choice + "' in " + dir_.string() +
                                      (ids.empty() ? " (it is empty; see aotpack toolchain add)"
                                                   : "; installed: host, " + join(ids, ", ")));
}

// The .debs that some toolchain still uses.
static std::set<std::string> debsInUse(const std::vector<Toolchain>& toolchains) {
    std::set<std::string> used;
    for (const auto& t : toolchains)
        for (const auto& p : t.packages)
            used.insert(p.sha256);
    return used;
}

Status ToolchainStore::remove(const std::string& id) const {
    auto t = find(id);
    if (!t) return t.error();
    // Renamed out of the way first: a build listing the store never sees half a toolchain.
    fs::path trash = dir_ / (".removing-" + t->id + "-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::rename(t->dir, trash, ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot remove toolchain '" + t->dir.string() + "': " + ec.message());
    fs::remove_all(trash, ec);
    auto used = debsInUse(everything());
    for (const auto& p : t->packages)
        if (!used.count(p.sha256)) fs::remove(debCache() / (p.sha256 + ".deb"), ec);
    return success();
}

Expected<Toolchain> hostToolchain(const devices::Database& db, const fs::path& factsStore) {
    auto support = probeCompiler(db, {}, factsStore);
    if (!support) return support.error();
    Toolchain t;
    t.id = kHostToolchainId;
    t.oclocVersion = support->version;
    t.source = "the host's packages";
    t.ocloc = support->ocloc;
    t.ipValues = support->ipValues;
    t.identity = support->identity;
    std::error_code ec;
    t.sizeBytes = fs::file_size(t.ocloc, ec);
    return t;
}

} // namespace aotpack::toolchain
