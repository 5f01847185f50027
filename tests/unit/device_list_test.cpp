#include "devices/device_list.h"

#include <gtest/gtest.h>

using namespace aotpack;
using namespace aotpack::devices;

namespace {

std::vector<std::string> expand(const std::string& list) {
    auto result = parseDeviceList(Database::builtin(), list);
    EXPECT_TRUE(result) << list << ": " << (result ? "" : result.error().message);
    return result ? result->names() : std::vector<std::string>{};
}

std::vector<std::string> ips(const std::string& list) {
    auto result = parseDeviceList(Database::builtin(), list);
    std::vector<std::string> out;
    if (result)
        for (const auto& t : result->targets)
            out.push_back(t.ip.str());
    return out;
}

std::string errorOf(const std::string& list) {
    auto result = parseDeviceList(Database::builtin(), list);
    EXPECT_FALSE(result) << list;
    if (result) return "";
    EXPECT_EQ(result.error().code, Errc::Usage);
    return result.error().message;
}

using V = std::vector<std::string>;

} // namespace

TEST(DeviceList, IpexDefaultGivesAtsMAndPvc) {
    EXPECT_EQ(ips("ats-m150,pvc"), (V{"12.55.8", "12.60.7"}));
}

TEST(DeviceList, AliasesCollapseToOneTargetWithNotes) {
    auto result = parseDeviceList(Database::builtin(), "acm-g10,ats-m150,dg2-g10");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->targets.size(), 1u);
    EXPECT_EQ(result->targets[0].name, "acm-g10");
    ASSERT_EQ(result->targets[0].reasons.size(), 3u);
    EXPECT_EQ(result->targets[0].reasons[1], "'ats-m150' is acm-g10 (duplicate, kept once)");
}

TEST(DeviceList, NamesAreCaseDashAndUnderscoreInsensitive) {
    EXPECT_EQ(expand("ATS_M150, Acm-G11 ,PVC"), (V{"acm-g10", "acm-g11", "pvc"}));
}

TEST(DeviceList, ResultIsIpOrderedRegardlessOfInputOrder) {
    EXPECT_EQ(expand("pvc,tgllp,dg1"), (V{"tgllp", "dg1", "pvc"}));
}

TEST(DeviceList, IpVersionAndDecimalValue) {
    EXPECT_EQ(expand("12.60.7"), V{"pvc"});
    EXPECT_EQ(expand("50495488"), V{"dg1"});
    EXPECT_EQ(expand("12.55.4"), V{"acm-g10@b0"});
}

TEST(DeviceList, HexPciIdGivesTheCurrentSteppingNotA0) {
    EXPECT_EQ(ips("0x56C0"), V{"12.55.8"});
    EXPECT_EQ(ips("0x0bd5"), V{"12.60.7"});
}

TEST(DeviceList, ExplicitSteppingByRevisionOrName) {
    EXPECT_EQ(ips("0x56a0@4"), V{"12.55.4"});
    EXPECT_EQ(ips("acm-g10@b0"), V{"12.55.4"});
    EXPECT_EQ(ips("pvc@5"), V{"12.60.5"});
    EXPECT_EQ(ips("pvc@c0"), V{"12.60.7"});
}

TEST(DeviceList, ClosedRangeOverIpOrder) {
    EXPECT_EQ(expand("dg1:acm-g11"), (V{"dg1", "xe-hp-sdv", "acm-g10", "acm-g11"}));
}

TEST(DeviceList, OpenRanges) {
    auto newer = expand("arl-h:");
    ASSERT_FALSE(newer.empty());
    EXPECT_EQ(newer.front(), "arl-h");
    EXPECT_EQ(newer.back(), "cri");
    auto older = expand(":tgllp");
    EXPECT_EQ(older.front(), "bdw");
    EXPECT_EQ(older.back(), "tgllp");
}

TEST(DeviceList, ReleaseRangeExpandsInIpOrder) {
    EXPECT_EQ(expand("xe-hpg:xe-hpc"), (V{"acm-g10", "acm-g11", "acm-g12", "pvc-sdv", "pvc"}));
}

TEST(DeviceList, ReleaseAndFamily) {
    EXPECT_EQ(expand("xe-hpc"), (V{"pvc-sdv", "pvc"}));
    EXPECT_EQ(expand("gen12lp").front(), "tgllp");
    EXPECT_EQ(expand("xe2"), (V{"bmg-g21", "bmg-g31", "lnl-m"}));
    EXPECT_EQ(expand("gen8:gen9").size(), 9u); // bdw + 8 gen9 devices
}

TEST(DeviceList, Presets) {
    EXPECT_EQ(expand("@ipex-default"), (V{"acm-g10", "pvc"}));
    EXPECT_EQ(expand("@torch-xpu-linux,pvc").size(), 8u);
}

