// SYCLBIN, DPC++'s file of separately compiled SYCL device code (intel/llvm:
// sycl/doc/design/SYCLBINDesign.md, llvm/include/llvm/Object/SYCLBIN.h,
// llvm/lib/Object/SYCLBIN.cpp):
//   v1: "SYBI" (0x53594249), a 56-byte file header {magic, version, abstract module count, IR
//       module count, native image count, metadata table size, binary table size, global
//       metadata offset and size}, 32-byte abstract module headers {metadata offset/size, IR
//       count/first, native count/first}, 32-byte IR and native headers {metadata offset/size,
//       bytes offset/size}, then the metadata byte table (8-aligned) and the binary byte table;
//       bare, or as the one entry of an OffloadBinary with image kind 7 (IMG_SYCLBIN);
//   v2: a multi-entry OffloadBinary whose entries are all image kind 7 with a "role" string
//       (global_metadata, am_metadata, ir, native) and "am_index"; an ir or native entry's image
//       is [u64 metadata size][metadata property set][the IR or native code].
// Bounds-checked: a hostile file gives an error, never a read outside it.
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "foreign/offload_binary.h"

#include <optional>
#include <string>
#include <vector>

namespace aotpack::foreign {

constexpr std::uint16_t kImageKindSyclbin = 7;

struct SyclbinImage {
    bool native = false; // else an IR module (SPIR-V)
    std::uint32_t abstractModule = 0;
    std::uint64_t offset = 0; // from the start of the SYCLBIN
    ByteView bytes;
};

bool looksLikeSyclbinV1(ByteView bytes);
Expected<std::vector<SyclbinImage>> readSyclbinV1(ByteView bytes);

// A v2 entry's device code: the IR or native code after its metadata; nothing for the
// metadata roles. Errors for an unknown role or a metadata size out of range.
Expected<std::optional<ByteView>> syclbinV2Code(const OffloadEntry& entry);

} // namespace aotpack::foreign
