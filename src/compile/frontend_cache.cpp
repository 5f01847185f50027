#include "compile/frontend_cache.h"

#include "common/text.h"
#include "compile/depfile.h"

#include <nlohmann/json.hpp>
#include <regex>

namespace aotpack::compile {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMetaKind = "frontmeta"; // the header list; written last
constexpr const char* kSpirvKind = "frontspv";

std::optional<Hash128> entryKey(const BuildSetup& setup, const BuildCaches& caches,
                                const ModuleInput& in) {
    if (!caches.local || setup.compile.frontend != Frontend::Ocloc) return std::nullopt;
    auto source = readFile(in.path);
    if (!source) return std::nullopt;
    std::error_code ec;
    return Hasher()
        .add("aotpack-frontend-v1")
        .add(hash128(*source).bytes)
        .add(fs::absolute(in.path, ec).parent_path().string())
        .add(setup.compile.clOptions)
        .add(in.options)
        .add(setup.frontendDevice)
        .add(setup.compiler->support().identity)
        .finish();
}

std::string contentHash(const fs::path& file) {
    auto bytes = readFile(file);
    return bytes ? hash128(*bytes).hex() : std::string();
}

bool hasInclude(const fs::path& source) {
    static const std::regex include(R"(^\s*#\s*include)");
    auto text = readTextFile(source);
    if (!text) return true; // unknown: treat as having headers
    for (const auto& line : split(*text, '\n'))
        if (std::regex_search(line, include)) return true;
    return false;
}

// The headers of the modules that include any, by module (absent: they cannot be listed).
std::map<const ModuleInput*, std::set<std::string>>
scanHeaders(const BuildSetup& setup, const std::vector<const ModuleInput*>& modules) {
    std::vector<toolchain::DependencyScan> scans;
    for (const ModuleInput* in : modules)
        scans.push_back(dependencyScan(setup, *in));
    auto found = setup.compiler->listDependencies(scans, setup.jobs);
    std::map<const ModuleInput*, std::set<std::string>> headers;
    for (std::size_t i = 0; i < modules.size(); ++i)
        if (found[i]) headers[modules[i]] = std::move(*found[i]);
    return headers;
}

void store(const DiskCache& cache, const Hash128& key, const fs::path& spirv,
           const std::set<std::string>& headers) {
    nlohmann::json deps = nlohmann::json::array();
    for (const auto& h : headers) {
        std::string hash = contentHash(h);
        if (hash.empty()) return; // a header that cannot be read cannot be checked later
        deps.push_back({h, hash});
    }
    auto bytes = readFile(spirv);
    if (!bytes || !cache.put(key, *bytes, kSpirvKind)) return;
    std::string meta = deps.dump();
    (void)cache.put(key, Bytes(meta.begin(), meta.end()), kMetaKind);
}

} // namespace

std::optional<fs::path> rememberedFrontend(const BuildSetup& setup, const BuildCaches& caches,
                                           const ModuleInput& in, const fs::path& dir) {
    auto key = entryKey(setup, caches, in);
    if (!key) return std::nullopt;
    auto meta = caches.local->get(*key, kMetaKind);
    if (!meta) return std::nullopt;
    auto deps = nlohmann::json::parse(meta->begin(), meta->end(), nullptr, false);
    if (!deps.is_array()) return std::nullopt;
    for (const auto& d : deps)
        if (!d.is_array() || d.size() != 2 || !d[0].is_string() || !d[1].is_string() ||
            contentHash(d[0].get<std::string>()) != d[1].get<std::string>())
            return std::nullopt; // a header changed (or went away)
    auto spirv = caches.local->get(*key, kSpirvKind);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!spirv || !writeFileAtomic(dir / "module.spv", *spirv)) return std::nullopt;
    return dir / "module.spv";
}

void rememberFrontends(const BuildSetup& setup, const BuildCaches& caches,
                       const std::vector<std::pair<const ModuleInput*, fs::path>>& done) {
    struct Pending {
        const ModuleInput* in;
        fs::path spirv;
        Hash128 key;
        bool includes;
    };
    std::vector<Pending> pending; // each source read and hashed once
    std::vector<const ModuleInput*> withHeaders;
    for (const auto& [in, spirv] : done)
        if (auto key = entryKey(setup, caches, *in)) {
            pending.push_back({in, spirv, *key, hasInclude(in->path)});
            if (pending.back().includes) withHeaders.push_back(in);
        }
    auto headers = scanHeaders(setup, withHeaders);
    for (const auto& p : pending) {
        if (!p.includes) {
            store(*caches.local, p.key, p.spirv, {});
        } else if (auto it = headers.find(p.in); it != headers.end()) {
            std::set<std::string> deps = it->second;
            std::error_code ec;
            deps.erase(p.in->path.string());
            deps.erase(fs::absolute(p.in->path, ec).string());
            store(*caches.local, p.key, p.spirv, deps);
        }
    }
}

} // namespace aotpack::compile
