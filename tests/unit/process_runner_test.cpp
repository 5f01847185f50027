// The single runs of programs (common/subprocess.h ProcessRunner) seen through a fake: what each
// caller asks to run and what it makes of a missing or failing tool, without the tool.
#include "archive/tools.h"
#include "bundle/bundle.h"
#include "cli/exit_codes.h"
#include "fake_process_runner.h"
#include "toolchain/deb_source.h"
#include "toolchain/ocloc_facts.h"
#include "toolchain/ocloc_worker.h"

#include <algorithm>
#include <gtest/gtest.h>

using aotpack::Errc;
using aotpack::ProcessSpec;
using aotpack::TempDir;
using aotpack::fakes::FakeAnswer;
using aotpack::fakes::FakeProcessRunner;
namespace fs = std::filesystem;

namespace {

bool has(const std::vector<std::string>& argv, const std::string& word) {
    return std::find(argv.begin(), argv.end(), word) != argv.end();
}

// apt's answers for a source with a made-up intel-ocloc 99.1 (no real release: the test is about
// apt's answers, not a version) and two IGC generations.
std::optional<FakeAnswer> debianSid(const ProcessSpec& spec) {
    const auto& a = spec.argv;
    if (has(a, "pkgnames"))
        return FakeAnswer{0, "intel-ocloc\nlibigc1\nlibigc2\nlibigdfcl1\nlibigdfcl2\nzlib1g\n"};
    if (has(a, "-s"))
        return FakeAnswer{0, "Inst intel-ocloc (99.1-1 Debian:unstable [amd64])\n"
                             "Inst libigc2 (1:2.40-1 Debian:unstable [amd64])\n"};
    if (has(a, "--print-uris"))
        return FakeAnswer{
            0,
            "'http://127.0.0.1:1/d/intel-ocloc_99.1-1_amd64.deb' intel-ocloc_99.1-1_amd64.deb "
            "1000 SHA256:" +
                std::string(64, 'a') +
                "\n"
                "'http://127.0.0.1:1/d/libigc2_1%3a2.40-1_amd64.deb' libigc2_1%3a2.40-1_amd64.deb "
                "2000 SHA256:" +
                std::string(64, 'b') + "\n"};
    return FakeAnswer{0, ""}; // update, download
}

// The value of apt's `-o KEY=VALUE` in a command line ("(none)" without it).
std::string aptOption(const ProcessSpec& call, const std::string& key) {
    for (const auto& word : call.argv)
        if (word.starts_with(key + "=")) return word.substr(key.size() + 1);
    return "(none)";
}

const std::string kAptLine = "deb http://127.0.0.1:1/debian sid main";

} // namespace

