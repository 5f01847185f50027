// Content hashes. XXH3 (Debian's libxxhash) is fast enough to hash every payload on every build;
// 128 bits make accidental collisions between cache entries or archive payloads negligible.
// These are integrity and identity checks, not a defence against a deliberate forger.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aotpack {

struct Hash128 {
    std::array<std::uint8_t, 16> bytes{};
    std::string hex() const;
    auto operator<=>(const Hash128&) const = default;
};

Hash128 hash128(std::span<const std::uint8_t> data);
std::uint64_t hash64(std::span<const std::uint8_t> data);

// Lower-case hex of the bytes, two digits each.
std::string toHex(std::span<const std::uint8_t> bytes);
// The bytes of an even-length hex text (either case); nullopt for anything else.
std::optional<std::vector<std::uint8_t>> fromHex(std::string_view hex);

// Incremental 128-bit hash for keys built from several fields.

class Hasher {
  public:
    Hasher();
    ~Hasher();
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;
    // Each field is length-prefixed so ("ab","c") and ("a","bc") differ.
    Hasher& add(std::string_view field);
    Hasher& add(std::span<const std::uint8_t> field);
    Hash128 finish() const;

  private:
    void* state_;
};

} // namespace aotpack
