// A RemoteNative entry (format 1.3, docs/FORMAT.md): a native binary kept on a server, pinned by
// its SHA-256 and size, fetched from `<natives.url>/cas/<sha256>` (delivery/slim.h writes them;
// the runtime and replay fetch them). A RemoteSpirv entry (1.4, `slim --remote-spirv`) is the
// same for a module's SPIR-V. Reader side: linked into libaotpack_rt.
#pragma once

#include "archive/reader.h"

#include <string>

namespace aotpack::archive {

inline constexpr const char* kNativesUrl = "natives.url"; // archive metadata: the server

struct RemoteNative {
    std::string sha256; // 64 lowercase hex digits
    std::uint64_t size = 0;
};

// The payload every RemoteNative (RemoteSpirv) entry shares (one blob): a marker for whoever
// dumps it.
std::string remoteNativeMarker();
std::string remoteSpirvMarker();

// The module's SPIR-V entry: in the archive, else on the server (RemoteSpirv).
std::optional<EntryView> findSpirv(const ArchiveReader& archive, std::string_view module);

// What a RemoteNative or RemoteSpirv entry pins (its metadata `sha256` and `size`, which signatures
// cover); an error names a malformed one.
Expected<RemoteNative> remoteNative(const ArchiveReader& archive, const EntryView& entry);

// `<url>/cas/<sha256>` (one slash between).
std::string remoteNativeUrl(const std::string& baseUrl, const RemoteNative& native);

// "https://user:token@host/...": such a URL must not go into an archive or a message.
bool urlHasCredentials(std::string_view url);

} // namespace aotpack::archive
