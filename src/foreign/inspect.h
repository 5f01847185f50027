// `aotpack inspect`: the device code inside files other tools make - ELF executables, shared
// libraries and objects (LLVM's .llvm.offloading sections, images that objcopy or a linker put
// into any section), static archives, OffloadBinary files, ocloc fat binaries, zebins, SPIR-V,
// zstd-compressed images and aotpack archives. Files are read through a mapping; images are
// found by their magic numbers (docs/FOREIGN_BINARIES.md says where each rule comes from).
#pragma once

#include "foreign/device_image.h"

#include <filesystem>
#include <functional>

namespace aotpack::foreign {

struct Inspection {
    std::string file;
    std::vector<DeviceImage> images;
};

// Called with each image as it is found, and its bytes as stored (compressed ones compressed):
// valid only during the call (the file is mapped only while it is read).
using ImageVisitor = std::function<void(const DeviceImage&, ByteView stored)>;

// Errors: the file cannot be read (3); a container in it is malformed (3, naming the offset).
Expected<Inspection> inspectFile(const std::filesystem::path& path, const ImageVisitor& visit = {});
Expected<Inspection> inspectBytes(ByteView bytes, const std::string& name);

// "0x1f40": how offsets are shown in messages and tables.
std::string hexOffset(std::uint64_t offset);

// "natively for pvc (12.60.7), acm-g10 (12.55.8); every other Intel GPU JIT-compiles the SPIR-V"
std::string summaryLine(const std::vector<Inspection>& inspections);

} // namespace aotpack::foreign
