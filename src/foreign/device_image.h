// What a blob of device code is, found anywhere (a file, an ELF section, an OffloadBinary
// entry, an AR member): SPIR-V, a zebin, an ocloc fat binary (AR of zebins), an aotpack archive,
// or any of these inside a zstd frame (DPC++ --offload-compress).
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::foreign {

struct NativeTarget {
    std::string name; // "pvc", or candidates when only the product family is known
    std::string ip;   // "12.60.7"; empty when the zebin does not say it exactly
};

struct DeviceImage {
    std::string where; // "section '.llvm.offloading', OffloadBinary entry 0"
    std::uint64_t offset = 0;
    std::string kind; // spirv, zebin, ocloc-ar, aotpack-archive
    bool compressed = false;
    std::uint64_t size = 0; // as stored
    std::size_t kernels = 0;
    std::vector<NativeTarget> targets;             // natives only
    std::map<std::string, std::string> properties; // triple, arch, options ... when recorded
};

enum class ImageKind { None, Spirv, Zebin, OclocAr, AotpackArchive, Zstd };

// The kind `bytes` starts with (by magic numbers only).
ImageKind sniff(ByteView bytes);

// False when no image can start with this (little-endian) first word: the scan's fast path
// (inline: it runs for every 4 bytes of a scanned section).
inline bool mayStartImage(std::uint32_t w) {
    constexpr std::uint32_t kSpirv = 0x07230203, kElf = 0x464c457f, kAr = 0x72613c21,
                            kAotpack = 0x50544f41, kZstd = 0xFD2FB528;
    return w == kSpirv || w == kElf || w == kAr || w == kAotpack || w == kZstd;
}

// LLVM bitcode (raw, or in its wrapper): never found by a scan, only where a container says
// an image is (a bundle entry).
bool looksLikeBitcode(ByteView bytes);

// Describes the image at the start of `bytes` (`where` and `offset` filled by the caller); its
// stored size when it can be known (SPIR-V and zebins say it; an AR is walked).
Expected<DeviceImage> describeImage(ByteView bytes);

// The SPIR-V module an image of kind spirv stores, decompressed if it is in a zstd frame.
Expected<Bytes> spirvOf(ByteView stored);

// The SPIR-V an ocloc fat binary carries for other GPUs (its generic_ir member, NEO's IR ELF:
// the module in an SHT_OPENCL_SPIRV section, its build options in SHT_OPENCL_OPTIONS), or
// nothing when it has none (built with -exclude_ir).
struct OclocArSpirv {
    Bytes spirv;
    std::string options;
};
std::optional<OclocArSpirv> spirvOfOclocAr(ByteView stored);

// SPIR-V: the module's length in bytes, walking its instructions (SPIR-V has no length field):
// it ends where the bytes end, at an instruction that cannot be one, or at another module.
std::uint64_t spirvLength(ByteView bytes);

} // namespace aotpack::foreign
