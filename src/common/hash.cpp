#include "common/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace aotpack {

std::string toHex(std::span<const std::uint8_t> bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> fromHex(std::string_view hex) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

std::string Hash128::hex() const {
    return toHex(bytes);
}

static Hash128 fromXxh(XXH128_hash_t h) {
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, h);
    Hash128 out;
    for (int i = 0; i < 16; ++i)
        out.bytes[i] = canonical.digest[i];
    return out;
}

Hash128 hash128(std::span<const std::uint8_t> data) {
    return fromXxh(XXH3_128bits(data.data(), data.size()));
}

std::uint64_t hash64(std::span<const std::uint8_t> data) {
    return XXH3_64bits(data.data(), data.size());
}

Hasher::Hasher() : state_(XXH3_createState()) {
    XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}
Hasher::~Hasher() {
    XXH3_freeState(static_cast<XXH3_state_t*>(state_));
}

Hasher& Hasher::add(std::span<const std::uint8_t> field) {
    auto* st = static_cast<XXH3_state_t*>(state_);
    std::uint64_t size = field.size();
    XXH3_128bits_update(st, &size, sizeof size);
    XXH3_128bits_update(st, field.data(), field.size());
    return *this;
}

Hasher& Hasher::add(std::string_view field) {
    return add(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(field.data()),
                                             field.size()));
}

Hash128 Hasher::finish() const {
    return fromXxh(XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_)));
}

} // namespace aotpack
