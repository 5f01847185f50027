// `aotpack publish` (docs/DELIVERY.md): every native binary of an archive uploaded to a
// natives server under its SHA-256, in the remote cache's content-addressed layout
// (URL/cas/<sha256 of the raw binary>), through the remote cache's client: http(s):// with PUT
// (nginx WebDAV, bazel-remote) or file://; the token comes from AOTPACK_REMOTE_CACHE_TOKEN(_FILE)
// and is never printed. A binary already on the server (HEAD) is not sent again.
#pragma once

#include "archive/reader.h"
#include "common/error.h"

#include <string>

namespace aotpack::delivery {

struct PublishReport {
    std::size_t uploaded = 0, alreadyThere = 0;
    std::uint64_t bytesUploaded = 0;
};

// Errors: a URL that is not http(s):// or file:// (Usage), a payload that does not read
// (BadArchive), an upload that fails (Output, naming the server without credentials).
// `withSpirv`: every module's SPIR-V too (what `slim --remote-spirv` leaves out).
Expected<PublishReport> publishNatives(const archive::ArchiveReader& archive,
                                       const std::string& url, bool withSpirv = false);

} // namespace aotpack::delivery
