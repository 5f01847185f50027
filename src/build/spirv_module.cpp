#include "build/spirv_module.h"

#include "common/text.h"

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

// OpenCL 2.2 semantics for SPIR-V up to 1.2; ocloc 22.43 also emits 1.3 and 1.4 modules (hashcat
// kernels), which only the universal environments of that version accept.
spv_target_env environmentFor(std::uint32_t versionWord) {
    std::uint32_t minor = (versionWord >> 8) & 0xff;
    if (minor <= 2) return SPV_ENV_OPENCL_2_2;
    if (minor == 3) return SPV_ENV_UNIVERSAL_1_3;
    if (minor == 4) return SPV_ENV_UNIVERSAL_1_4;
    if (minor == 5) return SPV_ENV_UNIVERSAL_1_5;
    return SPV_ENV_UNIVERSAL_1_6;
}

} // namespace

std::string validationProblem(ByteView spirv) {
    std::vector<std::uint32_t> words(spirv.size() / 4);
    std::memcpy(words.data(), spirv.data(), words.size() * 4);
    if (words.size() < 5) return "not SPIR-V";
    std::string firstProblem;
    spvtools::SpirvTools tools(environmentFor(words[1]));
    tools.SetMessageConsumer(
        [&](spv_message_level_t, const char*, const spv_position_t& pos, const char* message) {
            if (firstProblem.empty())
                firstProblem = "word " + std::to_string(pos.index) + ": " + message;
        });
    if (tools.Validate(words)) return "";
    return printable(firstProblem.substr(0, firstProblem.find('\n')));
}

Expected<SpirvInfo> inspectSpirv(ByteView spirv, const std::string& what, bool validate) {
    if (spirv.size() < 20 || spirv.size() % 4 != 0)
        return makeError(Errc::BadInput,
                         what + " is not SPIR-V (size " + std::to_string(spirv.size()) + " bytes)");
    std::vector<std::uint32_t> words(spirv.size() / 4);
    std::memcpy(words.data(), spirv.data(), spirv.size());
    if (words[0] != kSpirvMagic)
        return makeError(Errc::BadInput, what + " is not SPIR-V (wrong magic number)");

    // A structural parse (every instruction well-formed) is cheap and is what protects IGC; the
    // full validation can take seconds on large modules, which is why its result is cached (and
    // why the build may run it beside the compiles: validate = false).
    spv_context context = spvContextCreate(environmentFor(words[1]));
    spv_diagnostic diagnostic = nullptr;
    spv_result_t parsed =
        spvBinaryParse(context, nullptr, words.data(), words.size(), nullptr, nullptr, &diagnostic);
    std::string parseProblem = diagnostic ? diagnostic->error : "";
    spvDiagnosticDestroy(diagnostic);
    spvContextDestroy(context);
    if (parsed != SPV_SUCCESS)
        return makeError(Errc::BadInput, what + " is malformed SPIR-V: " + printable(parseProblem));
    SpirvInfo info;
    if (validate) info.validationProblem = validationProblem(spirv);

    // Parsing succeeded, so instruction lengths below are well-formed.
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
