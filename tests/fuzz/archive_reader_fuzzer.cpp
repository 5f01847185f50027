// libFuzzer target: the archive reader must reject any input cleanly, and every payload it accepts
// must decompress within the declared limits - opened as the tools open archives (every index
// check) and as the runtime does (IndexChecks::Lookup: records checked as lookups read them).
#include "archive/reader.h"
#include "archive/signing.h"

using aotpack::archive::ArchiveReader;
using aotpack::archive::EntryKind;
using aotpack::archive::IndexChecks;

static void useAsTheTools(const ArchiveReader& reader) {
    for (const auto& e : reader.entries()) {
        (void)reader.metadata(e);
        (void)reader.payload(e);
    }
    (void)reader.archiveMetadata();
    (void)reader.targets();
    // A signed archive's block (format 1.2): parsed with bounds checks, its statement built, and
    // checked against no trusted key (a fuzzer cannot forge a signature).
    if (auto block = aotpack::archive::readSignatureBlock(reader); block && *block)
        (void)(*block)->statement();
    (void)aotpack::archive::VerifiedArchive::check(reader, {});
}

static void useAsTheRuntime(const ArchiveReader& reader) {
    for (auto module : reader.modules()) {
        for (const auto& e : reader.nativeEntries(module))
            if (reader.checkEntry(e)) (void)reader.payloadView(e);
        if (auto s = reader.find(module, EntryKind::Spirv)) {
            (void)reader.meta(*s, "options");
            (void)reader.payload(*s);
        }
    }
    (void)reader.find("m", EntryKind::Native, 0x030f0007);
    (void)reader.checkIndex();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    aotpack::ByteView bytes(data, size);
    if (auto reader = ArchiveReader::openMemory(bytes)) useAsTheTools(*reader);
    if (auto reader = ArchiveReader::openMemory(bytes, "<fuzz>", IndexChecks::Lookup))
        useAsTheRuntime(*reader);
    return 0;
}
