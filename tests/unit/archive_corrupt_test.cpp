// One test per validation rule of docs/FORMAT.md: each corruption is made on a valid archive of
// real data, with checksums recomputed where the rule is about structure rather than checksums.
#include "archive/reader.h"
#include "archive/writer.h"
#include "common/hash.h"
#include "test_data.h"

#include <cstring>
#include <functional>

using namespace aotpack;
using namespace aotpack::archive;

namespace {

Bytes valid() {
    ArchiveWriter w;
    EXPECT_TRUE(
        w.addSpirv("vector_ops", testData("vector_ops.spv"), {{"entry_points", "vadd,saxpy"}}));
    EXPECT_TRUE(w.addNative("vector_ops", 0x030dc008, testData("vector_ops.12.55.8.bin"),
                            {{"target", "acm-g10"}}));
    EXPECT_TRUE(w.addNative("vector_ops", 0x030f0007, testData("vector_ops.12.60.7.bin"),
                            {{"target", "pvc"}}));
    w.setArchiveMetadata("tool", "test");
    return *w.finish();
}

FileHeader header(const Bytes& b) {
    FileHeader h;
    std::memcpy(&h, b.data(), sizeof h);
    return h;
}

void resealHeader(Bytes& b, FileHeader h) {
    h.headerChecksum = hash64(
        ByteView(reinterpret_cast<const std::uint8_t*>(&h), offsetof(FileHeader, headerChecksum)));
    std::memcpy(b.data(), &h, sizeof h);
}

// Edits the index through `edit`, then recomputes both checksums so only the structural rule fails.
Bytes withIndex(const std::function<void(std::uint8_t* index, IndexHeader& ih)>& edit) {
    Bytes b = valid();
    FileHeader h = header(b);
    std::uint8_t* index = b.data() + h.indexOffset;
    IndexHeader ih;
    std::memcpy(&ih, index, sizeof ih);
    edit(index, ih);
    std::memcpy(index, &ih, sizeof ih);
    h.indexChecksum = hash64(ByteView(index, h.indexSize));
    resealHeader(b, h);
    return b;
}

std::uint8_t* entryAt(std::uint8_t* index, std::uint32_t i) {
    return index + sizeof(IndexHeader) + i * sizeof(EntryRecord);
}
std::uint8_t* blobAt(std::uint8_t* index, const IndexHeader& ih, std::uint32_t i) {
    return entryAt(index, ih.entryCount) + i * sizeof(BlobRecord);
}

template <class T, class F> void patch(std::uint8_t* at, F change) {
    T value;
    std::memcpy(&value, at, sizeof value);
    change(value);
    std::memcpy(at, &value, sizeof value);
}

// What a runtime does with an archive opened under IndexChecks::Lookup: lookups, metadata and
// payloads of what they find. On a damaged index none of it may crash or read outside the file.
void useAsARuntimeWould(const ArchiveReader& r) {
    for (auto module : r.modules()) {
        for (const auto& e : r.nativeEntries(module))
            if (r.checkEntry(e)) (void)r.payload(e);
        if (auto s = r.find(module, EntryKind::Spirv)) {
            (void)r.metadata(*s);
            (void)r.payloadView(*s);
        }
    }
}

// The message of the first rule `b` breaks. Both ways of opening must agree on it:
// IndexChecks::Full refuses at open; IndexChecks::Lookup refuses at open for the layout rules and
// reports the same message from checkIndex() for the rules it leaves out.
std::string openError(const Bytes& b) {
    auto full = ArchiveReader::openMemory(b, "t.aotpack");
    auto lookup = ArchiveReader::openMemory(b, "t.aotpack", IndexChecks::Lookup);
    if (lookup) useAsARuntimeWould(*lookup);
    auto whole = lookup ? lookup->checkIndex() : Status(lookup.error());
    if (full) {
        EXPECT_TRUE(whole);
        return "opened";
    }
    EXPECT_EQ(full.error().code, Errc::BadArchive);
    EXPECT_EQ(whole ? "no error under IndexChecks::Lookup" : whole.error().message,
              full.error().message);
    return full.error().message;
}

std::string payloadError(const Bytes& b) {
    auto r = ArchiveReader::openMemory(b, "t.aotpack");
    if (!r) return "open: " + r.error().message;
    auto st = r->verifyPayloads();
    return st ? "verified" : st.error().message;
}

const std::string kPrefix = "'t.aotpack' is not a valid aotpack archive: ";

} // namespace

TEST(ArchiveCorrupt, TooShort) {
    EXPECT_EQ(openError(Bytes(10, 0)), kPrefix + "file is too short (10 bytes)");
}

TEST(ArchiveCorrupt, WrongMagic) {
    Bytes b = valid();
    b[0] = 'X';
    EXPECT_EQ(openError(b), kPrefix + "wrong magic (not an aotpack archive)");
}

TEST(ArchiveCorrupt, NewerMajorVersion) {
    Bytes b = valid();
    FileHeader h = header(b);
    h.major = 2;
    resealHeader(b, h);
    EXPECT_EQ(openError(b),
              "'t.aotpack' is archive format 2.1; this aotpack reads format 1.x (upgrade aotpack)");
}

