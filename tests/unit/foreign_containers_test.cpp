// Decisions of the clang-offload-bundler and OpenMP IntelGT readers: bundle ids, the OpenMP Level
// Zero plugin's flags, and malformed containers (the readers themselves run on files the real
// tools make in tests/e2e/foreign_containers.sh).
#include "foreign/bitcode_producer.h"
#include "foreign/offload_bundle.h"
#include "foreign/openmp_image.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace aotpack;
using namespace aotpack::foreign;

namespace {

Bytes bundleWithOneEntry(const std::string& id, std::uint64_t offset, std::uint64_t size) {
    Bytes b(kBundleMagic.begin(), kBundleMagic.end());
    auto put = [&b](std::uint64_t v) {
        auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        b.insert(b.end(), p, p + 8);
    };
    put(1);
    put(offset);
    put(size);
    put(id.size());
    b.insert(b.end(), id.begin(), id.end());
    return b;
}

} // namespace

TEST(OffloadBundleId, SplitsKindTripleAndTargetId) {
    auto sycl = parseBundleId("sycl-spir64-unknown-unknown");
    EXPECT_EQ(sycl.kind, "sycl");
    EXPECT_EQ(sycl.triple, "spir64-unknown-unknown");
    EXPECT_EQ(sycl.arch, "");
    auto omp = parseBundleId("openmp-spirv64-intel-unknown-unknown-");
    EXPECT_EQ(omp.triple, "spirv64-intel-unknown-unknown");
    auto hip = parseBundleId("hip-amdgcn-amd-amdhsa--gfx90a:xnack+");
    EXPECT_EQ(hip.kind, "hip");
    EXPECT_EQ(hip.triple, "amdgcn-amd-amdhsa");
    EXPECT_EQ(hip.arch, "gfx90a:xnack+");
    EXPECT_EQ(parseBundleId("host").kind, "host");
}

TEST(OffloadBundle, ReadsAnEntryAndRejectsOneOutOfRange) {
    Bytes ok = bundleWithOneEntry("openmp-spirv64-intel-unknown-unknown-", 0, 8);
    auto bundle = readOffloadBundle(ok);
    ASSERT_TRUE(bundle) << bundle.error().message;
    ASSERT_EQ(bundle->entries.size(), 1u);
    EXPECT_EQ(bundle->entries[0].bytes.size(), 8u);
    Bytes bad = bundleWithOneEntry("sycl-spir64-unknown-unknown", 1000, 8);
    auto error = readOffloadBundle(bad);
    ASSERT_FALSE(error);
    EXPECT_NE(error.error().message.find("entry bytes out of range"), std::string::npos);
    Bytes cut(ok.begin(), ok.begin() + 40);
    EXPECT_FALSE(readOffloadBundle(cut));
}

TEST(OffloadBundle, RejectsACompressedBundleThatDoesNotDecode) {
    Bytes ccob = {'C', 'C', 'O', 'B', 3, 0, 1, 0};
    ccob.resize(64, 0xAB);
    std::uint64_t total = 64, inflated = 100;
    std::memcpy(ccob.data() + 8, &total, 8);
    std::memcpy(ccob.data() + 16, &inflated, 8);
    auto r = readOffloadBundle(ccob);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not decode"), std::string::npos);
    ccob[6] = 7; // no such method
    EXPECT_NE(readOffloadBundle(ccob).error().message.find("compression method 7"),
              std::string::npos);
}

TEST(OpenmpImage, BuildFlagsAreThePluginsWithItsOptionTable) {
    OpenmpImage plain;
    EXPECT_EQ(openmpLevelZeroBuildFlags(plain), "-cl-std=CL2.0    -cl-take-global-address  ");
    OpenmpImage fast;
    fast.compileOptions = "-ftarget-compile-fast";
    fast.linkOptions = "-foffload-fp32-prec-div";
    EXPECT_EQ(openmpLevelZeroBuildFlags(fast),
              "-cl-std=CL2.0    -cl-take-global-address "
              "-igc_opts 'PartitionUnit=1,SubroutineThreshold=50000' "
              "-ze-fp32-correctly-rounded-divide-sqrt");
}

TEST(OpenmpImage, AZebinIsNotAnOpenmpImage) {
    Bytes notElf(64, 0);
    EXPECT_FALSE(looksLikeOpenmpImage(notElf));
}

TEST(BitcodeProducer, MajorReleaseOfTheProducerString) {
    EXPECT_EQ(llvmMajorOf("LLVM22.1.8"), 22);
    EXPECT_EQ(llvmMajorOf("LLVM9.0.1"), 9);
    EXPECT_FALSE(llvmMajorOf("APPLE_1_1500.3.9.4_0"));
    EXPECT_FALSE(llvmMajorOf("LLVM"));
}

TEST(BitcodeProducer, NothingForBytesThatAreNotBitcode) {
    Bytes junk = {'B', 'C', 0xC0, 0xDE, 0xFF, 0xFF, 0xFF, 0xFF}; // magic, then no block
    EXPECT_FALSE(bitcodeProducer(junk));
    EXPECT_FALSE(bitcodeProducer(Bytes(64, 0)));
}
