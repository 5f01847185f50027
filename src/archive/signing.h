// Signed archives (format 1.2, docs/FORMAT.md "Signatures", docs/TRUST.md). A signature block after
// the payloads pins every entry by a SHA-256 digest of what a reader uses of it (module, kind,
// target, metadata, the stored payload's SHA-256) and the archive metadata; Ed25519 signatures sign
// a short statement over it. The payloads and the index are not changed by signing: only the file
// header (its signature offset) and the block at the end.
//
// Checking is cheap where it happens: at open only the statement (a few KB: the chunk hashes of
// the digest table) is hashed and its signatures verified; an entry's digest is checked when the
// entry is used, together with its 256-entry chunk of the table (8 KiB, once per chunk).
#pragma once

#include "archive/reader.h"
#include "crypto/ed25519.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::archive {

constexpr std::uint32_t kDigestsPerChunk = 256;

struct SignatureBlock {
    std::uint32_t version = 2; // 1: entry digests pin raw payloads (read, no longer written)
    std::uint32_t entryCount = 0;
    Sha256 metadataDigest{};
    ByteView chunkHashes; // ceil(entryCount / kDigestsPerChunk) x 32
    ByteView digests;     // entryCount x 32, in entry-table order
    struct Signature {
        Sha256 keyId;
        crypto::Ed25519Signature bytes;
    };
    std::vector<Signature> signatures;

    // What every signature signs: the format's tag, the counts, the metadata digest and the
    // chunk hashes.
    Bytes statement() const;
};

// The block of a signed archive, bounds-checked; nullopt when the archive is not signed.
Expected<std::optional<SignatureBlock>> readSignatureBlock(const ArchiveReader& archive);

// What a signature pins of one entry: its module, kind, target and metadata, and its payload as
// stored (compression code, raw size, SHA-256 of the stored bytes), so that a reader checks a
// payload before it decompresses it, and hashes the compressed bytes (a zebin's are ~1/9 of it).
Sha256 entryDigest(const ArchiveReader& archive, const EntryView& entry);
Sha256 archiveMetadataDigest(const ArchiveReader& archive);

// The archive's file with the given keys' signatures added (one per key; a key that already
// signed is signed again). Earlier signatures over the same content are kept. Reads and checks
// every payload. The payload bytes and the index are unchanged.
Expected<Bytes> signArchive(const ArchiveReader& archive,
                            const std::vector<crypto::Ed25519Key>& keys);

// The same for an archive's bytes in memory (`name` for messages).
Expected<Bytes> signArchiveBytes(const Bytes& file, const std::string& name,
                                 const std::vector<crypto::Ed25519Key>& keys);

// `unsignedFile` with `block` appended (64-byte aligned) as its signature block: the header's
// signature offset, size, minor version (2) and checksum updated. signArchive's last step; tests
// use it to attach a forged block.
Bytes withSignatureBlock(ByteView unsignedFile, ByteView block);

// signArchive on a file, rewritten atomically (in place when `output` is empty).
Status signArchiveFile(const std::filesystem::path& input,
                       const std::vector<crypto::Ed25519Key>& keys,
                       const std::filesystem::path& output = {});
// Private key files, each checked (Ed25519, mode 0600); the first that fails is the error.
Expected<std::vector<crypto::Ed25519Key>>
loadSigningKeys(const std::vector<std::filesystem::path>& paths);
// The same for paths as a command line gives them.
inline Expected<std::vector<crypto::Ed25519Key>>
loadSigningKeys(const std::vector<std::string>& paths) {
    return loadSigningKeys(std::vector<std::filesystem::path>(paths.begin(), paths.end()));
}

// An archive checked against trusted keys: who signed it, and each entry's digest on use.
class VerifiedArchive {
  public:
    // Refused (Errc::BadArchive, one line naming the archive and why) when the archive is
    // unsigned, its block is damaged, or no trusted key made a valid signature.
    static Expected<VerifiedArchive> check(const ArchiveReader& archive,
                                           const std::vector<crypto::Ed25519Key>& trusted);
    const std::string& signer() const { return signer_; } // the key id that verified
    // Whether this entry, as the archive stores it, is what the signer signed: call it before
    // reading the payload. Each entry is hashed once per VerifiedArchive (the stored bytes are
    // read-only).
    Status checkEntry(const ArchiveReader& archive, const EntryView& entry) const;
    // The entry's signed digest (its chunk checked first): a cache of verified bytes keys by it.
    Expected<Sha256> signedDigest(const ArchiveReader& archive, const EntryView& entry) const;

  private:
    bool chunkIntact(std::uint32_t chunk) const;
    SignatureBlock block_;
    std::string signer_;
    // Per chunk 0 unknown, 1 intact, 2 damaged; per entry 1 once verified. Shared so the object
    // can be copied with its reader.
    std::shared_ptr<std::vector<std::atomic<std::uint8_t>>> chunks_, verified_;
};

} // namespace aotpack::archive
