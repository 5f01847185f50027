#include "build/spirv_module.h"

#include "common/text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <spirv-tools/libspirv.hpp>

namespace aotpack::build {

namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203;
constexpr std::uint32_t kOpName = 5;
constexpr std::uint32_t kOpMemberName = 6;
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

// Debug names (OpName, OpMemberName) are a third of the instructions of large OpenCL modules and,
// through SPIRV-Tools' friendly-name mapper (built again for every error message, whatever the
// options say), two thirds of validation time; they carry no semantics. They are validated here
// with a cheap id-bound check and left out of the copy SPIRV-Tools validates.
struct WithoutNames {
    std::vector<std::uint32_t> words;
    std::size_t firstRemoved = SIZE_MAX; // instructions kept before the first name
    std::size_t removed = 0;             // instructions left out
    std::string badName;                 // a name whose target id is out of bounds
};

WithoutNames withoutDebugNames(const std::vector<std::uint32_t>& in) {
    WithoutNames out;
    out.words.reserve(in.size());
    out.words.assign(in.begin(), in.begin() + 5);
    std::uint32_t bound = in[3];
    std::size_t kept = 0;
    for (std::size_t i = 5; i < in.size();) {
        std::uint32_t count = in[i] >> 16, opcode = in[i] & 0xffff;
        if (count == 0 || i + count > in.size()) break; // spvBinaryParse has reported it
        if ((opcode == kOpName || opcode == kOpMemberName) && count >= 2) {
            if (in[i + 1] == 0 || in[i + 1] >= bound)
                out.badName = "instruction " + std::to_string(kept + out.removed + 1) + ": Op" +
                              (opcode == kOpName ? "Name" : "MemberName") + " target id <" +
                              std::to_string(in[i + 1]) + "> is outside the id bound";
            out.firstRemoved = std::min(out.firstRemoved, kept);
            ++out.removed;
        } else {
            out.words.insert(out.words.end(), in.begin() + i, in.begin() + i + count);
            ++kept;
        }
        i += count;
    }
    return out;
}

} // namespace

std::string validationProblem(ByteView spirv) {
    std::vector<std::uint32_t> words(spirv.size() / 4);
    std::memcpy(words.data(), spirv.data(), words.size() * 4);
    if (words.size() < 5) return "not SPIR-V";
    WithoutNames stripped = withoutDebugNames(words);
    if (!stripped.badName.empty()) return stripped.badName;
    std::string firstProblem;
    spvtools::SpirvTools tools(environmentFor(words[1]));
    tools.SetMessageConsumer(
        [&](spv_message_level_t, const char*, const spv_position_t& pos, const char* message) {
            if (!firstProblem.empty()) return;
            // Positions count instructions of the copy from 1; map them back to the module.
            std::size_t index = pos.index;
            if (index > stripped.firstRemoved) index += stripped.removed;
            firstProblem = "instruction " + std::to_string(index) + ": " + message;
        });
    spvtools::ValidatorOptions options;
    options.SetFriendlyNames(false); // messages keep only their first line, which has no names
    if (tools.Validate(stripped.words.data(), stripped.words.size(), options)) return "";
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