// The compiler's packages are resolved by apt against a private state directory, never the
// host's; the newest IGC generation goes with intel-ocloc, and each .deb is pinned by the
// index's SHA-256 (an epoch in a file name is the version's).
TEST(ProcessRunner, AptResolvesTheCompilerInAPrivateStateAndPinsEachDeb) {
    TempDir dir;
    FakeProcessRunner apt;
    apt.answer = debianSid;
    auto debs = aotpack::toolchain::fetchFromApt(kAptLine, {}, dir.path() / "apt",
                                                 dir.path() / "downloads", apt);
    ASSERT_TRUE(debs) << debs.error().message;
    ASSERT_EQ(debs->size(), 2u);
    EXPECT_EQ((*debs)[0].pin.name, "intel-ocloc");
    EXPECT_EQ((*debs)[0].pin.version, "99.1-1");
    EXPECT_EQ((*debs)[0].pin.sha256, std::string(64, 'a'));
    EXPECT_EQ((*debs)[1].pin.name, "libigc2");
    EXPECT_EQ((*debs)[1].pin.version, "1:2.40-1");
    EXPECT_EQ((*debs)[1].file, dir.path() / "downloads" / "libigc2_1%3a2.40-1_amd64.deb");
    ASSERT_EQ(apt.calls.size(), 5u); // update, pkgnames, install -s, --print-uris, download
    std::string state = (dir.path() / "apt").string();
    for (const auto& call : apt.calls) {
        EXPECT_TRUE(aptOption(call, "Dir::Etc::sourcelist").starts_with(state));
        EXPECT_TRUE(aptOption(call, "Dir::State::status").starts_with(state));
        EXPECT_EQ(aptOption(call, "Dir::Etc::sourceparts"), "-"); // not /etc/apt/sources.list.d
    }
    const auto& install = apt.calls[2].argv;
    EXPECT_TRUE(has(install, "intel-ocloc") && has(install, "libigc2") &&
                has(install, "libigdfcl2"));
    EXPECT_FALSE(has(install, "libigc1"));
    EXPECT_TRUE(has(apt.calls[4].argv, "libigc2=1:2.40-1"));
    auto sources = aotpack::readTextFile(aptOption(apt.calls[0], "Dir::Etc::sourcelist"));
    ASSERT_TRUE(sources);
    EXPECT_EQ(*sources, kAptLine + "\n");

    FakeProcessRunner legacyApt; // the legacy compiler goes with the oldest generation
    legacyApt.answer = debianSid;
    aotpack::toolchain::SourceOptions legacy;
    legacy.legacy = true;
    (void)aotpack::toolchain::fetchFromApt(kAptLine, legacy, dir.path() / "apt",
                                           dir.path() / "downloads", legacyApt);
    ASSERT_GE(legacyApt.calls.size(), 3u);
    EXPECT_TRUE(has(legacyApt.calls[2].argv, "intel-ocloc-legacy"));
    EXPECT_TRUE(has(legacyApt.calls[2].argv, "libigc1"));
}

// What apt complains of first is the error, under the step that failed; nothing after it runs.
TEST(ProcessRunner, AFailingAptStepIsOneErrorQuotingAptAndStopsTheFetch) {
    TempDir dir;
    FakeProcessRunner apt;
    apt.answer = [](const ProcessSpec& spec) -> std::optional<FakeAnswer> {
        if (has(spec.argv, "update"))
            return FakeAnswer{100, "Ign:1 http://127.0.0.1:1/debian sid InRelease\n"
                                   "E: The repository 'http://127.0.0.1:1/debian sid Release' "
                                   "does not have a Release file.\n"};
        return FakeAnswer{0, ""};
    };
    auto debs = aotpack::toolchain::fetchFromApt(kAptLine, {}, dir.path() / "apt",
                                                 dir.path() / "downloads", apt);
    ASSERT_FALSE(debs);
    EXPECT_EQ(debs.error().code, Errc::FetchFailed);
    EXPECT_EQ(debs.error().message, "cannot read '" + kAptLine +
                                        "': The repository 'http://127.0.0.1:1/debian sid "
                                        "Release' does not have a Release file.");
    EXPECT_EQ(apt.calls.size(), 1u);

    FakeProcessRunner noCompiler; // the suite has no such package today
    noCompiler.answer = [](const ProcessSpec& spec) -> std::optional<FakeAnswer> {
        if (has(spec.argv, "-s"))
            return FakeAnswer{100, "E: Unable to locate package intel-ocloc\n"};
        return debianSid(spec);
    };
    debs = aotpack::toolchain::fetchFromApt(kAptLine, {}, dir.path() / "apt",
                                            dir.path() / "downloads", noCompiler);
    ASSERT_FALSE(debs);
    EXPECT_EQ(debs.error().message, "'" + kAptLine +
                                        "' cannot provide the compiler: Unable to locate package "
                                        "intel-ocloc");
    EXPECT_EQ(noCompiler.calls.size(), 3u);
}

// embed's .o goes through the C compiler ($CC, else cc): when it fails, one error names the
// output and carries the compiler's words, and no output is left.
TEST(ProcessRunner, EmbedWithAFailingCCompilerWritesNothing) {
    TempDir dir;
    FakeProcessRunner cc;
    cc.answer = [](const ProcessSpec&) {
        return std::optional<FakeAnswer>(FakeAnswer{1, "embed.S: Assembler messages: bad\n"});
    };
    fs::path out = dir.path() / "archive.o";
    auto st = aotpack::archive::embed(aotpack::ByteView(), out, "app_archive", cc);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, Errc::Output);
    EXPECT_NE(st.error().message.find("assembling '" + out.string() + "' failed: exit code 1"),
              std::string::npos)
        << st.error().message;
    EXPECT_NE(st.error().message.find("Assembler messages: bad"), std::string::npos);
    EXPECT_FALSE(fs::exists(out));
    ASSERT_EQ(cc.calls.size(), 1u);
    EXPECT_EQ(cc.calls[0].argv[1], "-c");
    EXPECT_TRUE(cc.calls[0].argv[2].ends_with("embed.S"));
}

