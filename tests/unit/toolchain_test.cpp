// The toolchain's real side against stand-in tools (shell scripts that log every call): what
// OclocFacts asks ocloc and remembers, the OpenCL C frontend's and `clang -M`'s command lines and
// how their results are read. The real tools run in the e2e tests (frontends.sh, ocloc_dropin.sh).
#include "toolchain/compiler_support.h"
#include "toolchain/frontend.h"
#include "toolchain/ocloc_facts.h"
#include "toolchain/process_pool.h"

#include "common/file_io.h"
#include "common/text.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace aotpack::toolchain {
namespace {

namespace fs = std::filesystem;

Status writeScript(const fs::path& path, const std::string& text) {
    return writeFileAtomic(
        path, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), 0755);
}

// A stand-in ocloc: appends "$@" to calls.log, answers query/ids like 22.43 and a fat build
// of "xe-hpc" with two members, fails everything else with exit 223 (INVALID_DEVICE).
const char* kFakeOcloc = R"SH(#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls.log"
case "$1" in
query) printf '22.43.24595\0' > OCL_DRIVER_VERSION ;;
ids) case "$2" in
     pvc) echo 'Matched ids:'; echo '12.60.7' ;;
     xe-hpc) echo 'Matched ids:'; echo '12.60.1'; echo '12.60.7' ;;
     *) echo "Invalid pattern: $2"; exit 223 ;;
     esac ;;
compile) case "$*" in
     *-spv_only*) case "$(cat "$3")" in *'#error'*) echo 'error: stop'; exit 245;; esac
                  printf 'SPIRV' > module_XE_HPC_COREpvc.spv; echo 'Build succeeded.' ;;
     *'-device xe-hpc'*) printf 'Build succeeded for : pvc-sdv.\nBuild succeeded for : pvc.\n'
          printf '!<arch>\n' > probe.ar
          for m in 64.12.60.1 64.12.60.7; do printf '%-16s%-12s%-6s%-6s%-8s%-10s`\n' "$m/" 0 0 0 644 2 >> probe.ar; printf 'zz' >> probe.ar; done ;;
     *) exit 223 ;;
     esac ;;
esac
)SH";

class ToolchainFacts : public ::testing::Test {
  protected:
    void SetUp() override {
        ocloc = dir.path() / "bin" / "ocloc";
        fs::create_directories(ocloc.parent_path());
        ASSERT_TRUE(writeScript(ocloc, kFakeOcloc));
    }
    std::vector<std::string> calls() const {
        auto text = readTextFile(ocloc.parent_path() / "calls.log");
        std::vector<std::string> lines;
        for (auto& l : split(text.value_or(""), '\n'))
            if (!l.empty()) lines.push_back(l);
        return lines;
    }
    TempDir dir;
    fs::path ocloc;
};

TEST_F(ToolchainFacts, FactsAreAskedOnceAndRememberedForTheNextProcess) {
    fs::path store = dir.path() / "facts";
    {
        OclocFacts facts(ocloc, store);
        EXPECT_EQ(facts.version(), "22.43.24595");
        EXPECT_EQ(facts.identity().rfind("ocloc 22.43.24595 ", 0), 0u);
        EXPECT_EQ(facts.ipOf("pvc")->str(), "12.60.7");
        EXPECT_FALSE(facts.ipOf("xe-hpc")); // two IPs: not one device
        EXPECT_FALSE(facts.ipOf("nosuch"));
        auto ips = facts.idsOfAll({"pvc", "xe-hpc", "nosuch"});
        EXPECT_EQ(ips.size(), 2u);
        auto targets = facts.expand("xe-hpc");
        ASSERT_TRUE(targets);
        ASSERT_EQ(targets->size(), 2u);
        EXPECT_EQ((*targets)[0].acronym, "pvc-sdv");
        EXPECT_EQ((*targets)[1].ip.str(), "12.60.7");
        EXPECT_FALSE(facts.expand("bad"));
    }
    std::size_t asked = calls().size();
    EXPECT_EQ(asked, 6u); // query, ids of pvc, xe-hpc and nosuch, fat builds of xe-hpc and bad
    OclocFacts again(ocloc, store);
    EXPECT_EQ(again.version(), "22.43.24595");
    EXPECT_EQ(again.idsOfAll({"pvc", "xe-hpc", "nosuch"}).size(), 2u);
    EXPECT_TRUE(again.expand("xe-hpc"));
    EXPECT_FALSE(again.expand("bad")); // a rejection is remembered too
    EXPECT_EQ(calls().size(), asked);  // every answer came from the store
}

TEST_F(ToolchainFacts, DeferredProbesAreRecordedNotRun) {
    OclocFacts facts(ocloc, dir.path() / "facts");
    facts.deferProbes();
    EXPECT_FALSE(facts.expand("xe-hpc"));
    EXPECT_EQ(facts.deferred(), std::vector<std::string>{"xe-hpc"});
    for (const auto& call : calls())
        EXPECT_EQ(call.find("compile"), std::string::npos) << call;
}

