// Which LLVM release wrote a bitcode file: the string record of its IDENTIFICATION block
// ("LLVM22.1.8"), the first block LLVM writes since release 4 (llvm/lib/Bitcode/Writer/
// BitcodeWriter.cpp, writeIdentificationBlock; the bitstream rules of llvm/docs/BitCodeFormat.rst:
// abbreviation ids, DEFINE_ABBREV, fixed/VBR/array/char6 operands). Only that block is read.
#pragma once

#include "common/file_io.h"

#include <optional>
#include <string>

namespace aotpack::foreign {

// "LLVM22.1.8", or nothing when the bytes are not bitcode or carry no identification block.
std::optional<std::string> bitcodeProducer(ByteView bitcode);

// 22 for "LLVM22.1.8"; nothing for another producer string.
std::optional<int> llvmMajorOf(const std::string& producer);

} // namespace aotpack::foreign
