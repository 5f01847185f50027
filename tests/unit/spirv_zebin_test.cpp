#include "archive/zebin.h"
#include "compile/spirv_module.h"
#include "test_data.h"

#include <cstring>
#include <spirv-tools/libspirv.hpp>

using namespace aotpack;

TEST(Spirv, EntryPointsOfRealModule) {
    auto info = compile::inspectSpirv(testData("vector_ops.spv"), "t");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->entryPoints, (std::vector<std::string>{"vadd", "saxpy"}));
    EXPECT_FALSE(info->usesFp64);
}

TEST(Spirv, Fp64CapabilityIsDetected) {
    auto info = compile::inspectSpirv(testData("fp64.spv"), "t");
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->usesFp64);
}

TEST(Spirv, GarbageIsRejectedWithTheInputNamed) {
    auto info = compile::inspectSpirv(testData("garbage.spv"), "module 'g' (garbage.spv)");
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, Errc::BadInput);
    EXPECT_EQ(info.error().message, "module 'g' (garbage.spv) is not SPIR-V (size 25 bytes)");
}

TEST(Spirv, StructurallyBrokenModuleFailsValidation) {
    Bytes spirv = testData("vector_ops.spv");
    spirv.resize(spirv.size() - 16); // cut the last instructions off
    auto info = compile::inspectSpirv(spirv, "module 'cut'");
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().message.rfind("module 'cut' is malformed SPIR-V: ", 0), 0u)
        << info.error().message;
}

TEST(Spirv, ParseableButInvalidModuleIsAWarningNotAnError) {
    Bytes spirv = testData("vector_ops.spv");
    spirv[12] = 0xff; // the ID bound (header word 3) below the IDs in use: parses, fails validation
    spirv[13] = spirv[14] = spirv[15] = 0;
    spirv[12] = 2;
    auto info = compile::inspectSpirv(spirv, "module 'bound'");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_FALSE(info->validationProblem.empty());
}

TEST(Zebin, KernelsOfRealZebin) {
    auto info = archive::inspectZebin(testData("vector_ops.12.60.7.bin"));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->kernels, (std::vector<std::string>{"saxpy", "vadd"}));
    EXPECT_FALSE(info->hasSpirv); // built with -exclude_ir
}

TEST(Zebin, TruncatedOrForeignDataIsAnError) {
    Bytes zebin = testData("vector_ops.12.55.8.bin");
    zebin.resize(200);
    EXPECT_FALSE(archive::inspectZebin(zebin));
    EXPECT_FALSE(archive::inspectZebin(testData("vector_ops.spv")));
}

namespace {

std::vector<std::uint32_t> wordsOf(const Bytes& spirv) {
    std::vector<std::uint32_t> words(spirv.size() / 4);
    std::memcpy(words.data(), spirv.data(), words.size() * 4);
    return words;
}

void setWord(Bytes& spirv, std::size_t index, std::uint32_t value) {
    std::memcpy(spirv.data() + index * 4, &value, 4);
}

// Word offset of the first instruction with this opcode.
std::size_t firstInstruction(const Bytes& spirv, std::uint32_t opcode) {
    auto words = wordsOf(spirv);
    for (std::size_t i = 5; i < words.size(); i += words[i] >> 16)
        if ((words[i] & 0xffff) == opcode) return i;
    ADD_FAILURE() << "no instruction with opcode " << opcode;
    return 0;
}

// What SPIRV-Tools says of the whole module, names and all (as spirv-val would).
std::string wholeModuleProblem(const Bytes& spirv) {
    auto words = wordsOf(spirv);
    std::string first;
    spvtools::SpirvTools tools(SPV_ENV_OPENCL_2_2);
    tools.SetMessageConsumer(
        [&](spv_message_level_t, const char*, const spv_position_t& pos, const char* message) {
            if (first.empty()) first = "instruction " + std::to_string(pos.index) + ": " + message;
        });
    if (tools.Validate(words)) return "";
    return first.substr(0, first.find('\n'));
}

constexpr std::uint32_t kOpName = 5, kOpTypeInt = 21;

} // namespace

