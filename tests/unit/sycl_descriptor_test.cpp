// The build flags DPC++'s runtime would pass to zeModuleCreate for an image (decisions only: the
// descriptor reader itself runs on a real gcc-built library in tests/e2e/sycl_descriptor.sh).
#include "foreign/sycl_descriptor.h"

#include <gtest/gtest.h>

using namespace aotpack::foreign;

namespace {

SyclDeviceBinary image(std::string compile, std::string link, std::vector<SyclProperty> misc = {}) {
    SyclDeviceBinary b;
    b.compileOptions = std::move(compile);
    b.linkOptions = std::move(link);
    if (!misc.empty()) b.propertySets["SYCL/misc properties"] = std::move(misc);
    return b;
}

} // namespace

TEST(SyclBuildFlags, CompileThenPropertiesThenLinkOptions) {
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "")), "");
    EXPECT_EQ(syclRuntimeBuildFlags(image("-cl-mad-enable", "-cl-no-signed-zeros")),
              "-cl-mad-enable -cl-no-signed-zeros");
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"optLevel", 1, 0}})), "-ze-opt-disable");
    EXPECT_EQ(syclRuntimeBuildFlags(image("-g", "-x", {{"optLevel", 1, 3}})),
              "-g -ze-opt-level=2 -x");
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"optLevel", 1, 7}})), ""); // out of range
}

TEST(SyclBuildFlags, RegisterFileProperties) {
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"sycl-grf-size", 1, 256}})),
              "-ze-opt-large-register-file");
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"sycl-grf-size", 1, 0}})),
              "-ze-intel-enable-auto-large-GRF-mode");
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"sycl-grf-size", 1, 128}})), "");
    EXPECT_EQ(syclRuntimeBuildFlags(image("", "", {{"sycl-register-alloc-mode", 1, 2}})),
              "-ze-opt-large-register-file");
}

TEST(SyclBuildFlags, EsimdImagesUseTheVectorBackendAndNoOptLevel) {
    EXPECT_EQ(syclRuntimeBuildFlags(image(
                  "", "", {{"isEsimdImage", 1, 1}, {"sycl-grf-size", 1, 256}, {"optLevel", 1, 2}})),
              "-vc-codegen -disable-finalizer-msg -doubleGRF");
}

TEST(SyclBuildFlags, TargetOptionsAreRewrittenAsForANonPvcGpu) {
    EXPECT_EQ(syclRuntimeBuildFlags(image("-ftarget-compile-fast", "")),
              "-igc_opts 'PartitionUnit=1,SubroutineThreshold=50000'");
    // Removed up to the next space, which stays (the runtime's own string surgery).
    EXPECT_EQ(syclRuntimeBuildFlags(
                  image("-a -ftarget-register-alloc-mode=pvc:-ze-opt-large-register-file -b", "")),
              "-a  -b");
}

TEST(SyclBuildFlags, PropertiesOutsideMiscAreNotRead) {
    SyclDeviceBinary b = image("", "");
    b.propertySets["SYCL/kernel param opt"] = {{"optLevel", 1, 0}};
    EXPECT_EQ(syclRuntimeBuildFlags(b), "");
}
