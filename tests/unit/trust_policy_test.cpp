// archive/trust_policy: which archives may give a program native code (docs/TRUST.md). Real keys
// (crypto::Ed25519Key::generate), real signatures, archives in memory.
#include "archive/trust_policy.h"
#include "archive/writer.h"
#include "common/subprocess.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

using namespace aotpack;
using namespace aotpack::archive;

namespace {

Bytes unsignedArchive() {
    ArchiveWriter w;
    EXPECT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    return *w.finish();
}

struct Keys {
    TempDir dir;
    crypto::Ed25519Key key(const std::string& name) {
        EXPECT_TRUE(crypto::Ed25519Key::generate(dir.path() / (name + ".key")));
        return *crypto::Ed25519Key::loadPrivate(dir.path() / (name + ".key"));
    }
};

TEST(TrustPolicy, NoPolicyMeansNoVerification) {
    auto in = ArchiveReader::openMemory(unsignedArchive(), "app.aotpack");
    auto verdict = applyTrustPolicy(TrustPolicy{}, *in);
    ASSERT_TRUE(verdict);
    EXPECT_FALSE(verdict->has_value());
}

TEST(TrustPolicy, OnlyArchivesSignedByATrustedKeyPass) {
    Keys keys;
    auto trusted = keys.key("trusted"), other = keys.key("other");
    TempDir trustDir;
    ASSERT_EQ(::link((keys.dir.path() / "trusted.key.pub").c_str(),
                     (trustDir.path() / "trusted.pub").c_str()),
              0);
    auto policy = trustPolicyFromDirectory(trustDir.path(), "AOTPACK_TRUSTED_KEYS=test");
    ASSERT_TRUE(policy.enabled);
    ASSERT_EQ(policy.keys.size(), 1u);
    Bytes good = *signArchiveBytes(unsignedArchive(), "good", {trusted});
    Bytes bad = *signArchiveBytes(unsignedArchive(), "bad", {other});
    Bytes none = unsignedArchive();
    auto verdict = applyTrustPolicy(policy, *ArchiveReader::openMemory(good, "good.aotpack"));
    ASSERT_TRUE(verdict) << verdict.error().message;
    ASSERT_TRUE(verdict->has_value());
    EXPECT_EQ((*verdict)->signer(), trusted.idHex());
    for (auto* file : {&bad, &none}) {
        auto refused = applyTrustPolicy(policy, *ArchiveReader::openMemory(*file, "x.aotpack"));
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, Errc::BadArchive);
        EXPECT_NE(refused.error().message.find("x.aotpack"), std::string::npos);
    }
}

TEST(TrustPolicy, AChangedEntryIsNotWhatWasSigned) {
    Keys keys;
    auto key = keys.key("k");
    Bytes file = *signArchiveBytes(unsignedArchive(), "app", {key});
    auto in = ArchiveReader::openMemory(file, "app.aotpack");
    auto verified = VerifiedArchive::check(*in, {key});
    ASSERT_TRUE(verified) << verified.error().message;
    for (const auto& e : in->entries())
        EXPECT_TRUE(verified->checkEntry(*in, e));
    // Another archive's entry in the same place (same module and target, other bytes) is not
    // what was signed. (A VerifiedArchive belongs to one reader and remembers verified entries:
    // a fresh one, as for a reader of a tampered file.)
    auto fresh = VerifiedArchive::check(*in, {key});
    ASSERT_TRUE(fresh);
    ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    ASSERT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.55.8.bin"), {}));
    Bytes swapped = *w.finish();
    auto other = ArchiveReader::openMemory(swapped, "swapped.aotpack");
    auto native = other->find("vector_ops", EntryKind::Native, kPvc);
    ASSERT_TRUE(native);
    EXPECT_FALSE(fresh->checkEntry(*other, *native));
}

TEST(TrustPolicy, ADirectoryWithoutKeysRefusesEverything) {
    TempDir empty;
    auto policy = trustPolicyFromDirectory(empty.path(), "AOTPACK_TRUSTED_KEYS=empty");
    EXPECT_TRUE(policy.enabled);
    EXPECT_TRUE(policy.keys.empty());
    auto in = ArchiveReader::openMemory(unsignedArchive(), "app.aotpack");
    EXPECT_FALSE(applyTrustPolicy(policy, *in));
}

} // namespace
