#include "crypto/ed25519.h"

#include "common/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fcntl.h>
#include <optional>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack::crypto {
namespace fs = std::filesystem;

namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

// The key's id: SHA-256 of its raw 32-byte public key.
std::optional<Sha256> publicKeyId(EVP_PKEY* key) {
    std::uint8_t raw[32];
    std::size_t size = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &size) != 1 || size != sizeof raw)
        return std::nullopt;
    return sha256(ByteView(raw, size));
}

// PEM text of the key (private: PKCS#8; public: SubjectPublicKeyInfo).
std::optional<std::string> pemOf(EVP_PKEY* key, bool privatePart) {
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    int ok = privatePart
                 ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_PUBKEY(bio.get(), key);
    if (!bio || ok != 1) return std::nullopt;
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Status writeNew(const fs::path& path, const std::string& text, unsigned mode) {
    std::error_code ec;
    if (fs::exists(path, ec))
        return makeError(Errc::Output,
                         "'" + path.string() + "' exists; a key is never overwritten");
    return writeFileAtomic(
        path, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode);
}

// A process holding a private key writes no core file (and cannot be ptrace-attached by other
// users' processes): the key must not end up on disk in a crash dump.
void protectSecrets() {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

Expected<std::string> readKeyFile(const fs::path& path) {
    auto text = readTextFile(path);
    if (!text) return makeError(Errc::BadInput, "cannot read key '" + path.string() + "'");
    return *text;
}

} // namespace

void Ed25519Key::Free::operator()(void* key) const {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(key));
}

std::string Ed25519Key::idHex() const {
    return toHex(std::span<const std::uint8_t>(id_.data(), 8));
}

Status Ed25519Key::generate(const fs::path& privatePath) {
    protectSecrets();
    EVP_PKEY* raw = nullptr;
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        return makeError(Errc::Internal, "OpenSSL could not generate an Ed25519 key");
    Pkey key(raw, &EVP_PKEY_free);
    auto privatePem = pemOf(key.get(), true);
    auto publicPem = pemOf(key.get(), false);
    if (!privatePem || !publicPem)
        return makeError(Errc::Internal, "OpenSSL could not encode the key");
    fs::path publicPath = privatePath.string() + ".pub";
    for (const auto& path : {privatePath, publicPath}) // both checked before either is written
        if (std::error_code ec; fs::exists(path, ec))
            return makeError(Errc::Output,
                             "'" + path.string() + "' exists; a key is never overwritten");
    if (auto st = writeNew(publicPath, *publicPem, 0644); !st) return st;
    if (auto st = writeNew(privatePath, *privatePem, 0600); !st) {
        std::error_code ec; // never a public key without its private key
        fs::remove(publicPath, ec);
        return st;
    }
    return success();
}

Expected<Ed25519Key> Ed25519Key::loadPrivate(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return makeError(Errc::BadInput, "cannot read key '" + path.string() + "'");
    // A public key given where the private one belongs: say that, not "chmod 600" first.
    if (auto head = readTextFile(path); head && head->find("-----BEGIN PUBLIC KEY-----") == 0)
        return makeError(Errc::BadInput,
                         "'" + path.string() + "' is a public key, not an Ed25519 private key");
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        return makeError(Errc::BadInput, "key '" + path.string() +
                                             "' may be read by other users (mode " + mode +
                                             "); chmod 600 it");
    }
    protectSecrets();
    auto text = readKeyFile(path);
    if (!text) return text.error();
    Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())), &BIO_free);
    EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    OPENSSL_cleanse(text->data(), text->size()); // the PEM text is not kept once parsed
    if (!raw || EVP_PKEY_get_id(raw) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(raw);
        return makeError(Errc::BadInput, "'" + path.string() + "' is not an Ed25519 private key");
    }
    Ed25519Key key;
    key.key_.reset(raw, Free{});
    key.id_ = publicKeyId(raw).value_or(Sha256{});
    key.private_ = true;
    return key;
}

Expected<Ed25519Key> Ed25519Key::loadPublic(const fs::path& path) {
    auto text = readKeyFile(path);
    if (!text) return text.error();
    Bio bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())), &BIO_free);
    EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    auto id = raw && EVP_PKEY_get_id(raw) == EVP_PKEY_ED25519 ? publicKeyId(raw) : std::nullopt;
    if (!id) {
        EVP_PKEY_free(raw);
        return makeError(Errc::BadInput, "'" + path.string() + "' is not an Ed25519 public key");
    }
    Ed25519Key key;
    key.key_.reset(raw, Free{});
    key.id_ = *id;
    return key;
}

Expected<Ed25519Signature> Ed25519Key::sign(ByteView message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    Ed25519Signature signature{};
    std::size_t size = signature.size();
    auto* key = static_cast<EVP_PKEY*>(key_.get());
    if (!private_ || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(), message.size()) != 1 ||
        size != signature.size())
        return makeError(Errc::Internal, "OpenSSL could not sign with key " + idHex());
    return signature;
}

bool Ed25519Key::verify(ByteView message, const Ed25519Signature& signature) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    auto* key = static_cast<EVP_PKEY*>(key_.get());
    return ctx && key && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

} // namespace aotpack::crypto
