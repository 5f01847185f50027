// The toolchain store's decisions without packages: version order, IP ranges, routing (the newest
// toolchain that builds a target, choices by id, prefix or version), lock files, manifests.
#include "common/file_io.h"
#include "common/subprocess.h"
#include "toolchain/lock.h"
#include "toolchain/routing.h"
#include "toolchain/store.h"

#include <gtest/gtest.h>

namespace aotpack::toolchain {
namespace {

std::uint32_t ip(unsigned major, unsigned minor, unsigned revision) {
    return devices::IpVersion{major, minor, revision}.value();
}

Toolchain make(std::string id, std::string version, std::set<std::uint32_t> ips,
               bool spirvOnly = false) {
    Toolchain t;
    t.id = std::move(id);
    t.oclocVersion = std::move(version);
    t.ipValues = std::move(ips);
    t.spirvOnly = spirvOnly;
    return t;
}

// The toolchains below are fictional releases (31.42 newest, legacy 29.8, the host 22.43): these
// tests are about ordering and lookup, not about what Debian ships today.
TEST(ToolchainStore, VersionsCompareNumerically) {
    EXPECT_TRUE(compareVersions("31.42.10000.7", "22.43.24595") > 0);
    EXPECT_TRUE(compareVersions("29.8.20000.3", "31.42.10000.7") < 0);
    EXPECT_TRUE(compareVersions("22.43.100", "22.43.99") > 0); // not as text
    EXPECT_TRUE(compareVersions("31.42", "31.42.0") == 0);
}

TEST(ToolchainStore, IpRangesGroupByMajor) {
    EXPECT_EQ(describeIpRanges({ip(12, 0, 0), ip(12, 55, 8), ip(12, 60, 7), ip(20, 1, 0)}),
              "12.0.0-12.60.7, 20.1.0");
    EXPECT_EQ(describeIpRanges({}), "");
}

TEST(ToolchainRouting, TheNewestThatBuildsATarget) {
    // Newest first, as availableToolchains orders them.
    std::vector<Toolchain> all = {
        make("ocloc-31.42.10000-aaaaaaaaaaaa", "31.42.10000.7", {ip(12, 60, 7), ip(20, 1, 0)}),
        make("ocloc-legacy-29.8.20000-bbbbbbbbbbbb", "29.8.20000.3", {ip(9, 0, 9)}),
        make(kHostToolchainId, "22.43.24595", {ip(9, 0, 9), ip(12, 60, 7)})};
    EXPECT_EQ(defaultToolchainFor(all, ip(20, 1, 0)), 0u);  // only 31.42
    EXPECT_EQ(defaultToolchainFor(all, ip(12, 60, 7)), 0u); // 31.42 before the host's 22.43
    EXPECT_EQ(defaultToolchainFor(all, ip(9, 0, 9)), 1u);   // legacy 29.8 before 22.43
    EXPECT_FALSE(defaultToolchainFor(all, ip(30, 0, 4)));
    all[0].spirvOnly = true; // the frontend needs libigdfcl
    EXPECT_EQ(defaultToolchainFor(all, ip(12, 60, 7), true), 2u);
}

TEST(ToolchainRouting, ChoicesByIdPrefixVersionOrHost) {
    std::vector<Toolchain> all = {make("ocloc-31.42.10000-aaaaaaaaaaaa", "31.42.10000.7", {}),
                                  make(kHostToolchainId, "22.43.24595", {})};
    EXPECT_EQ(*findToolchain(all, "ocloc-31.42.10000-aaaaaaaaaaaa"), 0u);
    EXPECT_EQ(*findToolchain(all, "ocloc-31"), 0u);
    EXPECT_EQ(*findToolchain(all, "31.42"), 0u);
    EXPECT_EQ(*findToolchain(all, "host"), 1u);
    EXPECT_EQ(*findToolchain(all, "22.43.24595"), 1u);
    auto missing = findToolchain(all, "25.1");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::Usage);
    EXPECT_NE(missing.error().message.find("installed: ocloc-31.42.10000-aaaaaaaaaaaa"),
              std::string::npos);
    EXPECT_FALSE(findToolchain(all, "31.4")); // a version prefix ends at a dot
}

TEST(ToolchainRouting, HintsTheLegacyCompilerForGen8ToGen11) {
    EXPECT_EQ(toolchainAddHint(devices::IpVersion{9, 0, 9}),
              "aotpack toolchain add debian:sid --legacy");
    EXPECT_EQ(toolchainAddHint(devices::IpVersion{20, 1, 0}), "aotpack toolchain add debian:sid");
}

TEST(ToolchainLock, RoundTripsAndRefusesWhatIsNotALock) {
    TempDir dir;
    Toolchain t = make("ocloc-31.42.10000-aaaaaaaaaaaa", "31.42.10000.7", {});
    t.source = "debian:sid";
    t.packages = {{"intel-ocloc", "31.42.10000.7-1", std::string(64, 'a'), 530380,
                   "http://mirror.invalid/pool/main/i/intel-ocloc.deb"}};
    ASSERT_TRUE(writeFileAtomic(dir.path() / "lock", lockText({t})));
    auto back = readLock(dir.path() / "lock");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ((*back)[0].id, t.id);
    EXPECT_EQ((*back)[0].packages[0].sha256, t.packages[0].sha256);
    EXPECT_EQ((*back)[0].packages[0].size, 530380u);
    ASSERT_TRUE(writeFileAtomic(dir.path() / "bad", std::string("{\"format\": \"other\"}")));
    auto bad = readLock(dir.path() / "bad");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::BadInput);
    std::string noSha = lockText({t});
    noSha.replace(noSha.find(std::string(64, 'a')), 64, "zz");
    ASSERT_TRUE(writeFileAtomic(dir.path() / "nosha", noSha));
    EXPECT_FALSE(readLock(dir.path() / "nosha"));
}

