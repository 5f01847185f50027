#include "build/spirv_module.h"

#include <cstring>
#include <spirv-tools/libspirv.hpp>

namespace aotpack::build {

namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203;
constexpr std::uint32_t kOpEntryPoint = 15;
constexpr std::uint32_t kOpCapability = 17;
constexpr std::uint32_t kCapabilityFloat64 = 10;

std::string literalString(const std::uint32_t* words, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i)
        for (int b = 0; b < 4; ++b) {
            char c = static_cast<char>((words[i] >> (8 * b)) & 0xff);
            if (c == 0) return out;
            out += c;
        }
    return out;
}

} // namespace

Expected<SpirvInfo> inspectSpirv(ByteView spirv, const std::string& what) {
    if (spirv.size() < 20 || spirv.size() % 4 != 0)
        return makeError(Errc::BadInput,
                         what + " is not SPIR-V (size " + std::to_string(spirv.size()) + " bytes)");
    std::vector<std::uint32_t> words(spirv.size() / 4);
    std::memcpy(words.data(), spirv.data(), spirv.size());
    if (words[0] != kSpirvMagic)
        return makeError(Errc::BadInput, what + " is not SPIR-V (wrong magic number)");

    std::string firstProblem;
    spvtools::SpirvTools tools(SPV_ENV_OPENCL_2_2);
    tools.SetMessageConsumer(
        [&](spv_message_level_t, const char*, const spv_position_t& pos, const char* message) {
            if (firstProblem.empty())
                firstProblem = "word " + std::to_string(pos.index) + ": " + message;
        });
    if (!tools.Validate(words))
        return makeError(Errc::BadInput, what + " is invalid SPIR-V: " + firstProblem);

    // Validation guarantees well-formed instruction lengths below.
    SpirvInfo info;
    for (std::size_t i = 5; i < words.size();) {
        std::uint32_t count = words[i] >> 16, opcode = words[i] & 0xffff;
        if (count == 0 || i + count > words.size()) break;
        if (opcode == kOpCapability && words[i + 1] == kCapabilityFloat64) info.usesFp64 = true;
        if (opcode == kOpEntryPoint && count > 3)
            info.entryPoints.push_back(literalString(&words[i + 3], count - 3));
        i += count;
    }
    return info;
}

} // namespace aotpack::build
