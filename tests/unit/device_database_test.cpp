#include "devices/database.h"

#include <gtest/gtest.h>

using namespace aotpack;
using namespace aotpack::devices;

TEST(DeviceDatabase, BuiltinDatabaseLoadsFromDevlists) {
    auto db = Database::load(AOTPACK_SOURCE_DIR "/devlists/intel-gpus.devlist");
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->devices().size(), Database::builtin().devices().size());
    const Device* acm = db->findDevice("ATS_M150");
    ASSERT_NE(acm, nullptr);
    EXPECT_EQ(acm->name, "acm-g10");
    EXPECT_EQ(acm->current.ip.str(), "12.55.8");
    EXPECT_EQ(acm->current.ip.value(), 0x030dc008u);
    EXPECT_FALSE(acm->fp64);
    EXPECT_EQ(db->findDevice("pvc")->current.ip.value(), 0x030f0007u);
}

TEST(DeviceDatabase, IpValuesMatchNeoEncoding) {
    const auto& db = Database::builtin();
    EXPECT_EQ(db.findDevice("dg1")->current.ip.value(), 0x03028000u);
    EXPECT_EQ(db.findDevice("bmg")->current.ip.value(), 0x05004000u);
    EXPECT_EQ(db.findDevice("ptl-h")->current.ip.value(), 0x07800004u);
    EXPECT_EQ(IpVersion::fromValue(50495488).str(), "12.10.0");
}

// The product family ocloc 22.43's zebins record instead of their IP (foreign/device_image.cpp
// maps it back to devices): measured per device, data in devlists/.
TEST(DeviceDatabase, ProductFamiliesOfOlderZebins) {
    const auto& db = Database::builtin();
    EXPECT_EQ(db.findDevice("pvc")->productFamily, 0x4f7u);
    EXPECT_EQ(db.findDevice("acm-g11")->productFamily, 0x4f6u);
    EXPECT_EQ(db.findDevice("tgllp")->productFamily, 0x1du);
    EXPECT_EQ(db.findDevice("bmg")->productFamily, 0u); // not measured: 22.43 cannot build it
}

TEST(DeviceDatabase, CompatibilityTable) {
    const auto& db = Database::builtin();
    auto served = db.servedBy(*parseIpVersion("12.55.8"));
    ASSERT_EQ(served.size(), 2u);
    EXPECT_EQ(served[0].str(), "12.56.5");
    auto keys = db.keysServing(*parseIpVersion("20.4.4"));
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].str(), "20.1.0");
}

TEST(DeviceDatabase, PciIdsAndSteppings) {
    const auto& db = Database::builtin();
    ASSERT_NE(db.findPci(0x56C0), nullptr);
    EXPECT_EQ(db.findPci(0x56C0)->device, "acm-g10");
    auto b0 = db.findIp(*parseIpVersion("12.55.4"));
    ASSERT_TRUE(b0);
    EXPECT_EQ(b0->name(), "acm-g10@b0");
}

struct BadDevlist {
    const char* text;
    const char* message;
};

class DevlistErrors : public ::testing::TestWithParam<BadDevlist> {};

TEST_P(DevlistErrors, NameFileAndLine) {
    auto db = Database::parse(GetParam().text, "t.devlist");
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::BadInput);
    EXPECT_EQ(db.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, DevlistErrors,
    ::testing::Values(
        BadDevlist{"", "t.devlist:1: empty file, expected 'aotpack-devlist 1'"},
        BadDevlist{"aotpack-devlist 2\n",
                   "t.devlist:1: devlist format version 2 is not supported (this aotpack reads 1)"},
        BadDevlist{"hello\n", "t.devlist:1: expected the header 'aotpack-devlist 1'"},
        BadDevlist{"aotpack-devlist 1\nwidget x\n", "t.devlist:2: unknown record kind 'widget'"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=1.2.3 release=r fp64=no stepping=a0 rev=0 product-family=77\n",
                   "t.devlist:4: malformed product-family '77' (expected 0xN)"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=12.5 release=r fp64=no stepping=a0 rev=0\n",
                   "t.devlist:4: malformed IP version '12.5' (expected major.minor.revision)"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=12.5.0 release=q fp64=no stepping=a0 rev=0\n",
                   "t.devlist:4: device 'd' names unknown release 'q'"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=12.5.0 release=r fp64=maybe stepping=a0 rev=0\n",
                   "t.devlist:4: fp64 must be yes or no, not 'maybe'"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=12.5.0 release=r fp64=no stepping=a0 rev=0\n"
                   "device e ip=12.5.0 release=r fp64=no stepping=a0 rev=0\n",
                   "t.devlist:5: IP version 12.5.0 is defined twice"},
        BadDevlist{"aotpack-devlist 1\nfamily xe\nrelease r family=xe\n"
                   "device d ip=12.5.0 release=r fp64=no stepping=a0 rev=0 aliases=x\n"
                   "device e ip=12.6.0 release=r fp64=no stepping=a0 rev=0 aliases=X\n",
                   "t.devlist:5: name 'X' is defined twice"},
        BadDevlist{"aotpack-devlist 1\npci 0xZZ d\n",
                   "t.devlist:2: malformed PCI id '0xZZ' (expected 0xNNNN)"},
        BadDevlist{"aotpack-devlist 1\npreset p \"a,b\n", "t.devlist:2: unterminated quote"},
        BadDevlist{"aotpack-devlist 1\nrelease r\n",
                   "t.devlist:2: 'release' record needs family="}));
