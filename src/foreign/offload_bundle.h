// clang-offload-bundler's containers (llvm-project clang/lib/Driver/OffloadBundler.cpp and
// llvm/lib/Object/OffloadBundle.cpp; intel/llvm's bundler writes the same layout with its own
// `sycl` offload kind, which is how DPC++ fat objects and static libraries carry device code):
//   - a bundle file: "__CLANG_OFFLOAD_BUNDLE__", u64 count, then per entry {u64 offset, u64 size,
//     u64 id size, id}, the entries' bytes after that (offsets from the bundle's start);
//   - a compressed bundle: "CCOB", u16 version (1-3), u16 method (0 zlib, 1 zstd), the sizes
//     (v1: u32 inflated; v2: u32 total, u32 inflated; v3: u64 total, u64 inflated), a u64
//     truncated MD5, then the compressed bundle file;
//   - an object file: one section per entry, named "__CLANG_OFFLOAD_BUNDLE__" + id.
// An id is "<offload kind>-<triple>[-<target id>]": "sycl-spir64-unknown-unknown",
// "openmp-spirv64-intel-unknown-unknown-", "hip-amdgcn-amd-amdhsa--gfx90a". Bounds-checked.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aotpack::foreign {

inline constexpr std::string_view kBundleMagic = "__CLANG_OFFLOAD_BUNDLE__";

struct BundleEntry {
    std::string id;
    std::uint64_t offset = 0; // in the bundle as stored (its inflated form if compressed)
    ByteView bytes;
};

struct OffloadBundle {
    std::vector<BundleEntry> entries;
    bool compressed = false;
    std::uint64_t size = 0;                // as stored (what follows may be another bundle)
    std::shared_ptr<const Bytes> inflated; // keeps a compressed bundle's entries alive
};

bool looksLikeOffloadBundle(ByteView bytes); // either magic
Expected<OffloadBundle> readOffloadBundle(ByteView bytes);

struct BundleId {
    std::string kind;   // host, sycl, openmp, hip, hipv4, cuda
    std::string triple; // spir64-unknown-unknown (trailing empty components dropped)
    std::string arch;   // the target id (gfx90a, pvc ...), if any
};
BundleId parseBundleId(std::string_view id);

} // namespace aotpack::foreign