// --version names IGC from Debian's package when dpkg-query knows it, and says "unknown" on a
// machine without dpkg (not an error: the rest of the text still comes).
TEST(ProcessRunner, VersionTextNamesIgcFromDpkgOrSaysUnknown) {
    FakeProcessRunner dpkg;
    dpkg.answer = [](const ProcessSpec& spec) -> std::optional<FakeAnswer> {
        if (spec.argv[0] == "dpkg-query") return FakeAnswer{0, "1.0.17193.4-1"};
        return std::nullopt; // the ocloc probe runs for real
    };
    auto text = aotpack::cli::versionText(dpkg);
    EXPECT_NE(text.find("IGC 1.0.17193.4-1 (Debian libigc1)\n"), std::string::npos) << text;
    ASSERT_EQ(dpkg.callsOf("dpkg-query").size(), 1u);
    EXPECT_TRUE(has(dpkg.callsOf("dpkg-query")[0].argv, "libigc1"));

    FakeProcessRunner noDpkg;
    noDpkg.answer = [](const ProcessSpec& spec) -> std::optional<FakeAnswer> {
        if (spec.argv[0] == "dpkg-query") return aotpack::fakes::notInstalled("dpkg-query");
        return std::nullopt;
    };
    text = aotpack::cli::versionText(noDpkg);
    EXPECT_NE(text.find("IGC: unknown\n"), std::string::npos) << text;
    EXPECT_TRUE(text.starts_with("aotpack "));
}

// A machine without binutils bundles unstripped files and says so once; every other step (the
// library probes, tar) runs for real.
TEST(ProcessRunner, ABundleWithoutStripKeepsDebugInformationAndWarns) {
    auto ocloc = aotpack::toolchain::findRealOcloc();
    if (ocloc.empty()) GTEST_SKIP() << "no host ocloc";
    if (aotpack::toolchain::findLibocloc(ocloc.string()).empty()) // as in sanitizer builds
        GTEST_SKIP() << "no libocloc to bundle";
    TempDir dir;
    FakeProcessRunner noStrip;
    fs::path self = fs::canonical("/proc/self/exe");
    noStrip.answer = [&](const ProcessSpec& spec) -> std::optional<FakeAnswer> {
        if (spec.argv[0] == "strip") return aotpack::fakes::notInstalled("strip");
        if (spec.argv[0] == self.string()) // this test binary stands for aotpack: its libraries
            return FakeAnswer{0, "     42: calling init: /lib/x86_64-linux-gnu/libzstd.so.1\n"};
        return std::nullopt;
    };
    aotpack::bundle::BundleOptions options;
    options.runner = &noStrip;
    auto bundle = aotpack::bundle::writeBundle(dir.path() / "b.tar", options);
    ASSERT_TRUE(bundle) << bundle.error().message;
    EXPECT_TRUE(fs::exists(dir.path() / "b.tar"));
    auto warned = std::count_if(bundle->warnings.begin(), bundle->warnings.end(), [](auto& w) {
        return w.find("keep their debug information: strip exit code 127") != std::string::npos &&
               w.find("install binutils") != std::string::npos;
    });
    EXPECT_EQ(warned, 1) << ::testing::PrintToString(bundle->warnings);
    ASSERT_EQ(noStrip.callsOf("strip").size(), 1u);
    EXPECT_TRUE(has(noStrip.callsOf("strip")[0].argv, "--strip-debug"));
    EXPECT_TRUE(std::count(bundle->files.begin(), bundle->files.end(), "lib/libzstd.so.1"));
    EXPECT_EQ(noStrip.callsOf("tar").size(), 1u);
}
