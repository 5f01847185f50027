// Access to tests/data (real SPIR-V and zebins produced by the installed ocloc).
#pragma once

#include "common/file_io.h"
#include "common/hash.h"

#include <cstdint>
#include <gtest/gtest.h>
#include <string>

// IP versions (devices/ip_version.h layout) of the targets the tests use.
constexpr std::uint32_t kTgl = 0x03000000, kAcmG10 = 0x030dc008, kAcmG11 = 0x030e0005,
                        kPvc = 0x030f0007;

// Bytes of a string, and a cache key named by one.
inline aotpack::Bytes bytes(const std::string& s) {
    return aotpack::Bytes(s.begin(), s.end());
}
inline aotpack::Hash128 key(const std::string& s) {
    return aotpack::Hasher().add(s).finish();
}

inline aotpack::Bytes testData(const std::string& name) {
    auto bytes = aotpack::readFile(std::string(AOTPACK_SOURCE_DIR "/tests/data/") + name);
    EXPECT_TRUE(bytes) << name;
    return bytes ? *bytes : aotpack::Bytes{};
}
