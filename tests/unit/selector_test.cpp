#include "archive/writer.h"
#include "runtime/selector.h"
#include "test_data.h"

using namespace aotpack;
using namespace aotpack::runtime;

namespace {

archive::ArchiveReader makeArchive(Bytes& storage, bool withSpirv = true) {
    archive::ArchiveWriter w;
    if (withSpirv) {
        EXPECT_TRUE(w.addSpirv("m", testData("vector_ops.spv"), {}));
    }
    EXPECT_TRUE(w.addNative("m", kAcmG10, testData("vector_ops.12.55.8.bin"), {}));
    EXPECT_TRUE(w.addNative("m", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    storage = *w.finish();
    return *archive::ArchiveReader::openMemory(storage);
}

} // namespace

TEST(Selector, ExactMatch) {
    Bytes b;
    auto a = makeArchive(b);
    auto s = select(a, "m", kPvc, Policy::PreferNative);
    EXPECT_EQ(s.choice, Choice::NativeExact);
    EXPECT_EQ(s.entry->targetIp, kPvc);
    EXPECT_EQ(s.reason, "exact match for pvc (12.60.7)");
}

TEST(Selector, CompatibilityTableServesNewerDg2) {
    Bytes b;
    auto a = makeArchive(b);
    auto s = select(a, "m", kAcmG11, Policy::PreferNative);
    EXPECT_EQ(s.choice, Choice::NativeCompatible);
    EXPECT_EQ(s.entry->targetIp, kAcmG10);
}

TEST(Selector, OlderSteppingIsNotServedNatively) {
    Bytes b;
    auto a = makeArchive(b);
    EXPECT_EQ(select(a, "m", 0x030dc004 /* 12.55.4 */, Policy::PreferNative).choice, Choice::Jit);
}

TEST(Selector, JitWhenNoBinary) {
    Bytes b;
    auto a = makeArchive(b);
    auto s = select(a, "m", kTgl, Policy::PreferNative);
    EXPECT_EQ(s.choice, Choice::Jit);
    EXPECT_EQ(s.entry->kind, archive::EntryKind::Spirv);
    EXPECT_EQ(s.reason, "no binary for tgllp (12.0.0) (archive has acm-g10 (12.55.8), pvc "
                        "(12.60.7)); JIT from SPIR-V");
}

TEST(Selector, NativeOnlyRefusesAndNamesTargets) {
    Bytes b;
    auto a = makeArchive(b);
    auto s = select(a, "m", kTgl, Policy::NativeOnly);
    EXPECT_EQ(s.choice, Choice::None);
    EXPECT_EQ(s.reason, "native-only: no binary serves tgllp (12.0.0); archive has acm-g10 "
                        "(12.55.8), pvc (12.60.7)");
}

TEST(Selector, JitOnlyIgnoresNativeBinaries) {
    Bytes b;
    auto a = makeArchive(b);
    EXPECT_EQ(select(a, "m", kPvc, Policy::JitOnly).choice, Choice::Jit);
}

TEST(Selector, NoSpirvAndNoBinaryIsNone) {
    Bytes b;
    auto a = makeArchive(b, false);
    EXPECT_EQ(select(a, "m", kTgl, Policy::PreferNative).choice, Choice::None);
}

TEST(Selector, PolicyNames) {
    EXPECT_EQ(parsePolicy("native-only"), Policy::NativeOnly);
    EXPECT_FALSE(parsePolicy("native"));
}
