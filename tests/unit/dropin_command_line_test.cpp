// The drop-in's decisions without ocloc: which command lines it models, and the cache record of
// one compile (a record that does not parse is a miss, never a wrong output).
#include "dropin/command_line.h"
#include "dropin/plan.h"

#include <gtest/gtest.h>

namespace aotpack::dropin {
namespace {

TEST(OclocCommandLine, ModelsTheDpcppLinkerWrapperForm) {
    auto p = parseCommandLine({"-output_no_suffix", "-spirv_input", "-device", "pvc,acm-g10",
                               "-options", "-cl-a", "-options", "-cl-b", "-output", "/t/x.out",
                               "-file", "/t/x.spv"});
    ASSERT_TRUE(p.compile) << p.passThroughReason;
    EXPECT_EQ(p.compile->devices, "pvc,acm-g10");
    EXPECT_EQ(p.compile->output, "/t/x.out");
    EXPECT_TRUE(p.compile->outputNoSuffix);
    // Repeated -options stay repeated, in order: ocloc itself decides what they mean.
    EXPECT_EQ(p.compile->forwarded,
              (std::vector<std::string>{"-options", "-cl-a", "-options", "-cl-b"}));
}

TEST(OclocCommandLine, QuietAndFormatAreForwarded) {
    auto p = parseCommandLine(
        {"compile", "-file", "k.spv", "-spirv_input", "-device", "pvc", "-q", "--format", "zebin"});
    ASSERT_TRUE(p.compile);
    EXPECT_TRUE(p.compile->quiet);
    EXPECT_EQ(p.compile->forwarded, (std::vector<std::string>{"-q", "--format", "zebin"}));
}

TEST(OclocCommandLine, PassesThroughWhatItDoesNotModel) {
    auto reason = [](std::vector<std::string> args) {
        auto p = parseCommandLine(args);
        EXPECT_FALSE(p.compile);
        return p.passThroughReason;
    };
    EXPECT_EQ(reason({"ids", "pvc"}), "command 'ids'");
    EXPECT_EQ(reason({"compile", "-file", "k.spv", "-o", "k.o", "-spirv_input", "-device", "pvc"}),
              "option '-o'");
    EXPECT_EQ(reason({"compile", "-file", "k.spv", "-spirv_input"}), "no -device");
    EXPECT_EQ(
        reason({"compile", "-file", "a.spv", "-file", "b.spv", "-spirv_input", "-device", "pvc"}),
        "'-file' repeated or empty");
    EXPECT_EQ(reason({"compile", "-spirv_input", "-device"}), "'-device' without a value");
    EXPECT_EQ(reason({}), "no command");
}

TEST(OclocJobResult, RoundTripsAndRejectsDamage) {
    JobResult r{{{"k.bin", Bytes{1, 2, 3}}, {"member", Bytes(1000, 7)}}, "Build succeeded.\n"};
    Bytes encoded = encodeJobResult(r);
    auto back = decodeJobResult(encoded);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->files, r.files);
    EXPECT_EQ(back->log, r.log);
    for (std::size_t cut : {std::size_t(0), std::size_t(10), encoded.size() - 1})
        EXPECT_FALSE(decodeJobResult(ByteView(encoded.data(), cut))) << cut;
    Bytes longer = encoded;
    longer.push_back(0);
    EXPECT_FALSE(decodeJobResult(longer));
    JobResult escaping{{{"../evil", Bytes{1}}}, ""};
    EXPECT_FALSE(decodeJobResult(encodeJobResult(escaping))); // names never leave the directory
}

// ocloc 22.43 writes a one-target OpenCL C compile's SPIR-V beside the binary under these names
// (observed: tests/e2e/ocloc_dropin.sh compares them with the real ocloc).
TEST(OclocIrCopy, NamedAfterTheBinary) {
    EXPECT_EQ(irCopyName("k_XE_HPC_COREpvc.bin", false), "k_XE_HPC_COREpvc.spv");
    EXPECT_EQ(irCopyName("foo", true), "foo.spv");
    EXPECT_EQ(irCopyName("foo.bin", true), "foo.bin.spv");
    EXPECT_EQ(irCopyName("foo.x", true), "foo.x.spv");
}

} // namespace
} // namespace aotpack::dropin
