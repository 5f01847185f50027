// archive/split: pieces of an archive merge back into its bytes (signed or not), missing pieces
// are named by their targets and files, and a partial merge is an ordinary archive of what was
// given. On real test binaries (tests/data), in memory.
#include "archive/signing.h"
#include "common/subprocess.h"
#include "crypto/ed25519.h"
#include "delivery/split.h"
#include "test_data.h"

#include <gtest/gtest.h>

using namespace aotpack;
using namespace aotpack::archive;
using namespace aotpack::delivery;

namespace {

Bytes original() {
    ArchiveWriter w;
    EXPECT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kAcmG10, testData("vector_ops.12.55.8.bin"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    w.setArchiveMetadata("devices.expanded", "acm-g10,pvc");
    return *w.finish();
}

// The pieces as files would read them: "<dir>/app.<piece>.aotpack".
std::vector<ArchiveReader> piecesOf(const Bytes& file, std::vector<Bytes>& storage) {
    auto in = ArchiveReader::openMemory(file, "app.aotpack");
    EXPECT_TRUE(in);
    auto pieces = splitArchive(*in, {});
    EXPECT_TRUE(pieces);
    storage.reserve(pieces->size()); // readers keep views into these bytes
    std::vector<ArchiveReader> readers;
    for (auto& p : *pieces) {
        storage.push_back(*p.writer.finish());
        readers.push_back(
            *ArchiveReader::openMemory(storage.back(), "P/app." + p.name + ".aotpack"));
    }
    return readers;
}

std::vector<const ArchiveReader*> pointers(const std::vector<ArchiveReader>& readers,
                                           std::vector<std::size_t> which) {
    std::vector<const ArchiveReader*> out;
    for (auto i : which)
        out.push_back(&readers[i]);
    return out;
}

TEST(Split, PiecesMergeIntoTheOriginalBytes) {
    Bytes file = original();
    std::vector<Bytes> storage;
    auto readers = piecesOf(file, storage);
    ASSERT_EQ(readers.size(), 3u); // acm-g10, pvc, spirv
    auto merged = mergeSplitPieces(pointers(readers, {2, 0, 1}));
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(*merged, file);
}

TEST(Split, ASignedArchiveMergesIntoItsSignedBytes) {
    TempDir dir;
    ASSERT_TRUE(crypto::Ed25519Key::generate(dir.path() / "k.key"));
    auto key = crypto::Ed25519Key::loadPrivate(dir.path() / "k.key");
    ASSERT_TRUE(key);
    auto signedFile = signArchiveBytes(original(), "app.aotpack", {*key});
    ASSERT_TRUE(signedFile);
    std::vector<Bytes> storage;
    auto readers = piecesOf(*signedFile, storage);
    auto merged = mergeSplitPieces(pointers(readers, {0, 1, 2}));
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(*merged, *signedFile);
}

TEST(Split, MissingPiecesAreNamedByTargetAndFile) {
    std::vector<Bytes> storage;
    auto readers = piecesOf(original(), storage);
    auto merged = mergeSplitPieces(pointers(readers, {1}));
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().code, Errc::Conflict);
    EXPECT_NE(merged.error().message.find("2 of 3 pieces missing: P/app.acm-g10.aotpack (acm-g10), "
                                          "P/app.spirv.aotpack (spirv)"),
              std::string::npos)
        << merged.error().message;
}

TEST(Split, APartialMergeHoldsOnlyTheGivenTargets) {
    std::vector<Bytes> storage;
    auto readers = piecesOf(original(), storage);
    auto merged = mergeSplitPieces(pointers(readers, {1, 2}), /*partial=*/true);
    ASSERT_TRUE(merged) << merged.error().message;
    auto in = ArchiveReader::openMemory(*merged, "partial");
    ASSERT_TRUE(in);
    EXPECT_EQ(in->targets(), std::vector<std::uint32_t>{kPvc});
    EXPECT_EQ(in->archiveMeta("devices.expanded"), "pvc");
    EXPECT_TRUE(in->find("vector_ops", EntryKind::Spirv));
}

TEST(Split, APieceOfAnotherArchiveIsRefused) {
    std::vector<Bytes> a, b;
    auto first = piecesOf(original(), a);
    ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("other", testData("vector_ops.spv"), {}));
    auto second = piecesOf(*w.finish(), b);
    std::vector<const ArchiveReader*> mixed{&first[0], &second[0]};
    auto merged = mergeSplitPieces(mixed);
    ASSERT_FALSE(merged);
    EXPECT_NE(merged.error().message.find("is not a piece of the same split archive"),
              std::string::npos);
}

} // namespace
