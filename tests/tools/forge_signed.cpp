// Fault injection for signed archives: what a forger without the key can make. Every output has
// valid checksums (header, index, payloads), so only the signature can tell.
//   forge_signed graft SIGNED OTHER OUT   OTHER (any archive, e.g. a changed copy) with SIGNED's
//                                         signature block attached
//   forge_signed flip-signature IN OUT    one bit of the first signature flipped
//   forge_signed flip-digest IN OUT       one bit of the first entry's digest flipped
//   forge_signed truncate IN OUT          the signature block cut short by 10 bytes
//   forge_signed set-meta IN OUT KEY VAL  IN rewritten with archive metadata KEY=VAL, unsigned
#include "archive/reader.h"
#include "archive/signing.h"
#include "archive/writer.h"
#include "common/file_io.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace aotpack;

namespace {

Expected<archive::ArchiveReader> open(const char* path) {
    return archive::ArchiveReader::openFile(path);
}

int setMeta(const archive::ArchiveReader& in, const char* out, const char* key, const char* value) {
    archive::ArchiveWriter w;
    for (const auto& [k, v] : in.archiveMetadata())
        w.setArchiveMetadata(std::string(k), std::string(v));
    w.setArchiveMetadata(key, value);
    for (const auto& e : in.entries()) {
        archive::Metadata meta;
        for (const auto& [k, v] : in.metadata(e))
            meta[std::string(k)] = std::string(v);
        auto payload = in.payload(e);
        if (!payload) return 1;
        auto st = e.kind == archive::EntryKind::Native
                      ? w.addNative(std::string(e.module), e.targetIp, std::move(*payload), meta)
                      : w.addSpirv(std::string(e.module), std::move(*payload), meta);
        if (!st) return 1;
    }
    return archive::writeArchiveFile(out, w) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(
            stderr, "usage: forge_signed graft|flip-signature|flip-digest|truncate|set-meta ...\n");
        return 2;
    }
    std::string what = argv[1];
    auto in = open(argv[2]);
    if (!in) {
        std::fprintf(stderr, "forge_signed: %s\n", in.error().message.c_str());
        return 1;
    }
    if (what == "set-meta" && argc == 6) return setMeta(*in, argv[3], argv[4], argv[5]);
    Bytes block(in->signatureBlock().begin(), in->signatureBlock().end());
    ByteView target = in->unsignedBytes();
    std::optional<archive::ArchiveReader> other;
    const char* out = argv[3];
    if (what == "graft" && argc == 5) {
        other.emplace(*open(argv[3]));
        target = other->unsignedBytes();
        out = argv[4];
    } else if (block.size() < 64 + 32 + 96) {
        std::fprintf(stderr, "forge_signed: '%s' is not signed\n", argv[2]);
        return 1;
    } else if (what == "flip-signature") {
        block[block.size() - 64 + 5] ^= 0x01; // inside the last signature's 64 bytes
    } else if (what == "flip-digest") {
        std::uint32_t entries;
        std::memcpy(&entries, block.data() + 12, 4);
        block[64 + (entries + 255) / 256 * 32] ^= 0x01; // the first entry's digest
    } else if (what == "truncate") {
        block.resize(block.size() - 10);
    } else if (what != "graft") {
        std::fprintf(stderr, "forge_signed: unknown forgery '%s'\n", what.c_str());
        return 2;
    }
    return writeFileAtomic(out, archive::withSignatureBlock(target, block)) ? 0 : 1;
}