TEST(DeviceList, NoneDisablesAot) {
    auto result = parseDeviceList(Database::builtin(), "none");
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->aotDisabled);
    EXPECT_TRUE(result->targets.empty());
    EXPECT_EQ(result->canonical(), "none");
}

TEST(DeviceListErrors, UnknownNameSuggests) {
    EXPECT_EQ(errorOf("ats-m150,pvcc"),
              "unknown device 'pvcc' in device list 'ats-m150,pvcc' (did you mean 'pvc'?)");
}

TEST(DeviceListErrors, UnknownNameWithoutCloseMatch) {
    EXPECT_EQ(errorOf("frobnicator"), "unknown device 'frobnicator'");
}

// What a user types or copies from clinfo, sycl-ls and lspci.
TEST(DeviceListErrors, ProductSpellingsAndMessages) {
    auto nameOf = [](const char* text) {
        auto list = parseDeviceList(Database::builtin(), text);
        return list && list->targets.size() == 1 ? list->targets[0].name : std::string("?");
    };
    EXPECT_EQ(nameOf("Max 1550"), "pvc");
    EXPECT_EQ(nameOf("Flex 170"), "acm-g10");
    EXPECT_EQ(nameOf("Intel Arc A770"), "acm-g10");
    EXPECT_EQ(nameOf("Intel(R) Data Center GPU Max 1550"), "pvc");
    EXPECT_EQ(nameOf("Intel(R) Arc(TM) A770 Graphics"), "acm-g10");
    EXPECT_EQ(nameOf("Intel Corporation DG2 [Arc A380] (rev 05)"), "acm-g11");
    EXPECT_EQ(nameOf("Intel(R) Iris(R) Xe Graphics"), "tgllp");
    EXPECT_EQ(errorOf("Max 1500"), "unknown device 'Max 1500' (did you mean 'Data Center GPU Max "
                                   "1550'?)");
    EXPECT_EQ(errorOf("xe-hgp"), "unknown device 'xe-hgp' (did you mean 'xe-hpg'?)");
    EXPECT_EQ(errorOf("8086:"),
              "malformed PCI id '8086:' (lspci -n prints Intel's as 8086:NNNN, e.g. 8086:56c0)");
    EXPECT_EQ(errorOf("999.999.999"), "IP version '999.999.999' is out of range (major <= 1023, "
                                      "minor <= 255, revision <= 63)");
}

TEST(DeviceListErrors, EmptyItemsAndLists) {
    EXPECT_EQ(errorOf("pvc,,dg1"), "empty item at position 2 in device list 'pvc,,dg1'");
    EXPECT_EQ(errorOf("  "),
              "empty device list (write 'none' to build SPIR-V only) in device list '  '");
}

TEST(DeviceListErrors, RangeErrors) {
    EXPECT_EQ(errorOf("pvc:dg1"), "reversed range 'pvc:dg1': pvc is newer than dg1 (write "
                                  "'dg1:pvc')");
    EXPECT_EQ(errorOf("xe-hpg:pvc"), "range 'xe-hpg:pvc' mixes kinds; both ends must be devices, "
                                     "releases or families");
    EXPECT_EQ(errorOf("a:b:c"), "range 'a:b:c' has more than one ':'");
    EXPECT_EQ(errorOf(":"), "range ':' has no ends");
}

TEST(DeviceListErrors, MalformedIpsAndIds) {
    EXPECT_EQ(errorOf("12.60"), "malformed IP version '12.60' (expected major.minor.revision, e.g. "
                                "12.60.7)");
    EXPECT_EQ(errorOf("12.99.0"), "unknown IP version 12.99.0 ('12.99.0')");
    EXPECT_EQ(errorOf("0x12345"), "malformed PCI id '0x12345' (expected 0xNNNN)");
    EXPECT_EQ(errorOf("0x1234"), "unknown PCI id '0x1234'");
}

TEST(DeviceListErrors, SteppingsAndPresets) {
    EXPECT_EQ(errorOf("pvc@z9"), "unknown stepping 'z9' of pvc in 'pvc@z9' (known: c0 (rev 7), a0 "
                                 "(rev 3), b0 (rev 5), b1 (rev 6))");
    EXPECT_EQ(errorOf("pvc@"), "missing stepping after '@' in 'pvc@'");
    EXPECT_NE(errorOf("@nope").find("unknown preset '@nope' (known: @datacenter, @ipex-default"),
              std::string::npos);
    EXPECT_EQ(errorOf("none,pvc"),
              "'none' cannot be combined with other devices in device list 'none,pvc'");
}
