#include "capture/module_identity.h"

#include <algorithm>
#include <cstring>

namespace aotpack::capture {

namespace {

constexpr std::uint32_t kMagic = 0x07230203;
constexpr std::uint32_t kOpTypeBool = 20, kOpTypeInt = 21, kOpTypeFloat = 22;
constexpr std::uint32_t kOpSpecConstantTrue = 48, kOpSpecConstantFalse = 49, kOpSpecConstant = 50;
constexpr std::uint32_t kOpDecorate = 71, kDecorationSpecId = 1;

std::uint32_t wordAt(ByteView spirv, std::size_t index) {
    std::uint32_t w;
    std::memcpy(&w, spirv.data() + 4 * index, 4);
    return w;
}

} // namespace

std::optional<std::map<std::uint32_t, std::uint32_t>> specConstantSizes(ByteView spirv) {
    std::size_t words = spirv.size() / 4;
    if (words < 5 || spirv.size() % 4 || wordAt(spirv, 0) != kMagic) return std::nullopt;
    std::map<std::uint32_t, std::uint32_t> typeBytes;    // type id -> bytes
    std::map<std::uint32_t, std::uint32_t> specIdOf;     // result id -> SpecId
    std::map<std::uint32_t, std::uint32_t> constantType; // result id -> type id
    for (std::size_t at = 5; at < words;) {
        std::uint32_t first = wordAt(spirv, at);
        std::uint32_t count = first >> 16, op = first & 0xffff;
        if (count == 0 || at + count > words) return std::nullopt;
        auto operand = [&](std::size_t i) { return i < count ? wordAt(spirv, at + i) : 0; };
        if (op == kOpDecorate && count >= 4 && operand(2) == kDecorationSpecId)
            specIdOf[operand(1)] = operand(3);
        else if (op == kOpTypeBool && count >= 2)
            typeBytes[operand(1)] = 1;
        else if ((op == kOpTypeInt || op == kOpTypeFloat) && count >= 3)
            typeBytes[operand(1)] = operand(2) / 8;
        else if ((op == kOpSpecConstantTrue || op == kOpSpecConstantFalse ||
                  op == kOpSpecConstant) &&
                 count >= 3)
            constantType[operand(2)] = operand(1);
        at += count;
    }
    std::map<std::uint32_t, std::uint32_t> sizes;
    for (const auto& [result, specId] : specIdOf)
        if (auto t = constantType.find(result); t != constantType.end())
            if (auto b = typeBytes.find(t->second); b != typeBytes.end() && b->second)
                sizes[specId] = b->second;
    return sizes;
}

std::optional<std::vector<SpecConstant>> readConstants(ByteView spirv, std::uint32_t count,
                                                       const std::uint32_t* ids,
                                                       const void* const* values) {
    std::vector<SpecConstant> out;
    if (count == 0) return out;
    auto sizes = specConstantSizes(spirv);
    if (!sizes || !ids || !values) return std::nullopt;
    for (std::uint32_t i = 0; i < count; ++i) {
        auto size = sizes->find(ids[i]);
        if (size == sizes->end() || !values[i]) return std::nullopt;
        const auto* bytes = static_cast<const std::uint8_t*>(values[i]);
        SpecConstant c{ids[i], Bytes(bytes, bytes + size->second)};
        auto same = std::find_if(out.begin(), out.end(), [&](auto& o) { return o.id == c.id; });
        if (same != out.end())
            *same = std::move(c);
        else
            out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

Hash128 moduleKey(ByteView spirv, std::string_view flags,
                  const std::vector<SpecConstant>& constants) {
    Hasher h;
    h.add("aotpack-jit-module-v1").add(spirv).add(flags);
    for (const auto& c : constants)
        h.add(std::to_string(c.id)).add(c.value);
    return h.finish();
}

Hash128 openclSourceKey(std::string_view source, std::string_view options) {
    return Hasher().add("aotpack-opencl-c-program-v1").add(source).add(options).finish();
}

std::string moduleName(const Hash128& key) {
    return "jit-" + key.hex();
}

} // namespace aotpack::capture
