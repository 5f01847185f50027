// The device-binaries descriptor that DPC++'s offload wrapper puts into every SYCL executable and
// shared library (intel/llvm: llvm/lib/Frontend/Offloading/SYCLOffloadWrapper.cpp writes it,
// sycl/source/detail/compiler.hpp declares it for the runtime, which receives it through
// __sycl_register_lib). It is a tree of pointers: descriptor -> device binaries -> target,
// options, image bytes, offload entries (kernel names) and property sets. In a linked file the
// pointers are either in place (executables without PIE, RELR) or in the dynamic relocations
// (R_*_RELATIVE addends, where the bytes in place are 0): both are read. Objects (.o) are not
// read this way: their pointers are unresolved symbols (the section scan still finds images).
#pragma once

#include "common/elf_sections.h"
#include "common/error.h"
#include "common/file_io.h"

#include <map>
#include <string>
#include <vector>

namespace aotpack::foreign {

struct SyclProperty {
    std::string name;
    std::uint32_t type = 0;  // 1 uint32 (its value in `value`), 2 byte array, 3 string
    std::uint64_t value = 0; // a uint32 property's value, or the size of the others
};

struct SyclDeviceBinary {
    std::uint64_t descriptorAddress = 0; // the descriptor's virtual address
    std::size_t index = 0;               // of this binary in the descriptor
    std::uint16_t version = 0;           // 1, 2 (with manifest fields) or 3 (without)
    bool upstream = false;   // upstream clang's wrapper (offload kind 8, LLVM's OffloadWrapper.cpp)
    std::uint8_t format = 0; // 0 none, 1 native, 2 SPIR-V, 3 LLVM IR, 4 compressed
    std::string target;      // DeviceTargetSpec: spir64, spir64_gen, ...
    std::string compileOptions, linkOptions;
    std::uint64_t imageOffset = 0; // in the file
    ByteView image;
    std::vector<std::string> entries; // the kernels' names (offload entries)
    std::map<std::string, std::vector<SyclProperty>> propertySets;
};

// Every descriptor in a linked ELF file, found by its shape (version 1, a count, a pointer to
// device binaries whose fields all check out), so stripped files are read too. A structure that
// does not check out is not a descriptor: nothing is returned for it, and the section scan still
// finds the images.
std::vector<SyclDeviceBinary> readSyclDescriptors(ByteView file, const ElfFile& elf);

// "SPIR-V", "native", ...: the descriptor's format byte.
std::string syclFormatName(std::uint8_t format);

// The build flags DPC++'s runtime passes to zeModuleCreate for this image on an Intel GPU
// through Level Zero, with no SYCL_PROGRAM_*_OPTIONS in the environment (docs/
// FOREIGN_BINARIES.md: from program_manager.cpp's appendCompileOptionsFromImage and build(),
// and the Level Zero adapter's urPlatformGetBackendOption).
std::string syclRuntimeBuildFlags(const SyclDeviceBinary& binary);

} // namespace aotpack::foreign
