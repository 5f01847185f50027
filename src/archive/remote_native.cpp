#include "archive/remote_native.h"

#include "common/text.h"

namespace aotpack::archive {

namespace {
constexpr std::string_view kStubPrefix = "aotpack remote native: sha256 ";
}

std::string remoteNativeStub(const RemoteNative& native) {
    return std::string(kStubPrefix) + native.sha256 + " size " + std::to_string(native.size) + "\n";
}

// The payload is what a signature covers, so the digest is read from it, not from the
// metadata copy `list` shows.
Expected<RemoteNative> remoteNative(const ArchiveReader& archive, const EntryView& entry) {
    auto bad = [&] {
        return makeError(Errc::BadArchive, "'" + archive.name() + "': the remote native of '" +
                                               printable(entry.module) +
                                               "' does not name a SHA-256 and a size");
    };
    auto payload = archive.payload(entry);
    if (!payload) return payload.error();
    std::string_view text(reinterpret_cast<const char*>(payload->data()), payload->size());
    if (!text.starts_with(kStubPrefix) || !text.ends_with("\n")) return bad();
    text.remove_prefix(kStubPrefix.size());
    text.remove_suffix(1);
    auto space = text.find(" size ");
    if (space != 64) return bad();
    std::string_view digest = text.substr(0, 64);
    auto size = parseUnsigned(text.substr(64 + 6));
    if (!size || digest.find_first_not_of("0123456789abcdef") != std::string_view::npos)
        return bad();
    return RemoteNative{std::string(digest), *size};
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
