// Format 1.4: payloads stored with a trained zstd dictionary the archive carries as an entry
// (archive/dictionary.h), with the real dictionaries of data/dictionaries and real zebins.
#include "archive/reader.h"
#include "archive/signing.h"
#include "archive/writer.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "test_data.h"

using namespace aotpack;
using namespace aotpack::archive;

namespace {

std::shared_ptr<const Dictionary> realDictionary(const std::string& name) {
    auto bytes = readFile(std::string(AOTPACK_SOURCE_DIR "/data/dictionaries/") + name + ".zdict");
    EXPECT_TRUE(bytes);
    auto d = Dictionary::fromBytes(bytes ? *bytes : Bytes{}, name);
    EXPECT_TRUE(d) << d.error().message;
    return d ? *d : nullptr;
}

WriterOptions withDictionary(std::shared_ptr<const Dictionary> dictionary) {
    WriterOptions o;
    o.dictionaryFor = [dictionary](EntryKind kind, std::uint32_t) {
        return kind == EntryKind::Native ? dictionary : nullptr;
    };
    return o;
}

Bytes pvcArchive(const WriterOptions& options) {
    ArchiveWriter w;
    EXPECT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    auto bytes = w.finish(options);
    EXPECT_TRUE(bytes) << bytes.error().message;
    return bytes ? *bytes : Bytes{};
}

} // namespace

TEST(Dictionary, RefusesWhatIsNotADictionary) {
    auto d = Dictionary::fromBytes(testData("vector_ops.spv"), "vector_ops.spv");
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("vector_ops.spv is not a zstd dictionary"), std::string::npos);
}

TEST(Dictionary, ArchiveCarriesItOnceAndReadsBackExactly) {
    auto dictionary = realDictionary("xe-hpc");
    Bytes bytes = pvcArchive(withDictionary(dictionary));
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->minorVersion(), kMinorDictionaries);
    EXPECT_EQ(r->entryCount(), 3u); // SPIR-V, native, dictionary
    EXPECT_EQ(r->modules(), std::vector<std::string_view>{"vector_ops"});
    EXPECT_EQ(r->targets(), std::vector<std::uint32_t>{kPvc});
    auto native = r->find("vector_ops", EntryKind::Native, kPvc);
    ASSERT_TRUE(native);
    EXPECT_EQ(r->blob(native->blob).compression, Compression::ZstdDictionary);
    EXPECT_EQ(frameDictionaryId(r->storedPayload(*native)), dictionary->id());
    EXPECT_EQ(*r->payload(*native), testData("vector_ops.12.60.7.bin"));
    auto entry = r->find(kDictionaryModule, EntryKind::Dictionary, dictionary->id());
    ASSERT_TRUE(entry);
    EXPECT_EQ(*r->payload(*entry), Bytes(dictionary->bytes().begin(), dictionary->bytes().end()));
    EXPECT_TRUE(r->verifyPayloads());
    // Smaller than without the dictionary (counting it), even for this one 7 KB zebin.
    Bytes plain = pvcArchive({});
    auto p = ArchiveReader::openMemory(plain);
    ASSERT_TRUE(p);
    EXPECT_LT(r->blob(native->blob).storedSize,
              p->blob(p->find("vector_ops", EntryKind::Native, kPvc)->blob).storedSize);
    // Dictionary entries handed to a writer are not copied: it carries what its payloads use.
    ArchiveWriter w;
    EXPECT_TRUE(w.addEntry(kDictionaryModule, static_cast<std::uint16_t>(EntryKind::Dictionary),
                           dictionary->id(),
                           Bytes(dictionary->bytes().begin(), dictionary->bytes().end()), {}));
    EXPECT_TRUE(w.addSpirv("m", testData("vector_ops.spv"), {}));
    auto none = ArchiveReader::openMemory(*w.finish());
    ASSERT_TRUE(none);
    EXPECT_EQ(none->entryCount(), 1u);
}

