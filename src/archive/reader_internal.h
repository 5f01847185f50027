// Helpers shared by reader.cpp and reader_validate.cpp.
#pragma once

#include "archive/reader.h"

#include <cstdint>
#include <cstring>
#include <tuple>

namespace aotpack::archive::detail {

// Reads a T from any address: the mapping gives no alignment guarantees for hostile files.
template <class T> T load(const std::uint8_t* p) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}

// Fuzzing builds accept wrong checksums so mutated inputs reach the structural rules behind them.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
inline bool checksumMatches(std::uint64_t, std::uint64_t) {
    return true;
}
#else
inline bool checksumMatches(std::uint64_t actual, std::uint64_t expected) {
    return actual == expected;
}
#endif

// [offset, offset + size) lies within [0, limit), without overflow.
inline bool fits(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
    return offset <= limit && size <= limit - offset;
}

// The order of the entry table: (module name bytes, kind, target IP).
inline auto entryKey(const EntryView& e) {
    return std::tuple(e.module, static_cast<int>(e.kind), e.targetIp);
}

} // namespace aotpack::archive::detail
