#include "archive/reader.h"
#include "archive/stored_payload.h"
#include "archive/tools.h"
#include "archive/writer.h"
#include "test_data.h"

using namespace aotpack;
using namespace aotpack::archive;

namespace {

ArchiveWriter exampleWriter() {
    ArchiveWriter w;
    EXPECT_TRUE(
        w.addSpirv("vector_ops", testData("vector_ops.spv"), {{"entry_points", "vadd,saxpy"}}));
    EXPECT_TRUE(w.addNative("vector_ops", kAcmG10, testData("vector_ops.12.55.8.bin"),
                            {{"target", "acm-g10"}}));
    EXPECT_TRUE(
        w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {{"target", "pvc"}}));
    w.setArchiveMetadata("devices.input", "ats-m150,pvc");
    return w;
}

Bytes exampleBytes() {
    return *exampleWriter().finish();
}

} // namespace

TEST(Archive, RoundTripOfRealSpirvAndZebins) {
    Bytes bytes = exampleBytes();
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->entryCount(), 3u);
    EXPECT_EQ(r->modules(), std::vector<std::string_view>{"vector_ops"});
    EXPECT_EQ(r->targets(), (std::vector<std::uint32_t>{kAcmG10, kPvc}));
    auto pvc = r->find("vector_ops", EntryKind::Native, kPvc);
    ASSERT_TRUE(pvc);
    EXPECT_EQ(*r->payload(*pvc), testData("vector_ops.12.60.7.bin"));
    EXPECT_EQ(r->meta(*pvc, "target"), "pvc");
    auto spirv = r->find("vector_ops", EntryKind::Spirv);
    ASSERT_TRUE(spirv);
    EXPECT_EQ(*r->payload(*spirv), testData("vector_ops.spv"));
    EXPECT_EQ(r->archiveMetadata().at(0).second, "ats-m150,pvc");
    EXPECT_FALSE(r->find("vector_ops", EntryKind::Native, 0x030e0005));
    EXPECT_TRUE(r->verifyPayloads());
}

// FORMAT.md: readers skip kinds they do not know; tools that rewrite archives (merge,
// remove-targets, add-targets) copy them as they are and do not count them as targets.
TEST(Archive, UnknownEntryKindsAreCopiedAsTheyAreAndAreNotTargets) {
    ArchiveWriter w = exampleWriter();
    const std::uint16_t kFutureKind = 7;
    ASSERT_TRUE(w.addEntry("vector_ops", kFutureKind, 0x12345, Bytes(100, 42), {{"x", "y"}}));
    Bytes bytes = *w.finish();
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->targets(), (std::vector<std::uint32_t>{kAcmG10, kPvc}));
    ArchiveWriter copy;
    ASSERT_TRUE(copyEntries(*r, copy));
    Bytes copied = *copy.finish();
    auto c = ArchiveReader::openMemory(copied);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->entryCount(), 4u);
    auto future = c->find("vector_ops", static_cast<EntryKind>(kFutureKind), 0x12345);
    ASSERT_TRUE(future);
    EXPECT_EQ(*c->payload(*future), Bytes(100, 42));
    EXPECT_EQ(c->meta(*future, "x"), "y");
    EXPECT_EQ(c->targets(), (std::vector<std::uint32_t>{kAcmG10, kPvc}));
    EXPECT_EQ(c->nativeEntries("vector_ops").size(), 2u);
}

// merge, remove-targets and add-targets share one rule for the archive's own metadata.
TEST(Archive, RewrittenArchivesFollowOneMetadataRule) {
    auto make = [](const std::string& devices, const std::string& compiler,
                   const std::string& policy) {
        ArchiveWriter w = exampleWriter();
        w.setArchiveMetadata("devices.input", devices);
        w.setArchiveMetadata("compiler", compiler);
        w.setArchiveMetadata("fp64_policy", policy);
        w.setArchiveMetadata("options", "-O2");
        return *w.finish();
    };
    Bytes a = make("ats-m150,pvc", "ocloc 22.43", "poison"),
          b = make("pvc,tgllp", "ocloc 24.1", "error");
    auto ra = ArchiveReader::openMemory(a), rb = ArchiveReader::openMemory(b);
    ASSERT_TRUE(ra && rb);
    auto m = rewrittenMetadata({&*ra, &*rb}, {kPvc, kAcmG10, kPvc});
    EXPECT_EQ(m.meta["devices.expanded"], "acm-g10,pvc"); // IP order, once each
    EXPECT_EQ(m.meta["devices.input"], "ats-m150,pvc,tgllp");
    EXPECT_EQ(m.meta["compiler"], "ocloc 22.43; ocloc 24.1");
    EXPECT_TRUE(m.compilersDiffer);
    EXPECT_EQ(m.meta["options"], "-O2");       // every input agrees
    EXPECT_FALSE(m.meta.count("fp64_policy")); // they differ: not claimed for the result
    auto one = rewrittenMetadata({&*ra}, {kPvc});
    EXPECT_EQ(one.meta["fp64_policy"], "poison");
    EXPECT_FALSE(one.compilersDiffer);
}

