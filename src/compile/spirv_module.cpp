#include "compile/spirv_module.h"

#include "common/text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <spirv-tools/libspirv.hpp>
#include <unordered_map>

namespace aotpack::compile {

namespace {

constexpr std::uint32_t kSpirvMagic = 0x07230203;
constexpr std::uint32_t kOpName = 5;
constexpr std::uint32_t kOpMemberName = 6;
constexpr std::uint32_t kOpEntryPoint = 15;
constexpr std::uint32_t kOpCapability = 17;
constexpr std::uint32_t kCapabilityFloat64 = 10;
constexpr std::uint32_t kOpFunction = 54;
constexpr std::uint32_t kOpFunctionEnd = 56;
constexpr std::uint32_t kOpFunctionCall = 57;

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

// The universal environment of the module's own SPIR-V version, for every version: ocloc 22.43
// emits 1.3 and 1.4 modules (hashcat kernels) that only those accept, and one rule set for all
// keeps the warnings consistent (the OpenCL 2.2 profile, used for 1.0-1.2 before, flagged
// capabilities such as Int64Atomics that IGC accepts and that went unflagged in a 1.4 module).
spv_target_env environmentFor(std::uint32_t versionWord) {
    std::uint32_t minor = (versionWord >> 8) & 0xff;
    if (minor == 0) return SPV_ENV_UNIVERSAL_1_0;
    if (minor == 1) return SPV_ENV_UNIVERSAL_1_1;
    if (minor == 2) return SPV_ENV_UNIVERSAL_1_2;
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

// Functions, their sizes and call sites, and the kernels: enough to estimate the compiler's work.
struct CallGraph {
    std::unordered_map<std::uint32_t, std::size_t> node; // function id -> index below
    std::vector<double> instructions;                    // own body, per function
    std::vector<std::vector<std::uint32_t>> callees;     // one entry per call site
    std::vector<std::uint32_t> kernels;

    void add(std::uint32_t opcode, const std::uint32_t* words, std::uint32_t count) {
        if (opcode == kOpEntryPoint && count > 2) kernels.push_back(words[2]);
        if (opcode == kOpFunction && count > 2) {
            node.emplace(words[2], instructions.size());
            current = instructions.size();
            instructions.push_back(0);
            callees.emplace_back();
        } else if (opcode == kOpFunctionEnd) {
            current = SIZE_MAX;
        } else if (current != SIZE_MAX) {
            instructions[current] += 1;
            if (opcode == kOpFunctionCall && count > 3) callees[current].push_back(words[3]);
        }
    }

  private:
    std::size_t current = SIZE_MAX;
};

// IGC inlines every call into each kernel and compiles kernels one by one, so its work grows with
// the instructions each kernel reaches, counted once per call site. Iterative (a hostile module
// must not overflow the stack), saturating (call trees can be exponential) and cycle-safe (a call
// back into a function being sized counts nothing; OpenCL forbids recursion anyway).
double inlinedInstructions(const CallGraph& graph) {
    constexpr double kCap = 1e15;
    enum : char { kNew, kOpen, kDone };
    std::vector<char> state(graph.instructions.size(), kNew);
    std::vector<double> size(graph.instructions.size(), 0);
    std::vector<std::pair<std::size_t, std::size_t>> stack; // function, next call site
    auto open = [&](std::uint32_t id) {
        auto it = graph.node.find(id);
        if (it == graph.node.end() || state[it->second] != kNew) return;
        state[it->second] = kOpen;
        stack.emplace_back(it->second, 0);
    };
    for (std::uint32_t kernel : graph.kernels) {
        open(kernel);
        while (!stack.empty()) {
            auto [function, next] = stack.back();
            if (next < graph.callees[function].size()) {
                stack.back().second = next + 1;
                open(graph.callees[function][next]);
                continue;
            }
            double total = graph.instructions[function];
            for (std::uint32_t callee : graph.callees[function])
                if (auto it = graph.node.find(callee);
                    it != graph.node.end() && state[it->second] == kDone)
                    total += size[it->second];
            size[function] = std::min(total, kCap);
            state[function] = kDone;
            stack.pop_back();
        }
    }
    std::vector<std::uint32_t> kernels = graph.kernels; // one function may be several entry points
    std::sort(kernels.begin(), kernels.end());
    kernels.erase(std::unique(kernels.begin(), kernels.end()), kernels.end());
    double total = 0;
    for (std::uint32_t kernel : kernels)
        if (auto it = graph.node.find(kernel); it != graph.node.end())
            total = std::min(total + size[it->second], kCap);
    return total;
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
    if (validate) {
        info.validationProblem = validationProblem(spirv);
        info.validated = true;
    }

    // Parsing succeeded, so instruction lengths below are well-formed.
    CallGraph graph;
    for (std::size_t i = 5; i < words.size();) {
        std::uint32_t count = words[i] >> 16, opcode = words[i] & 0xffff;
        if (count == 0 || i + count > words.size()) break;
        if (opcode == kOpCapability && words[i + 1] == kCapabilityFloat64) info.usesFp64 = true;
        if (opcode == kOpEntryPoint && count > 3)
            info.entryPoints.push_back(literalString(&words[i + 3], count - 3));
        graph.add(opcode, &words[i], count);
        i += count;
    }
    info.inlinedInstructions = inlinedInstructions(graph);
    return info;
}

} // namespace aotpack::compile
