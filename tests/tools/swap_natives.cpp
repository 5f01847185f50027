// Fault injection for the runtime: swap_natives IN OUT ZEBIN writes a copy of archive IN in which
// every native binary is replaced by the file ZEBIN (a valid zebin built for another GPU), under
// its original target label. A driver given such an archive rejects every native binary, which
// no simulated device does on its own.
#include "archive/reader.h"
#include "archive/writer.h"
#include "common/file_io.h"

#include <cstdio>

using namespace aotpack;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: swap_natives IN.aotpack OUT.aotpack ZEBIN\n");
        return 2;
    }
    auto in = archive::ArchiveReader::openFile(argv[1]);
    auto zebin = readFile(argv[3]);
    if (!in || !zebin) {
        std::fprintf(stderr, "swap_natives: cannot read %s or %s\n", argv[1], argv[3]);
        return 1;
    }
    archive::ArchiveWriter out;
    for (const auto& [k, v] : in->archiveMetadata())
        out.setArchiveMetadata(std::string(k), std::string(v));
    for (const auto& e : in->entries()) {
        if (e.kind != archive::EntryKind::Native && e.kind != archive::EntryKind::Spirv)
            continue; // dictionaries: the writer carries those its payloads use
        archive::Metadata meta;
        for (const auto& [k, v] : in->metadata(e))
            meta[std::string(k)] = std::string(v);
        auto payload =
            e.kind == archive::EntryKind::Native ? Expected<Bytes>(*zebin) : in->payload(e);
        if (!payload) return 1;
        auto st = e.kind == archive::EntryKind::Native
                      ? out.addNative(std::string(e.module), e.targetIp, std::move(*payload), meta)
                      : out.addSpirv(std::string(e.module), std::move(*payload), meta);
        if (!st) return 1;
    }
    return archive::writeArchiveFile(argv[2], out) ? 0 : 1;
}