TEST(Archive, PayloadsAreCompressedAndAligned) {
    Bytes bytes = exampleBytes();
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r);
    std::uint64_t raw = 0, stored = 0;
    for (std::uint32_t i = 0; i < r->blobCount(); ++i) {
        auto b = r->blob(i);
        EXPECT_EQ(b.offset % kPayloadAlignment, 0u);
        raw += b.rawSize;
        stored += b.storedSize;
    }
    EXPECT_LT(stored * 2, raw); // zebins compress well
}

TEST(Archive, IdenticalPayloadsAreStoredOnce) {
    ArchiveWriter w = exampleWriter();
    ASSERT_TRUE(w.addSpirv("copy", testData("vector_ops.spv"), {}));
    ASSERT_TRUE(w.addNative("copy", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    Bytes bytes = *w.finish();
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->entryCount(), 5u);
    EXPECT_EQ(r->blobCount(), 3u);
}

TEST(Archive, ByteReproducibleRegardlessOfInsertionOrderAndThreads) {
    ArchiveWriter reversed;
    reversed.setArchiveMetadata("devices.input", "ats-m150,pvc");
    ASSERT_TRUE(reversed.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"),
                                   {{"target", "pvc"}}));
    ASSERT_TRUE(reversed.addNative("vector_ops", kAcmG10, testData("vector_ops.12.55.8.bin"),
                                   {{"target", "acm-g10"}}));
    ASSERT_TRUE(reversed.addSpirv("vector_ops", testData("vector_ops.spv"),
                                  {{"entry_points", "vadd,saxpy"}}));
    WriterOptions oneThread;
    oneThread.threads = 1;
    EXPECT_EQ(*reversed.finish(oneThread), exampleBytes());
}

TEST(Archive, SameContentTwiceIsKeptOnceDifferentContentConflicts) {
    ArchiveWriter w = exampleWriter();
    EXPECT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    auto st = w.addNative("vector_ops", kPvc, testData("vector_ops.12.55.8.bin"), {});
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, Errc::Conflict);
    EXPECT_EQ(st.error().message,
              "module 'vector_ops' has two different binaries for target 12.60.7");
}

TEST(Archive, HostileModuleNamesAreRejected) {
    std::vector<std::string> hostile = {"../x",        "/abs",    "a/b", std::string("a\0b", 3),
                                        "\x1b[31mred", ".hidden", "",    "sp ace"};
    for (const auto& name : hostile) {
        ArchiveWriter w;
        auto st = w.addSpirv(name, {1, 2, 3, 4}, {});
        EXPECT_FALSE(st) << name;
        if (!st) {
            EXPECT_EQ(st.error().code, Errc::BadInput);
        }
    }
}

TEST(Archive, EmptyArchiveIsValid) {
    Bytes bytes = *ArchiveWriter().finish();
    auto r = ArchiveReader::openMemory(bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->entryCount(), 0u);
}

// The build cache's archive-ready payloads: used only for exactly the raw bytes they hold.
TEST(StoredPayload, RoundTripsAndRefusesWhatDoesNotMatch) {
    Bytes raw(5000);
    for (std::size_t i = 0; i < raw.size(); ++i)
        raw[i] = static_cast<std::uint8_t>(i % 7);
    auto blob = archive::compressPayload(raw, 19);
    Bytes entry = archive::encodeStoredPayload(blob);
    auto back = archive::decodeStoredPayload(entry, raw);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->stored, blob.stored);
    EXPECT_EQ(back->level, 19);
    Bytes other = raw;
    other[10] ^= 1;
    EXPECT_FALSE(archive::decodeStoredPayload(entry, other)); // another payload
    Bytes damaged = entry;
    damaged[damaged.size() - 3] ^= 0x40; // inside the zstd frame: decompresses wrong or not at all
    EXPECT_FALSE(archive::decodeStoredPayload(damaged, raw));
    EXPECT_FALSE(archive::decodeStoredPayload(ByteView(entry).first(10), raw));
}

