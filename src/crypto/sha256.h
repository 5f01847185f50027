// SHA-256 and HMAC-SHA256 (OpenSSL's libcrypto): the content address of the remote cache (Bazel's
// protocol names blobs by it), the digest a signed archive pins every payload with
// (archive/signing.h), the MAC of the remote cache's records (docs/TRUST.md). With ed25519.h the
// only code that calls OpenSSL: every digest, MAC and signature of aotpack is made here.
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

// HMAC-SHA256 of `message` under `key`.
Sha256 hmacSha256(std::string_view key, std::string_view message);

// a == b, taking as long whatever prefix of them matches (how much of a guessed MAC is right must
// not show in how long the check takes).
bool equalInConstantTime(std::string_view a, std::string_view b);

// URL-safe base64 without '=' padding (RFC 4648 section 5), as a wheel's RECORD spells a digest;
// OpenSSL encodes.
std::string base64UrlNoPadding(ByteView data);

} // namespace aotpack