TEST(ArchiveCorrupt, NewerMinorVersionIsRead) {
    Bytes b = valid();
    FileHeader h = header(b);
    h.minor = 7;
    resealHeader(b, h);
    EXPECT_EQ(openError(b), "opened");
}

TEST(ArchiveCorrupt, HeaderChecksum) {
    Bytes b = valid();
    b[20] ^= 1;
    EXPECT_EQ(openError(b), kPrefix + "header checksum mismatch");
}

TEST(ArchiveCorrupt, Truncated) {
    Bytes b = valid();
    b.resize(b.size() - 100);
    EXPECT_NE(openError(b).find("(truncated?)"), std::string::npos);
}

TEST(ArchiveCorrupt, IndexOutsideFile) {
    Bytes b = valid();
    FileHeader h = header(b);
    h.indexSize = ~0ull - 10;
    resealHeader(b, h);
    EXPECT_EQ(openError(b), kPrefix + "index lies outside the file");
}

TEST(ArchiveCorrupt, IndexChecksum) {
    Bytes b = valid();
    b[header(b).indexOffset + 40] ^= 1;
    EXPECT_EQ(openError(b), kPrefix + "index checksum mismatch");
}

TEST(ArchiveCorrupt, HugeEntryCount) {
    EXPECT_EQ(
        openError(withIndex([](std::uint8_t*, IndexHeader& ih) { ih.entryCount = 0xffffffff; })),
        kPrefix + "too many entries");
}

TEST(ArchiveCorrupt, TablesDoNotAddUp) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t*, IndexHeader& ih) { ih.kvCount += 1; })),
              kPrefix + "index tables do not add up to the index size");
}

TEST(ArchiveCorrupt, ArchiveMetadataOutOfRange) {
    EXPECT_EQ(
        openError(withIndex([](std::uint8_t*, IndexHeader& ih) { ih.archiveKvCount = 1000; })),
        kPrefix + "archive metadata out of range");
}

TEST(ArchiveCorrupt, MetadataStringOffset) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  std::uint8_t* kv = blobAt(index, ih, ih.blobCount);
                  patch<KvRecord>(kv, [](KvRecord& r) { r.value = 0xfffffff0; });
              })),
              kPrefix + "metadata string offset out of range");
}

TEST(ArchiveCorrupt, UnalignedPayload) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  patch<BlobRecord>(blobAt(index, ih, 1), [](BlobRecord& r) { r.offset += 8; });
              })),
              kPrefix + "payload 1 is not 64-byte aligned");
}

TEST(ArchiveCorrupt, OverlappingPayloads) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  BlobRecord first;
                  std::memcpy(&first, blobAt(index, ih, 0), sizeof first);
                  patch<BlobRecord>(blobAt(index, ih, 1),
                                    [&](BlobRecord& r) { r.offset = first.offset; });
              })),
              kPrefix + "payload 1 overlaps the index or another payload");
}

TEST(ArchiveCorrupt, PayloadOutsideFile) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  patch<BlobRecord>(blobAt(index, ih, ih.blobCount - 1),
                                    [](BlobRecord& r) { r.storedSize = 1ull << 40; });
              })),
              kPrefix + "payload 2 lies outside the file");
}

TEST(ArchiveCorrupt, DecompressionBombIsRefusedBeforeAllocating) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  patch<BlobRecord>(blobAt(index, ih, 0),
                                    [](BlobRecord& r) { r.rawSize = 1ull << 40; });
              })),
              kPrefix + "payload 0 declares 1099511627776 bytes (limit 1 GiB)");
}

TEST(ArchiveCorrupt, UnknownCompression) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  patch<BlobRecord>(blobAt(index, ih, 0), [](BlobRecord& r) { r.compression = 9; });
              })),
              kPrefix + "payload 0 uses compression 9, which this aotpack does not know (written "
                        "by a newer one?)");
}

TEST(ArchiveCorrupt, BadModuleNameOffset) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader&) {
                  patch<EntryRecord>(entryAt(index, 0),
                                     [](EntryRecord& r) { r.module = 0xffffff00; });
              })),
              kPrefix + "entry 0 has a bad module name offset");
}

TEST(ArchiveCorrupt, HostileModuleName) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  std::uint8_t* strings =
                      blobAt(index, ih, ih.blobCount) + ih.kvCount * sizeof(KvRecord);
                  EntryRecord e;
                  std::memcpy(&e, entryAt(index, 0), sizeof e);
                  std::memcpy(strings + e.module, "../../etc", 9);
              })),
              kPrefix + "module name '../../etcs' starts with '.'");
}

TEST(ArchiveCorrupt, MissingPayloadIndex) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader&) {
                  patch<EntryRecord>(entryAt(index, 1), [](EntryRecord& r) { r.blob = 77; });
              })),
              kPrefix + "entry 1 refers to a missing payload");
}

