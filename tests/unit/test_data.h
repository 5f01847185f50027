// Access to tests/data (real SPIR-V and zebins produced by the installed ocloc).
#pragma once

#include "common/file_io.h"

#include <gtest/gtest.h>
#include <string>

inline aotpack::Bytes testData(const std::string& name) {
    auto bytes = aotpack::readFile(std::string(AOTPACK_SOURCE_DIR "/tests/data/") + name);
    EXPECT_TRUE(bytes) << name;
    return bytes ? *bytes : aotpack::Bytes{};
}