TEST(ToolchainStore, AnEmptyOrMissingStoreHasNoToolchains) {
    TempDir dir;
    EXPECT_TRUE(ToolchainStore(dir.path() / "none").installed().empty());
    auto found = ToolchainStore(dir.path()).find("31.42");
    ASSERT_FALSE(found);
    EXPECT_NE(found.error().message.find("it is empty"), std::string::npos);
}

TEST(ToolchainStore, AManifestWithRelativePathsLoadsWithAbsoluteOnes) {
    TempDir dir;
    std::filesystem::path t = dir.path() / "ocloc-31.42.10000-aaaaaaaaaaaa";
    std::filesystem::create_directories(t);
    ASSERT_TRUE(writeFileAtomic(
        t / "toolchain.json",
        std::string(R"({"format": "aotpack-toolchain/1", "id": "ocloc-31.42.10000-aaaaaaaaaaaa",
          "ocloc_version": "31.42.10000.7", "ips": [)") +
            std::to_string(ip(20, 1, 0)) +
            R"(], "loader": "root/usr/lib/ld.so", "library_dirs": ["root/usr/lib"],
          "libocloc": "root/usr/lib/libocloc.so"})"));
    auto loaded = loadToolchain(t);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->ocloc, t / "bin" / "ocloc");
    EXPECT_EQ(loaded->loader, t / "root/usr/lib/ld.so");
    EXPECT_EQ(loaded->libraryPath, (t / "root/usr/lib").string());
    EXPECT_TRUE(loaded->supports(ip(20, 1, 0)));
    auto support = supportOf(*loaded);
    EXPECT_EQ(support.identity, "toolchain ocloc-31.42.10000-aaaaaaaaaaaa"); // not the path
    EXPECT_EQ(support.launcher.front(), (t / "root/usr/lib/ld.so").string());
    EXPECT_EQ(ToolchainStore(dir.path()).installed().size(), 1u);
}

} // namespace
} // namespace aotpack::toolchain