TEST(ArchiveCorrupt, EntryMetadataOutOfRange) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader&) {
                  patch<EntryRecord>(entryAt(index, 1), [](EntryRecord& r) { r.kvCount = 1000; });
              })),
              kPrefix + "entry 1 metadata out of range");
}

TEST(ArchiveCorrupt, UnsortedOrDuplicateEntries) {
    EXPECT_EQ(openError(withIndex([](std::uint8_t* index, IndexHeader&) {
                  patch<EntryRecord>(entryAt(index, 2),
                                     [](EntryRecord& r) { r.targetIp = 0x030dc008; });
              })),
              kPrefix + "entries are not sorted or contain a duplicate ('vector_ops')");
}

TEST(ArchiveCorrupt, PayloadChecksum) {
    Bytes b = valid();
    auto r = ArchiveReader::openMemory(b);
    ASSERT_TRUE(r);
    std::uint64_t at = r->blob(1).offset + 5;
    b[at] ^= 0xff;
    EXPECT_EQ(payloadError(b),
              kPrefix + "payload of module 'vector_ops' for 12.55.8 fails its checksum");
}

TEST(ArchiveCorrupt, DeclaredRawSizeDisagreesWithFrame) {
    EXPECT_EQ(payloadError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
                  patch<BlobRecord>(blobAt(index, ih, 1), [](BlobRecord& r) { r.rawSize -= 1; });
              })),
              kPrefix + "payload of module 'vector_ops' for 12.55.8 declares a size that does not "
                        "match its frame");
}

TEST(ArchiveCorrupt, RawChecksum) {
    EXPECT_EQ(
        payloadError(withIndex([](std::uint8_t* index, IndexHeader& ih) {
            patch<BlobRecord>(blobAt(index, ih, 1), [](BlobRecord& r) { r.rawChecksum ^= 1; });
        })),
        kPrefix +
            "payload of module 'vector_ops' for 12.55.8 fails its checksum after decompression");
}

// Under IndexChecks::Lookup a lookup reads only the records on its way. A damaged one ends the
// search with nothing found - never a wrong or out-of-range entry - and checkIndex() names it.
TEST(ArchiveCorrupt, LookupStopsAtADamagedRecordAndCheckIndexNamesIt) {
    Bytes b = withIndex([](std::uint8_t* index, IndexHeader&) {
        patch<EntryRecord>(entryAt(index, 1), [](EntryRecord& r) { r.blob = 77; });
    });
    auto r = ArchiveReader::openMemory(b, "t.aotpack", IndexChecks::Lookup);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->find("vector_ops", EntryKind::Native, 0x030f0007)); // binary search meets 1
    EXPECT_TRUE(r->nativeEntries("vector_ops").empty());
    auto st = r->checkIndex();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, kPrefix + "entry 1 refers to a missing payload");
}

// Lookup does not hash the index: a damaged byte that leaves every record in range is found by
// checkIndex() (and by the payload checksums), not at open.
TEST(ArchiveCorrupt, LookupLeavesTheIndexChecksumToCheckIndex) {
    Bytes b = valid();
    b[header(b).indexOffset + 32 + 24] ^= 1; // entry 0: a reserved byte
    auto r = ArchiveReader::openMemory(b, "t.aotpack", IndexChecks::Lookup);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->find("vector_ops", EntryKind::Spirv));
    EXPECT_EQ(r->checkIndex().error().message, kPrefix + "index checksum mismatch");
}

// What the runtime checks before it uses the entry it selected: metadata strings and the blob.
TEST(ArchiveCorrupt, LookupCheckEntryCoversTheSelectedEntrysRecords) {
    Bytes badString = withIndex([](std::uint8_t* index, IndexHeader& ih) {
        patch<KvRecord>(blobAt(index, ih, ih.blobCount), [](KvRecord& r) { r.value = 0xfffffff0; });
    });
    auto r = ArchiveReader::openMemory(badString, "t.aotpack", IndexChecks::Lookup);
    ASSERT_TRUE(r);
    auto withBadKv = r->entries();
    ASSERT_FALSE(withBadKv.empty());
    auto first = withBadKv.front();
    EXPECT_LT(r->metadata(first).size(), first.kvCount); // the bad pair is left out, not read
    EXPECT_EQ(r->checkEntry(first).error().message,
              kPrefix + "metadata string offset out of range");

    Bytes unaligned = withIndex([](std::uint8_t* index, IndexHeader& ih) {
        patch<BlobRecord>(blobAt(index, ih, 1), [](BlobRecord& rec) { rec.offset += 8; });
    });
    auto u = ArchiveReader::openMemory(unaligned, "t.aotpack", IndexChecks::Lookup);
    ASSERT_TRUE(u);
    auto acm = u->find("vector_ops", EntryKind::Native, 0x030dc008);
    ASSERT_TRUE(acm);
    EXPECT_EQ(u->checkEntry(*acm).error().message, kPrefix + "payload 1 is not 64-byte aligned");
    EXPECT_EQ(u->payload(*acm).error().message, kPrefix + "payload 1 is not 64-byte aligned");
}