TEST_F(ToolchainFacts, TheBuildsViewOfTheCompilerAndItsErrors) {
    auto support = probeCompiler(devices::Database::builtin(), ocloc, dir.path() / "facts");
    ASSERT_TRUE(support) << support.error().message;
    EXPECT_EQ(support->version, "22.43.24595");
    EXPECT_TRUE(support->supports(*devices::parseIpVersion("12.60.7")));
    EXPECT_FALSE(support->supports(*devices::parseIpVersion("12.55.8")));
    auto e = unsupportedTarget(*support, "acm-g10", *devices::parseIpVersion("12.55.8"));
    EXPECT_EQ(e.code, Errc::Unsupported);
    EXPECT_NE(e.message.find("cannot build it"), std::string::npos);
    auto missing = probeCompiler(devices::Database::builtin(), dir.path() / "no-ocloc");
    EXPECT_EQ(missing.error().code, Errc::Unsupported);
}

TEST_F(ToolchainFacts, TheOclocFrontendWritesSpirvOrNamesOclocsError) {
    ASSERT_TRUE(writeFileAtomic(dir.path() / "good.cl", std::string("kernel void k() {}\n")));
    ASSERT_TRUE(writeFileAtomic(dir.path() / "bad.cl", std::string("#error no\n")));
    std::vector<FrontendJob> work = {
        {dir.path() / "good.cl", dir.path(), "-DX=1", "pvc", Frontend::Ocloc, 60, dir.path() / "g"},
        {dir.path() / "bad.cl", dir.path(), "", "pvc", Frontend::Ocloc, 60, dir.path() / "b"}};
    auto results = runFrontendJobs(ocloc, work, 2);
    ASSERT_TRUE(results[0].spirv);
    EXPECT_EQ(results[0].spirv->filename(), "module_XE_HPC_COREpvc.spv");
    EXPECT_FALSE(results[1].spirv);
    EXPECT_EQ(results[1].failure, "exit code 245 (ocloc BUILD_PROGRAM_FAILURE)");
    EXPECT_EQ(results[1].log, "error: stop");
    bool sawGood = false;
    for (const auto& call : calls())
        if (call.find("good.cl") != std::string::npos) {
            sawGood = true;
            EXPECT_NE(call.find("-spv_only -device pvc -output module -options -I " +
                                dir.path().string() + " -DX=1"),
                      std::string::npos)
                << call;
        }
    EXPECT_TRUE(sawGood);
}

TEST_F(ToolchainFacts, ClangListsDependenciesWithTheFrontendsOptions) {
    // A stand-in clang -M: the make rule it prints names the source and one header with a space.
    fs::path clang = dir.path() / "bin" / "clang";
    ASSERT_TRUE(
        writeScript(clang, std::string("#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/clang.log\"\n"
                                       "case \"$*\" in *missing*) echo 'fatal: not found'; "
                                       "exit 1;; esac\n"
                                       "printf 'x: a.cl \\\\\\n  my\\\\ dir/h.h\\n'\n")));
    const char* old = std::getenv("AOTPACK_CLANG");
    std::string saved = old ? old : "";
    setenv("AOTPACK_CLANG", clang.c_str(), 1);
    auto found =
        runDependencyScans({{"a.cl", "inc", "-DX=1 -I more"}, {"missing.cl", "inc", ""}}, 2);
    old ? (void)setenv("AOTPACK_CLANG", saved.c_str(), 1) : (void)unsetenv("AOTPACK_CLANG");
    ASSERT_TRUE(found[0]) << found[0].error().message;
    EXPECT_EQ(*found[0], (std::set<std::string>{"a.cl", "my dir/h.h"}));
    ASSERT_FALSE(found[1]);
    EXPECT_EQ(found[1].error().message, "clang -M: exit code 1");
    auto log = *readTextFile(dir.path() / "bin" / "clang.log");
    EXPECT_NE(log.find("-x cl -cl-std=CL2.0 -Xclang -finclude-default-header -M -MT x -I inc -DX=1 "
                       "-I more a.cl"),
              std::string::npos)
        << log;
}

// Compilers run with glibc's malloc asking for transparent huge pages (process_pool.h says why);
// what the user put in GLIBC_TUNABLES stays, and their own hugetlb setting wins.
TEST(CompilerEnvironment, AddsHugePagesToTheUsersTunablesUnlessTheyChoseThemselves) {
    EXPECT_EQ(compilerEnvironment(nullptr),
              std::vector<std::string>{"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"});
    EXPECT_EQ(
        compilerEnvironment("glibc.malloc.arena_max=2"),
        std::vector<std::string>{"GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"});
    EXPECT_TRUE(compilerEnvironment("glibc.malloc.hugetlb=0").empty());
}

// A real child of the pool sees one GLIBC_TUNABLES, the user's value extended (spawnProcess
// replaces a variable it sets rather than adding a second entry, whose effect would be unclear).
TEST(CompilerEnvironment, APoolsChildSeesOneGlibcTunablesWithHugePages) {
    TempDir dir;
    const char* before = std::getenv("GLIBC_TUNABLES");
    std::string saved = before ? before : "";
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", 1);
    std::vector<PoolTask> tasks(1);
    tasks[0].spec = {
        {"/bin/sh", "-c", "env | grep '^GLIBC_TUNABLES='"}, {}, dir.path() / "out", {}, {}};
    bool ran = false;
    tasks[0].onFinish = [&](Expected<ProcessResult> r) { ran = r && r->succeeded(); };
    runPool(tasks, {1, 0, {}});
    if (before)
        ::setenv("GLIBC_TUNABLES", saved.c_str(), 1);
    else
        ::unsetenv("GLIBC_TUNABLES");
    ASSERT_TRUE(ran);
    EXPECT_EQ(readTextFile(dir.path() / "out").value_or(""),
              "GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1\n");
}

} // namespace
} // namespace aotpack::toolchain
