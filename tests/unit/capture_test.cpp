// Capture's decisions without a GPU: spec constant sizes read from SPIR-V, the module key, and
// a capture directory turned into a build manifest (records that cannot be read are skipped).
#include "capture/capture_dir.h"
#include "capture/module_identity.h"
#include "common/subprocess.h"

#include <cstring>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spirv-tools/libspirv.hpp>

namespace aotpack::capture {
namespace {

namespace fs = std::filesystem;

Bytes specModule() {
    auto text = readTextFile(fs::path(AOTPACK_SOURCE_DIR) / "tests/data/spec_constants.spvasm");
    EXPECT_TRUE(text);
    spvtools::SpirvTools tools(SPV_ENV_OPENCL_1_2);
    std::vector<std::uint32_t> words;
    EXPECT_TRUE(tools.Assemble(*text, &words));
    Bytes bytes(words.size() * 4);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    return bytes;
}

TEST(CaptureIdentity, ReadsSpecConstantSizesFromTheModule) {
    Bytes spirv = specModule();
    auto sizes = specConstantSizes(spirv);
    ASSERT_TRUE(sizes);
    EXPECT_EQ(*sizes, (std::map<std::uint32_t, std::uint32_t>{{7, 4}, {9, 4}}));
    EXPECT_FALSE(specConstantSizes(Bytes{1, 2, 3, 4}));
}

TEST(CaptureIdentity, ConstantsAreSortedAndTheLastRepeatWins) {
    Bytes spirv = specModule();
    std::uint32_t ids[] = {9, 7, 9};
    std::uint32_t a = 3, b = 64, c = 5;
    const void* values[] = {&a, &b, &c};
    auto constants = readConstants(spirv, 3, ids, values);
    ASSERT_TRUE(constants);
    ASSERT_EQ(constants->size(), 2u);
    EXPECT_EQ((*constants)[0].id, 7u);
    EXPECT_EQ((*constants)[1].value, (Bytes{5, 0, 0, 0}));
    std::uint32_t unknown[] = {8};
    EXPECT_FALSE(readConstants(spirv, 1, unknown, values)); // not a constant of the module
}

TEST(CaptureIdentity, KeyCoversContentFlagsAndConstants) {
    Bytes spirv = specModule();
    std::vector<SpecConstant> none, three = {{9, {3, 0, 0, 0}}};
    auto key = moduleKey(spirv, "", none);
    EXPECT_EQ(key, moduleKey(spirv, "", none));
    EXPECT_NE(key, moduleKey(spirv, "-cl-fast-relaxed-math", none));
    EXPECT_NE(key, moduleKey(spirv, "", three));
    EXPECT_EQ(moduleName(key).size(), 4 + 32u);
}

TEST(CaptureDir, FinishAppliesConstantsAndSkipsBrokenRecords) {
    TempDir dir;
    Bytes spirv = specModule();
    CapturedModule m;
    m.code = spirv;
    m.flags = "-cl-mad-enable";
    m.constants = {{7, {32, 0, 0, 0}}};
    m.deviceIp = "12.60.7";
    m.program = "app";
    ASSERT_TRUE(recordModule(dir.path(), m));
    m.deviceIp = "12.0.0";
    ASSERT_TRUE(recordModule(dir.path(), m)); // the same module on a second device
    ASSERT_TRUE(writeFileAtomic(dir.path() / "raw/jit-x@1.json", std::string("{not json")));
    auto summary = finishCapture(dir.path());
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->modules, 1u);
    EXPECT_EQ(summary->specialized, 1u);
    ASSERT_EQ(summary->skipped.size(), 1u);
    auto manifest = nlohmann::json::parse(*readTextFile(dir.path() / kCaptureManifestFile));
    auto entry = manifest["modules"][0];
    EXPECT_EQ(entry["options"], "-cl-mad-enable");
    EXPECT_EQ(entry["devices"], (nlohmann::json{"12.0.0", "12.60.7"}));
    auto sizes = specConstantSizes(*readFile(dir.path() / entry["source"].get<std::string>()));
    ASSERT_TRUE(sizes); // still a module with both spec constants, now with default 32
    EXPECT_EQ(sizes->size(), 2u);
    EXPECT_FALSE(finishCapture(dir.path() / "nothing"));
}

} // namespace
} // namespace aotpack::capture
