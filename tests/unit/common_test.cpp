// common/: small pieces every layer uses (sizes, encodings).
#include "common/text.h"
#include "crypto/sha256.h"

#include <gtest/gtest.h>

using namespace aotpack;

// `aotpack cache --max-size`: sizes as humanBytes prints them, binary units.
TEST(ParseByteSize, UnitsAndErrors) {
    EXPECT_EQ(parseByteSize("4096"), 4096u);
    EXPECT_EQ(parseByteSize("500M"), 500ull << 20);
    EXPECT_EQ(parseByteSize("10G"), 10ull << 30);
    EXPECT_EQ(parseByteSize("10GB"), 10ull << 30);
    EXPECT_EQ(parseByteSize("1.5GiB"), 3ull << 29);
    EXPECT_EQ(parseByteSize("2k"), 2048u);
    EXPECT_EQ(parseByteSize("100B"), 100u);
    for (const char* bad : {"", "G", "10X", "1.2.3G", "0", "-5M", "10 G", "10GiBs"})
        EXPECT_FALSE(parseByteSize(bad)) << bad;
}

// RFC 4648's test vectors, URL-safe and unpadded (a wheel's RECORD digests).
TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
    auto enc = [](std::string_view s) {
        return base64UrlNoPadding(
            ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    };
    EXPECT_EQ(enc(""), "");
    EXPECT_EQ(enc("f"), "Zg");
    EXPECT_EQ(enc("fo"), "Zm8");
    EXPECT_EQ(enc("foo"), "Zm9v");
    EXPECT_EQ(enc("foob"), "Zm9vYg");
    EXPECT_EQ(enc("fooba"), "Zm9vYmE");
    EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
    EXPECT_EQ(enc("\xfb\xff"), "-_8"); // the two characters URL-safe base64 changes
}