TEST(Spirv, ValidationLeavesOutNamesButPointsIntoTheModuleAsGiven) {
    Bytes spirv = testData("vector_ops.spv");
    ASSERT_LT(firstInstruction(spirv, kOpName), firstInstruction(spirv, kOpTypeInt));
    setWord(spirv, firstInstruction(spirv, kOpTypeInt) + 2, 7); // a 7-bit integer: invalid
    std::string problem = compile::validationProblem(spirv);
    EXPECT_NE(problem.find("OpTypeInt"), std::string::npos) << problem;
    EXPECT_EQ(problem, wholeModuleProblem(spirv));
}

TEST(Spirv, NameOfAnIdOutsideTheBoundFailsValidation) {
    Bytes spirv = testData("vector_ops.spv");
    EXPECT_EQ(compile::validationProblem(spirv), "");
    std::size_t name = firstInstruction(spirv, kOpName);
    setWord(spirv, name + 1, 0xfffff);
    std::string problem = compile::validationProblem(spirv);
    EXPECT_NE(problem.find("OpName target id <1048575> is outside the id bound"), std::string::npos)
        << problem;
}

namespace {

// A kernel module from SPIR-V assembly: header, `body` (functions), kernel `%f0` as entry point.
Bytes kernelModule(const std::string& body) {
    std::string text = "OpCapability Addresses\nOpCapability Kernel\n"
                       "OpMemoryModel Physical64 OpenCL\nOpEntryPoint Kernel %f0 \"k\"\n"
                       "%void = OpTypeVoid\n%fn = OpTypeFunction %void\n" +
                       body;
    std::vector<std::uint32_t> words;
    spvtools::SpirvTools tools(SPV_ENV_OPENCL_2_2);
    EXPECT_TRUE(tools.Assemble(text, &words));
    Bytes out(words.size() * 4);
    std::memcpy(out.data(), words.data(), out.size());
    return out;
}

// Function %f<i>: a label, `calls` calls of %f<callee>, a return.
std::string function(int i, int callee, int calls) {
    std::string out = "%f" + std::to_string(i) + " = OpFunction %void None %fn\n%l" +
                      std::to_string(i) + " = OpLabel\n";
    for (int c = 0; c < calls; ++c)
        out += "%c" + std::to_string(i) + "_" + std::to_string(c) + " = OpFunctionCall %void %f" +
               std::to_string(callee) + "\n";
    return out + "OpReturn\nOpFunctionEnd\n";
}

double inlinedSize(const Bytes& spirv) {
    auto info = compile::inspectSpirv(spirv, "t", false);
    EXPECT_TRUE(info) << info.error().message;
    return info ? info->inlinedInstructions : -1;
}

} // namespace

TEST(SpirvWork, CountsWhatEachKernelReachesOncePerCallSite) {
    // f0 (4 instructions) calls f1 (2) twice; f2 is never called: 4 + 2 x 2.
    EXPECT_EQ(inlinedSize(kernelModule(function(1, 0, 0) + function(2, 0, 0) + function(0, 1, 2))),
              8);
    // A real module: two kernels without calls, every instruction of both counted.
    auto info = compile::inspectSpirv(testData("vector_ops.spv"), "t");
    ASSERT_TRUE(info);
    EXPECT_GT(info->inlinedInstructions, 10);
}

TEST(SpirvWork, HostileCallGraphsNeitherHangNorOverflow) {
    // A cycle (f0 -> f1 -> f0) counts each function once on the path: 3 + 3.
    EXPECT_EQ(inlinedSize(kernelModule(function(0, 1, 1) + function(1, 0, 1))), 6);
    // 100,000 nested calls: a recursive walk would overflow the stack.
    std::string chain;
    constexpr int kDepth = 100000;
    for (int i = 0; i < kDepth; ++i)
        chain += function(i, i + 1, 1);
    chain += function(kDepth, 0, 0);
    EXPECT_EQ(inlinedSize(kernelModule(chain)), 3.0 * kDepth + 2);
    // Every function calling the next twice, 80 deep: 2^80 call paths, saturated.
    std::string doubling;
    for (int i = 0; i < 80; ++i)
        doubling += function(i, i + 1, 2);
    doubling += function(80, 0, 0);
    EXPECT_EQ(inlinedSize(kernelModule(doubling)), 1e15);
}
