// The OpenCL half of capture without a GPU: build options as the driver reads them, the headers
// an OpenCL C program includes through -I, the options a build of the captured copy gets, and
// which compiler's natives a driver release can take.
#include "capture/opencl_source.h"
#include "runtime/driver_release.h"

#include "common/file_io.h"
#include "common/subprocess.h"

#include <filesystem>
#include <gtest/gtest.h>

namespace aotpack::capture {
namespace {

namespace fs = std::filesystem;

TEST(OpenClOptions, SplitsLikeAShellKeepingQuotes) {
    auto words = optionWords(" -D X=\"a b\"\t-I /inc  -cl-mad-enable ");
    EXPECT_EQ(words, (std::vector<std::string>{"-D", "X=\"a b\"", "-I", "/inc", "-cl-mad-enable"}));
}

TEST(OpenClOptions, FindsIncludeDirectoriesInBothForms) {
    EXPECT_EQ(includeDirs("-DA -I /one -I/two -I \"/with space\" -Ilast"),
              (std::vector<std::string>{"/one", "/two", "/with space", "last"}));
    EXPECT_TRUE(includeDirs("-DINCLUDE -cl-std=CL2.0").empty());
}

TEST(OpenClOptions, RedirectsEveryIncludeDirectoryToOne) {
    EXPECT_EQ(redirectIncludeDirs("-DA=1 -I /one -I/two -cl-mad-enable", "/cap/m.include"),
              "-DA=1 -I /cap/m.include -cl-mad-enable");
    EXPECT_EQ(redirectIncludeDirs("-DA", "/x"), "-DA"); // nothing to redirect
    EXPECT_EQ(redirectIncludeDirs("-I a", "/has space"), "-I \"/has space\"");
}

TEST(OpenClHeaders, ResolvesNestedIncludesThroughTheIncludeDirectories) {
    TempDir dir;
    fs::create_directories(dir.path() / "a" / "sub");
    fs::create_directories(dir.path() / "b");
    ASSERT_TRUE(writeFileAtomic(dir.path() / "a" / "top.h", std::string("#include <sub/mid.h>\n")));
    ASSERT_TRUE(writeFileAtomic(dir.path() / "a" / "sub" / "mid.h",
                                std::string("  #  include \"leaf.h\"\n#define MID 1\n")));
    ASSERT_TRUE(writeFileAtomic(dir.path() / "b" / "leaf.h", std::string("#define LEAF 2\n")));
    std::string options = "-I " + (dir.path() / "a").string() + " -I" + (dir.path() / "b").string();
    auto headers = resolveHeaders("#include \"top.h\"\n#include <opencl-c.h>\n"
                                  "#include \"../escape.h\"\nkernel void k() {}\n",
                                  options);
    ASSERT_EQ(headers.size(), 3u); // opencl-c.h is the compiler's; ../ never leaves the directory
    EXPECT_EQ(headers[0].path, "top.h");
    EXPECT_EQ(headers[1].path, "sub/mid.h");
    EXPECT_EQ(headers[2].path, "leaf.h");
    EXPECT_EQ(headers[2].text, "#define LEAF 2\n");
}

TEST(OpenClHeaders, IncludeCyclesEndAndNothingIsFoundWithoutDirectories) {
    TempDir dir;
    ASSERT_TRUE(writeFileAtomic(dir.path() / "x.h", std::string("#include \"x.h\"\n")));
    EXPECT_EQ(resolveHeaders("#include \"x.h\"", "-I " + dir.path().string()).size(), 1u);
    EXPECT_TRUE(resolveHeaders("#include \"x.h\"", "").empty());
}

TEST(DriverRelease, NativesFromANewerCompilerAreNotForAnOlderDriver) {
    using runtime::newerThanDriver;
    // Fictional releases: the rule compares year.week, whatever Debian ships.
    EXPECT_TRUE(newerThanDriver("ocloc 31.42.50000.1", "29.8.40000"));
    EXPECT_FALSE(newerThanDriver("ocloc 29.8.40000", "29.8.40000"));
    EXPECT_FALSE(newerThanDriver("ocloc 29.8.40000", "31.42.50000"));
    EXPECT_TRUE(newerThanDriver("ocloc 29.9.1", "29.8.40000"));
    EXPECT_FALSE(newerThanDriver("", "29.8.40000"));       // unknown compiler: served
    EXPECT_FALSE(newerThanDriver("ocloc 31.42.1", ""));    // unknown driver: served
    EXPECT_FALSE(newerThanDriver("ocloc 31.42.1", "1.3")); // not a NEO release
}

} // namespace
} // namespace aotpack::capture