TEST(Dictionary, AMissingDictionaryIsAClearError) {
    auto dictionary = realDictionary("xe-hpc");
    Bytes bytes = pvcArchive(withDictionary(dictionary));
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r);
    auto native = r->find("vector_ops", EntryKind::Native, kPvc);
    auto dictionaryOf = r->dictionary(dictionary->id());
    ASSERT_TRUE(dictionaryOf);
    auto missing = r->dictionary(dictionary->id() + 1);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::NotFound);
    auto raw = decompressPayload(r->storedPayload(*native), Compression::ZstdDictionary,
                                 r->blob(native->blob).rawSize, nullptr);
    ASSERT_FALSE(raw);
    EXPECT_NE(raw.error().message.find("needs zstd dictionary " + std::to_string(dictionary->id())),
              std::string::npos);
}

// A signature (block version 2) pins a payload as stored; one stored with a dictionary
// decompresses to what the dictionary makes of it, so the dictionary's entry is checked with it.
TEST(Dictionary, ASignatureCoversTheDictionary) {
    auto dictionary = realDictionary("xe-hpc");
    Bytes bytes = pvcArchive(withDictionary(dictionary));
    aotpack::TempDir dir;
    ASSERT_TRUE(crypto::Ed25519Key::generate(dir.path() / "k"));
    auto key = crypto::Ed25519Key::loadPrivate(dir.path() / "k");
    ASSERT_TRUE(key) << key.error().message;
    auto original = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(original);
    auto signedBytes = signArchive(*original, {*key});
    ASSERT_TRUE(signedBytes) << signedBytes.error().message;
    auto signedArchive = ArchiveReader::openMemory(*signedBytes);
    ASSERT_TRUE(signedArchive);
    auto verified = VerifiedArchive::check(*signedArchive, {*key});
    ASSERT_TRUE(verified) << verified.error().message;
    auto native = signedArchive->find("vector_ops", EntryKind::Native, kPvc);
    ASSERT_TRUE(native);
    EXPECT_TRUE(verified->checkEntry(*signedArchive, *native));

    // The forgery: the same stored native under another dictionary with the same id, and the
    // original's signature block.
    Bytes altered(dictionary->bytes().begin(), dictionary->bytes().end());
    altered[altered.size() - 100] ^= 0x5a; // content, not the header: the id stays
    auto other = Dictionary::fromBytes(altered, "altered");
    ASSERT_TRUE(other);
    ASSERT_EQ((*other)->id(), dictionary->id());
    ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    Bytes zebin = testData("vector_ops.12.60.7.bin");
    ASSERT_TRUE(w.addNative("vector_ops", kPvc, zebin, {}));
    ByteView stored =
        original->storedPayload(*original->find("vector_ops", EntryKind::Native, kPvc));
    w.adoptStoredPayload(hash128(zebin), {Bytes(stored.begin(), stored.end()), zebin.size(),
                                          Compression::ZstdDictionary, hash64(zebin), 0, *other});
    auto forgedUnsigned = w.finish(withDictionary(dictionary));
    ASSERT_TRUE(forgedUnsigned);
    Bytes forged = withSignatureBlock(*forgedUnsigned, signedArchive->signatureBlock());
    auto forgedArchive = ArchiveReader::openMemory(forged);
    ASSERT_TRUE(forgedArchive) << forgedArchive.error().message;
    auto forgedVerified = VerifiedArchive::check(*forgedArchive, {*key});
    ASSERT_TRUE(forgedVerified); // the statement and metadata are the original's
    auto forgedNative = forgedArchive->find("vector_ops", EntryKind::Native, kPvc);
    ASSERT_TRUE(forgedNative);
    EXPECT_EQ(forgedArchive->storedPayload(*forgedNative).size(), stored.size());
    auto refused = forgedVerified->checkEntry(*forgedArchive, *forgedNative);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("zstd dictionary"), std::string::npos)
        << refused.error().message;
}
