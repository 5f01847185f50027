#include "archive/payload_codec.h"

#include "common/hash.h"

#include <memory>
#include <optional>
#include <zstd.h>

namespace aotpack::archive {
namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203;
constexpr std::size_t kPlanesOnlyBytes = 1u << 20; // SPIR-V this large: byte planes only

bool isSpirv(ByteView raw) {
    if (raw.size() < 20 || raw.size() % 4 != 0) return false;
    std::uint32_t first = raw[0] | raw[1] << 8 | raw[2] << 16 | std::uint32_t(raw[3]) << 24;
    return first == kSpirvMagic;
}

// Word i's byte p goes to plane p: out[p * words + i] = raw[4 * i + p].
Bytes toBytePlanes(ByteView raw) {
    std::size_t words = raw.size() / 4;
    Bytes out(raw.size());
    for (std::size_t i = 0; i < words; ++i)
        for (std::size_t p = 0; p < 4; ++p)
            out[p * words + i] = raw[4 * i + p];
    return out;
}

Bytes fromBytePlanes(ByteView planes) {
    std::size_t words = planes.size() / 4;
    Bytes out(planes.size());
    for (std::size_t i = 0; i < words; ++i)
        for (std::size_t p = 0; p < 4; ++p)
            out[4 * i + p] = planes[p * words + i];
    return out;
}

// A compression context reused by one thread for one use (plain, or with a dictionary). A fresh
// context allocates and zeroes its tables on every call and digests its dictionary again: on
// piglit's 30 KB payloads that was a quarter of the build's own CPU time (perf, bench/run.py's
// core-second split). zstd's output does not depend on a context being reused.
struct ReusedContext {
    std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx{ZSTD_createCCtx(), &ZSTD_freeCCtx};
    int level = -1;
    // The one loaded (ZSTD_CCtx_loadDictionary keeps it for every later frame), held so that no
    // other dictionary can take its address.
    std::shared_ptr<const Dictionary> dictionary;
};

// The frame records the content size. It has no frame checksum: the blob record carries XXH3-64
// checksums of the stored and the raw bytes (FORMAT.md), which readers check. With a dictionary
// the frame names its id (ZSTD_c_dictIDFlag), which is how a reader finds it. Null if zstd cannot
// set up (out of memory).
ZSTD_CCtx* contextFor(int level, const std::shared_ptr<const Dictionary>& dictionary) {
    thread_local ReusedContext plain, withDictionary;
    ReusedContext& reused = dictionary ? withDictionary : plain;
    ZSTD_CCtx* cctx = reused.cctx.get();
    if (!cctx) return nullptr;
    if (reused.level == level && reused.dictionary == dictionary) return cctx;
    ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
    reused.level = -1;
    reused.dictionary.reset();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 1);
    if (dictionary && ZSTD_isError(ZSTD_CCtx_loadDictionary(cctx, dictionary->bytes().data(),
                                                            dictionary->bytes().size())))
        return nullptr;
    reused.level = level;
    reused.dictionary = dictionary;
    return cctx;
}

std::optional<Bytes> zstdCompress(ByteView raw, int level,
                                  const std::shared_ptr<const Dictionary>& dictionary = nullptr) {
    ZSTD_CCtx* cctx = contextFor(level, dictionary);
    if (!cctx) return std::nullopt;
    Bytes out(ZSTD_compressBound(raw.size()));
    std::size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
    if (ZSTD_isError(n)) return std::nullopt;
    out.resize(n);
    return out;
}

