#include "archive/zebin.h"
#include "build/spirv_module.h"
#include "test_data.h"

using namespace aotpack;

TEST(Spirv, EntryPointsOfRealModule) {
    auto info = build::inspectSpirv(testData("vector_ops.spv"), "t");
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->entryPoints, (std::vector<std::string>{"vadd", "saxpy"}));
    EXPECT_FALSE(info->usesFp64);
}

TEST(Spirv, Fp64CapabilityIsDetected) {
    auto info = build::inspectSpirv(testData("fp64.spv"), "t");
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->usesFp64);
}

TEST(Spirv, GarbageIsRejectedWithTheInputNamed) {
    auto info = build::inspectSpirv(testData("garbage.spv"), "module 'g' (garbage.spv)");
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, Errc::BadInput);
    EXPECT_EQ(info.error().message, "module 'g' (garbage.spv) is not SPIR-V (size 25 bytes)");
}

TEST(Spirv, StructurallyBrokenModuleFailsValidation) {
    Bytes spirv = testData("vector_ops.spv");
    spirv.resize(spirv.size() - 16); // cut the last instructions off
    auto info = build::inspectSpirv(spirv, "module 'cut'");
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().message.rfind("module 'cut' is malformed SPIR-V: ", 0), 0u)
        << info.error().message;
}

TEST(Spirv, ParseableButInvalidModuleIsAWarningNotAnError) {
    Bytes spirv = testData("vector_ops.spv");
    spirv[12] = 0xff; // the ID bound (header word 3) below the IDs in use: parses, fails validation
    spirv[13] = spirv[14] = spirv[15] = 0;
    spirv[12] = 2;
    auto info = build::inspectSpirv(spirv, "module 'bound'");
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
