#include "toolchain/add.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "net/http.h"

#include <cstdlib>

namespace aotpack::toolchain {

namespace fs = std::filesystem;

static fs::path absolutePath(const fs::path& p) {
    std::error_code ec;
    fs::path out = fs::absolute(p, ec);
    return ec ? p : out;
}

static Expected<AddResult> addFromLock(const ToolchainStore& store, const AddRequest& request,
                                       const devices::Database& db) {
    auto locked = readLock(request.source);
    if (!locked) return locked.error();
    AddResult result;
    for (const auto& t : *locked) {
        TempDir downloads;
        auto debs = fetchLocked(t, store, request.server, downloads.path(), result.fetched);
        if (!debs) return debs.error();
        auto installed = store.install(*debs, t.source, db);
        if (!installed) return installed.error();
        if (installed->id != t.id) // the id is a function of the pinned packages
            return makeError(Errc::BadInput, "'" + request.source + "': the packages of " + t.id +
                                                 " make toolchain " + installed->id);
        result.toolchains.push_back(std::move(*installed));
    }
    return result;
}

Expected<AddResult> addToolchains(const ToolchainStore& store, const AddRequest& request,
                                  const devices::Database& db) {
    auto spec = parseSource(request.source, request.options.mirror);
    if (!spec) return spec.error();
    if (spec->kind == SourceSpec::Kind::LockFile) return addFromLock(store, request, db);
    TempDir downloads;
    auto debs =
        spec->kind == SourceSpec::Kind::Directory
            ? debsInDirectory(spec->path, request.options)
            : fetchFromApt(spec->aptLine, request.options, store.dir() / "apt", downloads.path());
    if (!debs) return debs.error();
    std::string source =
        spec->kind == SourceSpec::Kind::Directory ? absolutePath(spec->path).string() : spec->text;
    if (request.options.legacy && spec->kind != SourceSpec::Kind::Directory) source += " --legacy";
    if (request.options.spirvOnly) source += " --spirv-only";
    if (request.options.translator)
        source += " --translator " + std::to_string(request.options.translator);
    auto installed = store.install(*debs, source, db);
    if (!installed) return installed.error();
    AddResult result;
    result.toolchains.push_back(std::move(*installed));
    return result;
}

static Status makeDirectoryAndWrite(const fs::path& file, ByteView bytes) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    return writeFileAtomic(file, bytes, 0644, Sync::No);
}

// "https://user:secret@host/x" -> "https://host/x": messages never carry credentials.
static std::string withoutUserInfo(std::string url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    auto at = url.find('@', scheme), slash = url.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash))
        url.erase(scheme + 3, at - scheme - 2);
    return url;
}

Expected<std::size_t> publishToolchains(const ToolchainStore& store,
                                        const std::vector<Toolchain>& toolchains,
                                        const std::string& url) {
    if (!url.starts_with("http://") && !url.starts_with("https://") && !url.starts_with("file://"))
        return makeError(Errc::Usage,
                         "'" + withoutUserInfo(url) + "' is not an http(s):// or file:// URL");
    const char* token = std::getenv("AOTPACK_REMOTE_CACHE_TOKEN");
    std::size_t sent = 0;
    for (const auto& t : toolchains)
        for (const auto& p : t.packages) {
            auto bytes = readFile(store.debCache() / (p.sha256 + ".deb"));
            if (!bytes)
                return makeError(Errc::BadInput, "the store has no copy of " + p.name + " " +
                                                     p.version + " of " + t.id +
                                                     " (add the toolchain again)");
            std::string target = url + "/" + serverPathOf(p);
            auto st = url.starts_with("file://") // a shared directory: no HTTP client needed
                          ? makeDirectoryAndWrite(fs::path(target.substr(7)), *bytes)
                          : net::httpPut(target, *bytes, token ? token : "", 15 * 60 * 1000);
            if (!st)
                return makeError(Errc::Output, "cannot upload " + p.name + " to " +
                                                   withoutUserInfo(url) + ": " +
                                                   st.error().message);
            ++sent;
        }
    return sent;
}

} // namespace aotpack::toolchain
