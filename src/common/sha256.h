// SHA-256 (OpenSSL's libcrypto): the content address of the remote cache (Bazel's protocol names
// blobs by it) and the digest a signed archive pins every payload with (archive/signing.h).
#pragma once

#include "common/file_io.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aotpack {

using Sha256 = std::array<std::uint8_t, 32>;
Sha256 sha256(ByteView data);

// 64 lowercase hex digits.
std::string sha256Hex(ByteView data);
std::string sha256Hex(std::string_view text);
bool isSha256Hex(std::string_view text);

// URL-safe base64 without '=' padding (RFC 4648 section 5), as a wheel's RECORD spells a digest;
// OpenSSL encodes.
std::string base64UrlNoPadding(ByteView data);

} // namespace aotpack
