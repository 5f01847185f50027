// Per-GPU delivery (docs/DELIVERY.md): `aotpack split` cuts an archive into one piece
// per target (its native binaries plus every module's SPIR-V, so a piece also JITs on other GPUs)
// and one SPIR-V-only piece; `--by compat` puts targets whose binaries serve each other (the
// device database's compatibility table) into one piece. `aotpack merge` of all the pieces
// writes the original archive byte for byte.
//
// A piece is an ordinary archive: the original's metadata with `devices.expanded` naming only
// its own targets, plus
//   split.of      SHA-256 of the original archive file (signature included): what a merge makes
//   split.signature  a signed original's signature block (hex), which the merge appends again
//   split.index   1..split.count, and split.count
//   split.piece   "spirv" or its targets, "acm-g10+acm-g11"
//   split.pieces  every piece's split.piece, in index order (names a missing piece)
//   split.meta.K  every archive metadata key K of the original, as it was
// Payloads keep the original's stored bytes (nothing is compressed again).
#pragma once

#include "archive/reader.h"
#include "archive/writer.h"

#include <string>
#include <vector>

namespace aotpack::delivery {

inline constexpr const char* kSplitOf = "split.of";
inline constexpr const char* kSplitIndex = "split.index";
inline constexpr const char* kSplitCount = "split.count";
inline constexpr const char* kSplitPiece = "split.piece";
inline constexpr const char* kSplitSignature = "split.signature";
inline constexpr const char* kSplitPieces = "split.pieces";
inline constexpr const char* kSplitMetaPrefix = "split.meta.";

enum class SplitBy { Target, Compat };

struct SplitOptions {
    SplitBy by = SplitBy::Target;
    // Target pieces hold natives only (no SPIR-V): the smallest download for a GPU with
    // binaries, which then cannot JIT (a driver that rejects the binary, another GPU); the
    // SPIR-V piece still holds every module's SPIR-V, and merge still restores the original.
    bool nativesOnly = false;
};

struct SplitPiece {
    std::string name; // "spirv", "pvc", "acm-g10+acm-g11": the file's middle name
    archive::ArchiveWriter writer;
};

// Errors: an archive that is itself a piece (Usage), a payload that does not read (BadArchive).
Expected<std::vector<SplitPiece>> splitArchive(const archive::ArchiveReader& in,
                                               const SplitOptions& options);

bool isSplitPiece(const archive::ArchiveReader& in);

// The original archive's bytes from all its pieces, signature block included: checked against
// split.of. Errors (exit 8, Conflict) name the piece: a piece of another archive, given twice, or
// missing (by its targets and file name); or say the merged bytes are not the original's.
// `partial`: some pieces may be missing on purpose; the result is an archive of the given
// pieces' entries whose devices.expanded names their targets (unsigned: not the original).
Expected<Bytes> mergeSplitPieces(const std::vector<const archive::ArchiveReader*>& pieces,
                                 bool partial = false);

} // namespace aotpack::delivery
