// The container LLVM's OpenMP offloading writes for Intel GPUs (spirv64-intel): an EM_INTELGT
// ELF with INTELONEOMPOFFLOAD notes - type 1 the version ("1.0"), type 2 the image count, type 3
// per image "<index>\0<format>\0<compile options>\0<link options>" (format 0 native, 1 SPIR-V) -
// and the images in sections "__openmp_offload_spirv_<index>[_<part>]". Written by
// llvm/lib/Frontend/Offloading/Utility.cpp (containerizeOpenMPSPIRVImage), read by
// offload/plugins-nextgen/level_zero/src/L0Program.cpp (buildModules), which this follows.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <string>
#include <vector>

namespace aotpack::foreign {

struct OpenmpImage {
    std::uint64_t index = 0;
    std::uint64_t format = 1; // 0 native, 1 SPIR-V
    std::string compileOptions, linkOptions;
    std::uint64_t offset = 0; // of its (first) section in the container
    ByteView bytes;
    std::size_t parts = 1; // split-kernel images have several sections
};

// True for an EM_INTELGT ELF with an INTELONEOMPOFFLOAD note (a zebin has none).
bool looksLikeOpenmpImage(ByteView bytes);

// The images the Level Zero plugin would load, in index order; errors name the offset.
Expected<std::vector<OpenmpImage>> readOpenmpImage(ByteView bytes);

// The build flags the OpenMP Level Zero plugin passes to zeModuleCreate for `image`, with no
// LIBOMPTARGET_LEVEL_ZERO_COMPILATION_OPTIONS in the environment: L0Options.h's
// "-cl-std=CL2.0 " and user options, "-cl-take-global-address", then the image's own compile and
// link options, with its driver-to-IGC option table applied (L0Program.cpp).
std::string openmpLevelZeroBuildFlags(const OpenmpImage& image);

} // namespace aotpack::foreign