Expected<Bytes> zstdDecompress(ByteView stored, std::uint64_t rawSize,
                               const Dictionary* dictionary = nullptr) {
    unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (declared != rawSize)
        return makeError(Errc::BadArchive, "declares a size that does not match its frame");
    Bytes raw(rawSize);
    // One decompression context per thread: creating one per call costs ~15% of decompressing
    // a 400 KB zebin, which is on the runtime's module-load path.
    thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(),
                                                                              &ZSTD_freeDCtx);
    const ZSTD_DDict* ddict = dictionary ? dictionary->forDecompression() : nullptr;
    if (dictionary && (!ddict || !context))
        return makeError(Errc::Internal, "cannot set up zstd's dictionary (out of memory?)");
    std::size_t n = ddict ? ZSTD_decompress_usingDDict(context.get(), raw.data(), raw.size(),
                                                       stored.data(), stored.size(), ddict)
                    : context
                        ? ZSTD_decompressDCtx(context.get(), raw.data(), raw.size(), stored.data(),
                                              stored.size())
                        : ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
    if (ZSTD_isError(n) || n != rawSize) return makeError(Errc::BadArchive, "does not decompress");
    return raw;
}

} // namespace

CompressedPayload compressPayload(ByteView raw, int level,
                                  std::shared_ptr<const Dictionary> dictionary) {
    CompressedPayload blob{{}, raw.size(), Compression::None, hash64(raw), level, nullptr};
    if (level > 0) {
        // Small modules are mostly strings (names, entry points), which planes scatter: there
        // plain zstd wins by ~10%, so SPIR-V is stored whichever way is smaller. Past 1 MiB the
        // planes were 2.1-2.7x smaller for every module measured (hashcat's 5-6.5 MB kernels,
        // docs/BENCHMARKS.md), so the plain attempt is skipped: ~0.2 s of CPU each.
        bool spirv = isSpirv(raw);
        bool planesOnly = spirv && raw.size() > kPlanesOnlyBytes;
        auto plain = planesOnly ? std::nullopt : zstdCompress(raw, level, dictionary);
        auto planes = spirv ? zstdCompress(toBytePlanes(raw), level) : std::nullopt;
        bool usePlanes = planes && (!plain || planes->size() < plain->size());
        auto& best = usePlanes ? planes : plain;
        if (best && best->size() < raw.size()) {
            blob.stored = std::move(*best);
            blob.compression = usePlanes    ? Compression::ZstdBytePlanes
                               : dictionary ? Compression::ZstdDictionary
                                            : Compression::Zstd;
            if (blob.compression == Compression::ZstdDictionary) blob.dictionary = dictionary;
            return blob;
        }
    }
    blob.stored.assign(raw.begin(), raw.end());
    return blob;
}

Expected<Bytes> decompressPayload(ByteView stored, Compression compression, std::uint64_t rawSize,
                                  const Dictionary* dictionary) {
    switch (compression) {
    case Compression::None:
        if (stored.size() != rawSize) return makeError(Errc::BadArchive, "has inconsistent sizes");
        return Bytes(stored.begin(), stored.end());
    case Compression::Zstd:
        return zstdDecompress(stored, rawSize);
    case Compression::ZstdBytePlanes: {
        auto planes = zstdDecompress(stored, rawSize);
        if (!planes) return planes.error();
        return fromBytePlanes(*planes);
    }
    case Compression::ZstdDictionary:
        if (!dictionary || dictionary->id() != frameDictionaryId(stored))
            return makeError(Errc::BadArchive, "needs zstd dictionary " +
                                                   std::to_string(frameDictionaryId(stored)) +
                                                   ", which is not there");
        return zstdDecompress(stored, rawSize, dictionary);
    }
    return makeError(Errc::BadArchive,
                     "uses compression " + std::to_string(static_cast<std::uint32_t>(compression)) +
                         ", which this aotpack does not know (written by a newer one?)");
}

const char* compressionName(Compression compression) {
    switch (compression) {
    case Compression::None:
        return "none";
    case Compression::Zstd:
        return "zstd";
    case Compression::ZstdBytePlanes:
        return "zstd-byte-planes";
    case Compression::ZstdDictionary:
        return "zstd-dictionary";
    }
    return "unknown";
}

bool knownCompression(std::uint32_t code) {
    return code <= static_cast<std::uint32_t>(Compression::ZstdDictionary);
}

} // namespace aotpack::archive
