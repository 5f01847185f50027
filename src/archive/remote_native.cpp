#include "archive/remote_native.h"

#include "common/text.h"

namespace aotpack::archive {

std::string remoteNativeMarker() {
    return "aotpack remote native: its sha256 and size are in the entry's metadata\n";
}

std::string remoteSpirvMarker() {
    return "aotpack remote SPIR-V: its sha256 and size are in the entry's metadata\n";
}

std::optional<EntryView> findSpirv(const ArchiveReader& archive, std::string_view module) {
    if (auto local = archive.find(module, EntryKind::Spirv)) return local;
    return archive.find(module, EntryKind::RemoteSpirv);
}

// The metadata is what a signature covers too (archive/signing.h, entryDigest), so the pin
// lives there and every remote entry shares one small payload.
Expected<RemoteNative> remoteNative(const ArchiveReader& archive, const EntryView& entry) {
    auto digest = archive.meta(entry, "sha256");
    auto size = archive.meta(entry, "size");
    auto bytes = size ? parseUnsigned(*size) : std::nullopt;
    bool hex = digest && digest->size() == 64 &&
               digest->find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (!hex || !bytes)
        return makeError(Errc::BadArchive, "'" + archive.name() + "': the remote entry of '" +
                                               printable(entry.module) +
                                               "' does not name a SHA-256 and a size");
    return RemoteNative{std::string(*digest), *bytes};
}

std::string remoteNativeUrl(const std::string& baseUrl, const RemoteNative& native) {
    std::string base = baseUrl;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base + "/cas/" + native.sha256;
}

bool urlHasCredentials(std::string_view url) {
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return false;
    auto host = url.substr(scheme + 3);
    return host.substr(0, host.find('/')).find('@') != std::string_view::npos;
}

} // namespace aotpack::archive
