#include "archive/signing.h"

#include "archive/format.h"
#include "common/hash.h"

#include <cstring>

namespace aotpack::archive {

namespace {

// The block (docs/FORMAT.md): a 64-byte head, the chunk hashes, the digests, the signatures.
constexpr char kBlockMagic[8] = {'A', 'O', 'T', 'P', 'S', 'I', 'G', 0x1A};
// Version 2 pins each payload as stored (checked before it is decompressed); version 1, still
// read, pinned the raw payload.
constexpr std::uint32_t kBlockVersion = 2;
constexpr std::uint32_t kRawDigestVersion = 1;
constexpr std::size_t kHeadSize = 64;
constexpr std::size_t kSignatureSize = 32 + 64;
constexpr const char* kStatementTag = "aotpack signed archive v1\n";

struct BlockHead {
    char magic[8];
    std::uint32_t version;
    std::uint32_t entryCount;
    std::uint32_t digestsPerChunk;
    std::uint32_t signatureCount;
    std::uint8_t metadataDigest[32];
    std::uint64_t reserved;
};
static_assert(sizeof(BlockHead) == kHeadSize);

std::uint64_t chunkCount(std::uint32_t entries) {
    return (std::uint64_t(entries) + kDigestsPerChunk - 1) / kDigestsPerChunk;
}

void append(Bytes& out, const void* data, std::size_t size) {
    auto* p = static_cast<const std::uint8_t*>(data);
    out.insert(out.end(), p, p + size);
}

void appendString(Bytes& out, std::string_view text) {
    append(out, text.data(), text.size());
    out.push_back(0);
}

Error damaged(const ArchiveReader& archive, const std::string& why) {
    return makeError(Errc::BadArchive, "'" + archive.name() + "': signature block: " + why);
}

ByteView chunkOf(ByteView digests, std::uint32_t entries, std::uint32_t chunk) {
    std::uint64_t first = std::uint64_t(chunk) * kDigestsPerChunk;
    std::uint64_t count = std::min<std::uint64_t>(kDigestsPerChunk, entries - first);
    return digests.subspan(first * 32, count * 32);
}

Bytes chunkHashesOf(ByteView digests, std::uint32_t entries) {
    Bytes out;
    for (std::uint32_t c = 0; c < chunkCount(entries); ++c) {
        Sha256 h = sha256(chunkOf(digests, entries, c));
        append(out, h.data(), h.size());
    }
    return out;
}

Bytes encodeBlock(const SignatureBlock& b) {
    BlockHead head{};
    std::memcpy(head.magic, kBlockMagic, sizeof kBlockMagic);
    head.version = b.version;
    head.entryCount = b.entryCount;
    head.digestsPerChunk = kDigestsPerChunk;
    head.signatureCount = static_cast<std::uint32_t>(b.signatures.size());
    std::memcpy(head.metadataDigest, b.metadataDigest.data(), 32);
    Bytes out;
    append(out, &head, sizeof head);
    append(out, b.chunkHashes.data(), b.chunkHashes.size());
    append(out, b.digests.data(), b.digests.size());
    for (const auto& s : b.signatures) {
        append(out, s.keyId.data(), s.keyId.size());
        append(out, s.bytes.data(), s.bytes.size());
    }
    return out;
}

} // namespace

Bytes SignatureBlock::statement() const {
    Bytes out;
    append(out, kStatementTag, std::strlen(kStatementTag));
    std::uint32_t fields[] = {version, entryCount, kDigestsPerChunk};
    append(out, fields, sizeof fields);
    append(out, metadataDigest.data(), metadataDigest.size());
    append(out, chunkHashes.data(), chunkHashes.size());
    return out;
}

namespace {

// The digest's common head and tail around what pins the payload.
Sha256 digestOf(const ArchiveReader& archive, const EntryView& entry, std::string_view tag,
                ByteView payloadPin) {
    Bytes text;
    appendString(text, tag);
    appendString(text, entry.module);
    std::uint32_t fields[] = {static_cast<std::uint32_t>(entry.kind), entry.targetIp};
    append(text, fields, sizeof fields);
    append(text, payloadPin.data(), payloadPin.size());
    for (const auto& [key, value] : archive.metadata(entry)) {
        appendString(text, key);
        appendString(text, value);
    }
    return sha256(text);
}

// Version 1: the raw payload's SHA-256 (the payload must be decompressed to check it).
Expected<Sha256> rawEntryDigest(const ArchiveReader& archive, const EntryView& entry) {
    auto raw = archive.payloadView(entry);
    if (!raw) return raw.error();
    Sha256 payload = sha256(raw->bytes);
    return digestOf(archive, entry, "aotpack entry v1", payload);
}

} // namespace

Sha256 entryDigest(const ArchiveReader& archive, const EntryView& entry) {
    BlobInfo blob = archive.blob(entry.blob);
    Bytes pin;
    std::uint32_t compression = static_cast<std::uint32_t>(blob.compression);
    append(pin, &compression, sizeof compression);
    append(pin, &blob.rawSize, sizeof blob.rawSize);
    Sha256 stored = sha256(archive.storedPayload(entry));
    append(pin, stored.data(), stored.size());
    return digestOf(archive, entry, "aotpack entry v2", pin);
}

Sha256 archiveMetadataDigest(const ArchiveReader& archive) {
    Bytes text;
    appendString(text, "aotpack archive metadata v1");
    for (const auto& [key, value] : archive.archiveMetadata()) {
        appendString(text, key);
        appendString(text, value);
    }
    return sha256(text);
}

Expected<std::optional<SignatureBlock>> readSignatureBlock(const ArchiveReader& archive) {
    ByteView bytes = archive.signatureBlock();
    if (bytes.empty()) return std::optional<SignatureBlock>();
    if (bytes.size() < kHeadSize) return damaged(archive, "truncated");
    BlockHead head;
    std::memcpy(&head, bytes.data(), sizeof head);
    if (std::memcmp(head.magic, kBlockMagic, sizeof kBlockMagic) != 0)
        return damaged(archive, "wrong magic");
    bool known = head.version == kBlockVersion || head.version == kRawDigestVersion;
    if (!known || head.digestsPerChunk != kDigestsPerChunk)
        return damaged(archive, "version " + std::to_string(head.version) + " is not known");
    if (head.entryCount != archive.entryCount())
        return damaged(archive, "it covers " + std::to_string(head.entryCount) +
                                    " entries, the archive has " +
                                    std::to_string(archive.entryCount()));
    std::uint64_t hashes = chunkCount(head.entryCount) * 32;
    std::uint64_t digests = std::uint64_t(head.entryCount) * 32;
    std::uint64_t size =
        kHeadSize + hashes + digests + std::uint64_t(head.signatureCount) * kSignatureSize;
    if (size != bytes.size())
        return damaged(archive, std::to_string(bytes.size()) + " bytes, expected " +
                                    std::to_string(size) + " (truncated?)");
    SignatureBlock block;
    block.version = head.version;
    block.entryCount = head.entryCount;
    std::memcpy(block.metadataDigest.data(), head.metadataDigest, 32);
    block.chunkHashes = bytes.subspan(kHeadSize, hashes);
    block.digests = bytes.subspan(kHeadSize + hashes, digests);
    for (std::uint64_t at = kHeadSize + hashes + digests; at < bytes.size(); at += kSignatureSize) {
        SignatureBlock::Signature s;
        std::memcpy(s.keyId.data(), bytes.data() + at, 32);
        std::memcpy(s.bytes.data(), bytes.data() + at + 32, 64);
        block.signatures.push_back(s);
    }
    return std::optional<SignatureBlock>(std::move(block));
}

Expected<Bytes> signArchive(const ArchiveReader& archive,
                            const std::vector<crypto::Ed25519Key>& keys) {
    if (auto intact = archive.verifyPayloads(); !intact) return intact.error(); // sign no damage
    Bytes digests;
    for (const auto& e : archive.entries()) {
        Sha256 d = entryDigest(archive, e);
        append(digests, d.data(), d.size());
    }
    Bytes hashes = chunkHashesOf(digests, static_cast<std::uint32_t>(archive.entryCount()));
    SignatureBlock block{kBlockVersion,
                         static_cast<std::uint32_t>(archive.entryCount()),
                         archiveMetadataDigest(archive),
                         hashes,
                         digests,
                         {}};
    Bytes statement = block.statement();
    if (auto earlier = readSignatureBlock(archive); earlier && *earlier)
        for (const auto& s : (*earlier)->signatures) // kept only if they sign this very content
            if ((*earlier)->statement() == statement) block.signatures.push_back(s);
    for (const auto& key : keys) {
        auto signature = key.sign(statement);
        if (!signature) return signature.error();
        std::erase_if(block.signatures, [&](const auto& s) { return s.keyId == key.id(); });
        block.signatures.push_back({key.id(), *signature});
    }
    return withSignatureBlock(archive.unsignedBytes(), encodeBlock(block));
}

Bytes withSignatureBlock(ByteView unsignedFile, ByteView block) {
    Bytes file(unsignedFile.begin(), unsignedFile.end());
    file.resize((file.size() + 63) / 64 * 64, 0);
    std::uint64_t offset = file.size();
    file.insert(file.end(), block.begin(), block.end());
    FileHeader fh;
    std::memcpy(&fh, file.data(), sizeof fh);
    fh.minor = std::max<std::uint16_t>(fh.minor, kMinorSigned);
    fh.signatureOffset = offset;
    fh.fileSize = file.size();
    fh.headerChecksum = hash64(
        ByteView(reinterpret_cast<const std::uint8_t*>(&fh), offsetof(FileHeader, headerChecksum)));
    std::memcpy(file.data(), &fh, sizeof fh);
    return file;
}

Expected<Bytes> signArchiveBytes(const Bytes& file, const std::string& name,
                                 const std::vector<crypto::Ed25519Key>& keys) {
    auto archive = ArchiveReader::openMemory(file, name);
    if (!archive) return archive.error();
    return signArchive(*archive, keys);
}

Status signArchiveFile(const std::filesystem::path& input,
                       const std::vector<crypto::Ed25519Key>& keys,
                       const std::filesystem::path& output) {
    auto archive = ArchiveReader::openFile(input);
    if (!archive) return archive.error();
    auto signed_ = signArchive(*archive, keys);
    if (!signed_) return signed_.error();
    return writeFileAtomic(output.empty() ? input : output, *signed_);
}

Expected<std::vector<crypto::Ed25519Key>>
loadSigningKeys(const std::vector<std::filesystem::path>& paths) {
    std::vector<crypto::Ed25519Key> keys;
    for (const auto& path : paths) {
        auto key = crypto::Ed25519Key::loadPrivate(path);
        if (!key) return key.error();
        keys.push_back(std::move(*key));
    }
    return keys;
}

Expected<VerifiedArchive> VerifiedArchive::check(const ArchiveReader& archive,
                                                 const std::vector<crypto::Ed25519Key>& trusted) {
    auto block = readSignatureBlock(archive);
    if (!block) return block.error();
    if (!*block) return makeError(Errc::BadArchive, "'" + archive.name() + "' is not signed");
    Bytes statement = (*block)->statement();
    bool anyTrustedKey = false;
    for (const auto& s : (*block)->signatures)
        for (const auto& key : trusted) {
            if (key.id() != s.keyId) continue;
            anyTrustedKey = true;
            if (!key.verify(statement, s.bytes)) continue;
            if (archiveMetadataDigest(archive) != (*block)->metadataDigest)
                return makeError(Errc::BadArchive, "'" + archive.name() +
                                                       "': its metadata is not what key " +
                                                       key.idHex() + " signed");
            VerifiedArchive v;
            v.block_ = std::move(**block);
            v.signer_ = key.idHex();
            v.chunks_ = std::make_shared<std::vector<std::atomic<std::uint8_t>>>(
                chunkCount(v.block_.entryCount));
            v.verified_ =
                std::make_shared<std::vector<std::atomic<std::uint8_t>>>(v.block_.entryCount);
            return v;
        }
    return makeError(Errc::BadArchive,
                     "'" + archive.name() + "': " +
                         (anyTrustedKey ? "its signature by a trusted key does not verify"
                                        : "no trusted key signed it (" +
                                              std::to_string((*block)->signatures.size()) +
                                              " signature(s) by other keys)"));
}

bool VerifiedArchive::chunkIntact(std::uint32_t chunk) const {
    auto& state = (*chunks_)[chunk];
    std::uint8_t known = state.load(std::memory_order_acquire);
    if (known) return known == 1;
    Sha256 h = sha256(chunkOf(block_.digests, block_.entryCount, chunk));
    bool intact =
        std::memcmp(h.data(), block_.chunkHashes.data() + std::size_t(chunk) * 32, 32) == 0;
    state.store(intact ? 1 : 2, std::memory_order_release);
    return intact;
}

static Error refusal(const ArchiveReader& archive, const EntryView& entry, const std::string& why) {
    std::string what = entry.kind == EntryKind::Dictionary
                           ? "zstd dictionary " + std::to_string(entry.targetIp)
                           : "module '" + std::string(entry.module) + "'";
    return makeError(Errc::BadArchive, "'" + archive.name() + "': " + what + ": " + why);
}

Expected<Sha256> VerifiedArchive::signedDigest(const ArchiveReader& archive,
                                               const EntryView& entry) const {
    if (entry.index >= block_.entryCount)
        return refusal(archive, entry, "entry is outside the signed table");
    if (!chunkIntact(entry.index / kDigestsPerChunk))
        return refusal(archive, entry, "the signed digest table is damaged");
    Sha256 digest;
    std::memcpy(digest.data(), block_.digests.data() + std::size_t(entry.index) * 32, 32);
    return digest;
}

Status VerifiedArchive::checkEntry(const ArchiveReader& archive, const EntryView& entry) const {
    auto signed_ = signedDigest(archive, entry);
    if (!signed_) return signed_.error();
    // The stored bytes lie in the archive's read-only mapping (or memory its owner keeps): an
    // entry checked once stays checked for the reader's life.
    auto& memo = (*verified_)[entry.index];
    if (memo.load(std::memory_order_acquire)) return success();
    Expected<Sha256> actual = block_.version == kRawDigestVersion ? rawEntryDigest(archive, entry)
                                                                  : entryDigest(archive, entry);
    if (!actual) return actual.error();
    if (*actual != *signed_)
        return refusal(archive, entry,
                       "not what key " + signer_ + " signed (payload or metadata changed)");
    // A payload stored with a dictionary decompresses to what that dictionary makes of it: the
    // dictionary's own entry must be what was signed too.
    if (block_.version != kRawDigestVersion &&
        archive.blob(entry.blob).compression == Compression::ZstdDictionary) {
        auto dictionary = archive.find(kDictionaryModule, EntryKind::Dictionary,
                                       frameDictionaryId(archive.storedPayload(entry)));
        if (!dictionary) return refusal(archive, entry, "its zstd dictionary is missing");
        if (auto st = checkEntry(archive, *dictionary); !st) return st;
    }
    memo.store(1, std::memory_order_release);
    return success();
}

} // namespace aotpack::archive