// Format 1.1: SPIR-V may be stored as byte planes (archive/payload_codec.h), whichever of the two
// is smaller; anything else is plain zstd. Both read back exactly.
TEST(PayloadCodec, SpirvTakesTheSmallerOfPlainAndBytePlanes) {
    Bytes words = {0x03, 0x02, 0x23, 0x07, 0x00, 0x00, 0x01, 0x00}; // magic, version 1.0
    words.resize(20, 0);
    for (std::uint32_t i = 0; i < 20000; ++i) { // OpIAdd-like: small ids, zero high bytes
        for (std::uint32_t w : {0x00050080u, 7u, 1000 + i, 1000 + i / 2, 1000 + i / 3})
            for (int b = 0; b < 4; ++b)
                words.push_back(static_cast<std::uint8_t>(w >> (8 * b)));
    }
    auto blob = compressPayload(words, 9);
    EXPECT_EQ(blob.compression, Compression::ZstdBytePlanes);
    auto back = decompressPayload(blob.stored, blob.compression, blob.rawSize);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, words);
    // The example module is small and mostly names: plain zstd is smaller there.
    Bytes spirv = testData("vector_ops.spv");
    auto small = compressPayload(spirv, 19);
    EXPECT_EQ(small.compression, Compression::Zstd);
    EXPECT_EQ(*decompressPayload(small.stored, small.compression, small.rawSize), spirv);
    // A zebin is never taken for SPIR-V.
    EXPECT_EQ(compressPayload(testData("vector_ops.12.60.7.bin"), 19).compression,
              Compression::Zstd);
    // Through the writer and the reader, and as the build cache keeps it.
    ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("big", words, {}));
    Bytes archive = *w.finish();
    auto r = ArchiveReader::openMemory(archive);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->blob(0).compression, Compression::ZstdBytePlanes);
    EXPECT_EQ(*r->payload(*r->find("big", EntryKind::Spirv)), words);
    EXPECT_TRUE(decodeStoredPayload(encodeStoredPayload(blob), words));
}

#include "archive/signing.h"

#include "common/subprocess.h"

#include <sys/prctl.h>
#include <sys/stat.h>

namespace aotpack::archive {
namespace {

// Signing in memory: the statement pins entries and metadata; a private key makes the process
// undumpable (no core file with the key); keys with loose modes are refused.
TEST(ArchiveSigning, SignVerifyAndWhatTheSignatureCovers) {
    aotpack::TempDir dir;
    ASSERT_TRUE(crypto::Ed25519Key::generate(dir.path() / "k"));
    auto key = crypto::Ed25519Key::loadPrivate(dir.path() / "k");
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    auto pub = crypto::Ed25519Key::loadPublic(dir.path() / "k.pub");
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->id(), key->id());
    ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("m", testData("vector_ops.spv"), {{"options", "-O2"}}));
    w.setArchiveMetadata("devices.input", "pvc");
    auto bytes = w.finish();
    ASSERT_TRUE(bytes);
    auto unsignedArchive = ArchiveReader::openMemory(*bytes);
    ASSERT_TRUE(unsignedArchive);
    auto signedBytes = signArchive(*unsignedArchive, {*key});
    ASSERT_TRUE(signedBytes) << signedBytes.error().message;
    auto archive = ArchiveReader::openMemory(*signedBytes);
    ASSERT_TRUE(archive) << archive.error().message;
    EXPECT_EQ(archive->minorVersion(), 2);
    auto verified = VerifiedArchive::check(*archive, {*pub});
    ASSERT_TRUE(verified) << verified.error().message;
    auto e = archive->find("m", EntryKind::Spirv);
    ASSERT_TRUE(e);
    EXPECT_TRUE(verified->checkEntry(*archive, *e));
    // One flipped bit in the stored payload: the signed digest no longer matches (checked before
    // the payload's own checksums are read).
    Bytes forged = *signedBytes;
    std::size_t at = archive->blob(e->blob).offset + 10;
    forged[at] ^= 1;
    auto forgedArchive = ArchiveReader::openMemory(forged);
    ASSERT_TRUE(forgedArchive);
    auto forgedVerified = VerifiedArchive::check(*forgedArchive, {*pub});
    ASSERT_TRUE(forgedVerified);
    EXPECT_EQ(forgedVerified->checkEntry(*forgedArchive, *e).error().code, Errc::BadArchive);
    EXPECT_FALSE(VerifiedArchive::check(*unsignedArchive, {*pub}));
    EXPECT_FALSE(VerifiedArchive::check(*archive, {}));
    // Signing again with the same key keeps one signature by it; the content is unchanged.
    auto again = signArchive(*archive, {*key});
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *signedBytes);
    ::chmod((dir.path() / "k").c_str(), 0640);
    EXPECT_EQ(crypto::Ed25519Key::loadPrivate(dir.path() / "k").error().code, Errc::BadInput);
}

} // namespace
} // namespace aotpack::archive
