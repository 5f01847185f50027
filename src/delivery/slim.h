// Natives on demand (docs/DELIVERY.md): `aotpack slim` writes an archive that keeps every
// module's SPIR-V and, for each native binary, only a RemoteNative entry (format 1.3): its
// target, its metadata, and the SHA-256 and size (metadata too) that pin the bytes a server holds
// under
// `<natives.url>/cas/<sha256>` (`aotpack publish` puts them there). A runtime fetches the one
// binary its GPU needs on first use, checks it against that digest and keeps it in its cache.
#pragma once

#include "archive/reader.h"
#include "archive/remote_native.h"
#include "archive/writer.h"

#include <string>

namespace aotpack::delivery {

// The archive `in` with its natives replaced by RemoteNative entries, `url` recorded; with
// `remoteSpirv`, its SPIR-V by RemoteSpirv entries too (format 1.4: a GPU without a native then
// needs the server to JIT). Errors: a payload that does not read (BadArchive); `in` has no
// native binaries (Usage).
Expected<archive::ArchiveWriter> slimArchive(const archive::ArchiveReader& in,
                                             const std::string& url, bool remoteSpirv = false);

} // namespace aotpack::delivery
