// libFuzzer target: the archive reader must reject any input cleanly, and every payload it accepts
// must decompress within the declared limits.
#include "archive/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto reader = aotpack::archive::ArchiveReader::openMemory(aotpack::ByteView(data, size));
    if (!reader) return 0;
    for (const auto& e : reader->entries()) {
        (void)reader->metadata(e);
        (void)reader->payload(e);
    }
    (void)reader->archiveMetadata();
    (void)reader->targets();
    return 0;
}
