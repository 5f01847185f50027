// Ed25519 keys and signatures (OpenSSL's EVP interface): what signs an archive
// (archive/signing.h). Keys are PEM files as `openssl genpkey -algorithm ed25519` writes them: the
// private key as PKCS#8 (mode 0600), the public key as SubjectPublicKeyInfo (KEY.pub). A key is
// named by its id: the first 16 hex digits of the SHA-256 of its 32 raw public-key bytes.
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "crypto/sha256.h"

#include <array>
#include <filesystem>
#include <memory>
#include <string>

namespace aotpack::crypto {

using Ed25519Signature = std::array<std::uint8_t, 64>;

class Ed25519Key {
  public:
    // A new private key into `privatePath` (0600) and its public key into `privatePath`.pub;
    // neither may exist (a key is never overwritten).
    static Status generate(const std::filesystem::path& privatePath);
    // A private key file; refused when group or others may read it (as ssh does).
    static Expected<Ed25519Key> loadPrivate(const std::filesystem::path& path);
    static Expected<Ed25519Key> loadPublic(const std::filesystem::path& path);

    const Sha256& id() const { return id_; } // SHA-256 of the raw public key
    std::string idHex() const;               // its first 16 hex digits, the key's name
    bool isPrivate() const { return private_; }

    Expected<Ed25519Signature> sign(ByteView message) const;
    bool verify(ByteView message, const Ed25519Signature& signature) const;

  private:
    struct Free {
        void operator()(void* key) const;
    };
    std::shared_ptr<void> key_; // EVP_PKEY
    Sha256 id_{};
    bool private_ = false;
};

} // namespace aotpack::crypto
