// SHA-256, the content address of the remote cache: Bazel's remote cache protocol and the servers
// that speak it (bazel-remote, nginx WebDAV behind it) name blobs by their SHA-256.
#pragma once

#include "common/file_io.h"

#include <string>
#include <string_view>

namespace aotpack::cache {

// 64 lowercase hex digits.
std::string sha256Hex(ByteView data);
std::string sha256Hex(std::string_view text);
bool isSha256Hex(std::string_view text);

} // namespace aotpack::cache
