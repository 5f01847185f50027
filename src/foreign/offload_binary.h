// LLVM's OffloadBinary container (magic 0x10FF10AD; llvm/include/llvm/Object/OffloadBinary.h,
// llvm/lib/Object/OffloadBinary.cpp), every version its sources define:
//   v1 (LLVM 15-19): a 32-byte header {magic, version, size, entry offset, entry size}, one entry,
//      string-map records {key offset, value offset} of NUL-terminated strings;
//   v2: the header's fourth field counts entries; string records add the value's size;
//   v3: a 40-byte header whose InflatedSize, when not 0, says the entries and everything after
//      them are zstd (or zlib) compressed.
// Several binaries may follow each other in one section, each 8-byte aligned. Bounds-checked.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aotpack::foreign {

struct OffloadEntry {
    std::uint32_t version = 0;
    std::uint16_t imageKind = 0;   // 1 object, 2 bitcode, 3 cubin, 4 fatbinary, 5 PTX, 6 SPIR-V
    std::uint16_t offloadKind = 0; // 1 OpenMP, 2 CUDA, 4 HIP, 8 SYCL
    std::map<std::string, std::string> strings; // triple, arch, kind, compile-opts, ...
    ByteView image;          // into the bytes read, or into `inflated` (a compressed v3 container)
    bool compressed = false; // the container was compressed (v3)
    std::shared_ptr<const Bytes> inflated;
};

constexpr std::uint8_t kOffloadMagic[4] = {0x10, 0xFF, 0x10, 0xAD};

bool looksLikeOffloadBinary(ByteView bytes);
const char* imageKindName(std::uint16_t kind);
const char* offloadKindName(std::uint16_t kind);

// One binary at the start of `bytes`: its entries and its size on disk (for the next one).
struct OffloadBinary {
    std::vector<OffloadEntry> entries;
    std::uint64_t size = 0;
};
Expected<OffloadBinary> readOffloadBinary(ByteView bytes);

} // namespace aotpack::foreign
