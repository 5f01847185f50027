// The build stage's decisions on a FakeCompiler (toolchain/fake_compiler.h): cache keys
// and hits,
// --explain reasons, up-to-date outputs, --keep-going, failures, the fp64 policy, unsupported
// targets, parallelism, add-targets and the report. No ocloc, no GPU: real SPIR-V from tests/data.
#include "archive/reader.h"
#include "archive/shards.h"
#include "cli/report_json.h"
#include "common/subprocess.h"
#include "compile/driver.h"
#include "test_data.h"
#include "toolchain/fake_compiler.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace aotpack::compile {
namespace {

namespace fs = std::filesystem;

class BuildDriver : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {"vector_ops.spv", "fp64.spv"})
            ASSERT_TRUE(writeFileAtomic(dir.path() / name, testData(name)));
        fake = std::make_shared<toolchain::FakeCompiler>(testData("vector_ops.12.60.7.bin"));
    }

    BuildRequest request(const std::string& devices,
                         std::vector<std::string> inputs = {"vector_ops.spv"},
                         const std::string& output = "out.aotpack") {
        BuildRequest r;
        r.deviceList = devices;
        std::vector<std::string> paths;
        for (const auto& i : inputs)
            paths.push_back((dir.path() / i).string());
        r.modules = *collectInputs(paths);
        r.output.archive = dir.path() / output;
        r.cacheDir = dir.path() / "cache";
        r.jobs = 2;
        r.compiler = fake;
        return r;
    }

    BuildOutcome build(const BuildRequest& r) {
        BuildObserver quiet;
        return runBuild(r, quiet);
    }

    static std::vector<JobOutcome> outcomes(const BuildOutcome& out) {
        std::vector<JobOutcome> v;
        for (const auto& j : out.report.jobs)
            v.push_back(j.outcome);
        return v;
    }

    TempDir dir;
    std::shared_ptr<toolchain::FakeCompiler> fake;
};

TEST_F(BuildDriver, ColdBuildCompilesEveryJobAndAWarmBuildOnlyHitsTheCache) {
    auto cold = build(request("pvc,tgllp"));
    ASSERT_FALSE(cold.error) << cold.error->message;
    EXPECT_EQ(outcomes(cold), (std::vector{JobOutcome::Compiled, JobOutcome::Compiled}));
    EXPECT_EQ(fake->calls().size(), 2u);
    EXPECT_EQ(cold.report.compileMode, "fake");
    EXPECT_TRUE(cold.report.archiveWritten);
    auto warm = build(request("pvc,tgllp", {"vector_ops.spv"}, "new.aotpack"));
    ASSERT_FALSE(warm.error);
    EXPECT_EQ(outcomes(warm), (std::vector{JobOutcome::CacheHit, JobOutcome::CacheHit}));
    EXPECT_EQ(warm.report.jobs[0].why, "cache hit");
    EXPECT_EQ(fake->calls().size(), 2u); // nothing compiled again
    EXPECT_EQ(*readFile(dir.path() / "out.aotpack"), *readFile(dir.path() / "new.aotpack"));
    auto archive = archive::ArchiveReader::openFile(dir.path() / "new.aotpack");
    ASSERT_TRUE(archive);
    EXPECT_EQ(archive->targets(), (std::vector<std::uint32_t>{kTgl, kPvc}));
}

TEST_F(BuildDriver, TheSameInputsIntoTheSameOutputAreUpToDate) {
    ASSERT_FALSE(build(request("pvc")).error);
    auto again = build(request("pvc"));
    EXPECT_TRUE(again.report.upToDate);
    EXPECT_TRUE(again.report.jobs.empty());
    EXPECT_EQ(fake->calls().size(), 1u);
    auto changed = request("pvc");
    changed.compile.options = "-cl-fast-relaxed-math";
    EXPECT_FALSE(build(changed).report.upToDate);
}

TEST_F(BuildDriver, ExplainSaysWhyEachJobRan) {
    auto first = build(request("pvc"));
    EXPECT_EQ(first.report.jobs[0].why, "first build of this module for this target");
    auto options = request("pvc", {"vector_ops.spv"}, "o2.aotpack");
    options.compile.options = "-cl-mad-enable";
    EXPECT_EQ(build(options).report.jobs[0].why, "its build options changed");
    auto compiler = request("pvc", {"vector_ops.spv"}, "o3.aotpack");
    compiler.compile.options = "-cl-mad-enable";
    compiler.compiler =
        std::make_shared<toolchain::FakeCompiler>(testData("vector_ops.12.60.7.bin"), "fake 2");
    auto third = build(compiler); // a new compiler identity is a new cache key
    EXPECT_EQ(third.report.jobs[0].outcome, JobOutcome::Compiled);
    EXPECT_EQ(third.report.jobs[0].why, "the compiler changed");
    auto noCache = request("pvc", {"vector_ops.spv"}, "o4.aotpack");
    noCache.useCache = false;
    EXPECT_EQ(build(noCache).report.jobs[0].why,
              "the cache is off (--no-cache, or its directory cannot be used)");
}

TEST_F(BuildDriver, AFailedJobWritesNothingUnlessKeepGoing) {
    fake->behaviour = [this](const toolchain::CompileJob& job) {
        return job.target.value() == kTgl
                   ? toolchain::FakeCompiler::failed("error: bad\n", "ocloc failed: exit code 1")
                   : fake->compiled(job);
    };
    auto failed = build(request("pvc,tgllp"));
    ASSERT_TRUE(failed.error);
    EXPECT_EQ(failed.error->code, Errc::CompileFailed);
    EXPECT_EQ(failed.error->message, "1 of 2 compile jobs failed");
    EXPECT_FALSE(fs::exists(dir.path() / "out.aotpack"));
    const auto& tgl = failed.report.jobs[0];
    EXPECT_EQ(tgl.error,
              "module 'vector_ops' for target tgllp (12.0.0): ocloc failed: exit code 1");
    EXPECT_EQ(tgl.log, "error: bad\n");
    auto partial = request("pvc,tgllp");
    partial.compile.keepGoing = true;
    auto kept = build(partial);
    ASSERT_TRUE(kept.error); // still a failed build (exit code 1), but with what did compile
    auto archive = archive::ArchiveReader::openFile(dir.path() / "out.aotpack");
    ASSERT_TRUE(archive);
    EXPECT_EQ(archive->targets(), (std::vector<std::uint32_t>{kPvc}));
    EXPECT_EQ(kept.report.jobs[1].outcome, JobOutcome::CacheHit); // pvc compiled the first time
}

TEST_F(BuildDriver, CrashesAndHangsFailOnlyTheirJob) {
    fake->behaviour = [this](const toolchain::CompileJob& job) {
        return job.target.value() == kTgl ? toolchain::FakeCompiler::crashed()
                                          : toolchain::FakeCompiler::hung(job);
    };
    auto r = request("pvc,tgllp");
    r.compile.timeoutSeconds = 5;
    auto out = build(r);
    ASSERT_TRUE(out.error);
    EXPECT_NE(out.report.jobs[0].error.find("killed by signal 11"), std::string::npos);
    EXPECT_NE(out.report.jobs[1].error.find("timed out after 5"), std::string::npos);
    EXPECT_EQ(fake->calls().at(0).timeoutSeconds, 5);
}

TEST_F(BuildDriver, Fp64IsAnErrorOrPoisonedPerTarget) {
    fake->behaviour = [this](const toolchain::CompileJob& job) {
        bool poisoned =
            job.options.find("-cl-poison-unsupported-fp64-kernels") != std::string::npos;
        if (job.target.value() != kTgl) return fake->compiled(job);
        if (!poisoned)
            return toolchain::FakeCompiler::failed(
                "error: Double type is not supported on this platform.\n",
                "ocloc failed: exit code 245");
        auto r = fake->compiled(job);
        r.log = "warning: Removing unsupported FP64 function: 'scale'\n";
        return r;
    };
    auto strict = build(request("pvc,tgllp", {"fp64.spv"}));
    ASSERT_TRUE(strict.error);
    EXPECT_EQ(strict.report.jobs[0].error,
              "module 'fp64' uses fp64, which tgllp (12.0.0) lacks; use --fp64=poison to drop "
              "those kernels for this target");
    auto r = request("pvc,tgllp", {"fp64.spv"});
    r.compile.fp64 = Fp64Policy::Poison;
    auto poisoned = build(r);
    ASSERT_FALSE(poisoned.error) << poisoned.error->message;
    EXPECT_EQ(poisoned.report.jobs[0].droppedKernels, std::vector<std::string>{"scale"});
    for (const auto& call : fake->calls()) // only the target without fp64 gets the poison flag
        if (call.options.find("poison") != std::string::npos) {
            EXPECT_EQ(call.target.value(), kTgl);
        }
    auto archive = archive::ArchiveReader::openFile(dir.path() / "out.aotpack");
    ASSERT_TRUE(archive);
    auto tgl = archive->find("fp64", archive::EntryKind::Native, kTgl);
    ASSERT_TRUE(tgl);
    EXPECT_EQ(archive->meta(*tgl, "dropped_kernels"), "scale");
}

TEST_F(BuildDriver, TargetsTheCompilerCannotBuildStopTheBuildOrAreSkipped) {
    auto r = request("pvc,tgllp");
    r.compiler =
        std::make_shared<toolchain::FakeCompiler>(testData("vector_ops.12.60.7.bin"), "fake 1",
                                                  std::vector{devices::IpVersion::fromValue(kPvc)});
    auto stopped = build(r);
    ASSERT_TRUE(stopped.error);
    EXPECT_EQ(stopped.error->code, Errc::Unsupported);
    EXPECT_NE(stopped.error->message.find("cannot build tgllp (12.0.0)"), std::string::npos);
    r.skipUnsupported = true;
    auto skipped = build(r);
    ASSERT_FALSE(skipped.error);
    EXPECT_EQ(skipped.report.skippedTargets, std::vector<std::string>{"tgllp"});
    EXPECT_EQ(skipped.report.jobs.size(), 1u);
}

TEST_F(BuildDriver, NoMoreJobsAtOnceThanAskedFor) {
    fake->delaySeconds = 0.05;
    auto r = request("pvc,tgllp,acm-g10,dg1", {"vector_ops.spv", "fp64.spv"});
    r.jobs = 3;
    r.compile.fp64 = Fp64Policy::Poison;
    auto out = build(r);
    ASSERT_FALSE(out.error) << out.error->message;
    EXPECT_EQ(fake->calls().size(), 8u);
    EXPECT_LE(fake->peakConcurrency(), 3u);
    EXPECT_GE(fake->peakConcurrency(), 2u);
}

TEST_F(BuildDriver, AddTargetsCompilesOnlyTheNewTargets) {
    ASSERT_FALSE(build(request("pvc")).error);
    AddTargetsRequest add{dir.path() / "out.aotpack", request("tgllp", {}, "more.aotpack")};
    add.build.modules.clear();
    BuildObserver quiet;
    auto out = addTargets(add, quiet);
    ASSERT_FALSE(out.error) << out.error->message;
    EXPECT_EQ(fake->calls().size(), 2u);
    EXPECT_EQ(fake->calls().back().target.value(), kTgl);
    auto archive = archive::ArchiveReader::openFile(dir.path() / "more.aotpack");
    ASSERT_TRUE(archive);
    EXPECT_EQ(archive->targets(), (std::vector<std::uint32_t>{kTgl, kPvc}));
}

} // namespace
} // namespace aotpack::compile

namespace aotpack::compile {
namespace {

TEST_F(BuildDriver, ShardsMergeIntoTheOneMachineArchive) {
    auto whole = request("pvc,tgllp,acm-g10", {"vector_ops.spv", "fp64.spv"}, "whole.aotpack");
    whole.compile.fp64 = Fp64Policy::Poison;
    whole.useCache = false;
    ASSERT_FALSE(build(whole).error);
    std::vector<archive::ArchiveReader> parts;
    std::size_t jobs = 0;
    for (unsigned i = 1; i <= 2; ++i) {
        auto part = whole;
        part.output.archive = dir.path() / ("part" + std::to_string(i) + ".aotpack");
        part.shard = Shard{i, 2};
        auto out = build(part);
        ASSERT_FALSE(out.error) << out.error->message;
        ASSERT_TRUE(out.report.shard);
        jobs += out.report.jobs.size();
        parts.push_back(*archive::ArchiveReader::openFile(part.output.archive));
    }
    EXPECT_EQ(jobs, 6u); // each job in exactly one shard
    auto merged = archive::mergeShards({&parts[0], &parts[1]});
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(*merged->writer.finish(merged->options), *readFile(dir.path() / "whole.aotpack"));
    EXPECT_FALSE(archive::mergeShards({&parts[0]})); // a shard missing
}

TEST_F(BuildDriver, TheDepfileNamesTheOutputAndItsInputs) {
    auto r = request("pvc");
    r.output.depfile = dir.path() / "out.d";
    ASSERT_FALSE(build(r).error);
    auto text = readTextFile(r.output.depfile);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, (dir.path() / "out.aotpack").string() + ": \\\n  " +
                         (dir.path() / "vector_ops.spv").string() + "\n");
}

TEST_F(BuildDriver, BadInputsStopTheBuildBeforeAnyCompile) {
    auto r = request("pvc");
    r.deviceList = "pvc,nosuch";
    auto badList = build(r);
    ASSERT_TRUE(badList.error);
    EXPECT_EQ(badList.error->code, Errc::Usage);
    r = request("pvc", {"vector_ops.spv"}, "missing-dir/out.aotpack");
    auto badOutput = build(r);
    ASSERT_TRUE(badOutput.error);
    EXPECT_EQ(badOutput.error->code, Errc::Output);
    ASSERT_TRUE(writeFileAtomic(dir.path() / "garbage.spv", testData("garbage.spv")));
    auto garbage = build(request("pvc", {"garbage.spv"}));
    ASSERT_TRUE(garbage.error);
    EXPECT_EQ(garbage.error->code, Errc::BadInput);
    EXPECT_EQ(garbage.report.moduleErrors.size(), 1u);
    EXPECT_TRUE(fake->calls().empty());
}

TEST(BuildInputs, DirectoriesManifestsAndNames) {
    TempDir dir;
    ASSERT_TRUE(writeFileAtomic(dir.path() / "b.spv", testData("vector_ops.spv")));
    ASSERT_TRUE(writeFileAtomic(dir.path() / "a.cl", std::string("kernel void k() {}\n")));
    ASSERT_TRUE(writeFileAtomic(dir.path() / "notes.txt", std::string("x")));
    auto all = collectInputs({dir.path().string()});
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u); // .spv and .cl only, sorted
    EXPECT_EQ((*all)[0].name, "a");
    EXPECT_EQ((*all)[0].kind, SourceKind::OpenClC);
    EXPECT_FALSE(collectInputs({(dir.path() / "notes.txt").string()}));
    EXPECT_FALSE(collectInputs({(dir.path() / "none.spv").string()}));
    auto m = parseManifest(R"({"modules": [{"source": "b.spv", "name": "vec", "options": "-O2"}]})",
                           dir.path() / "m.json");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ((*m)[0].name, "vec");
    EXPECT_EQ((*m)[0].options, "-O2");
    EXPECT_FALSE(parseManifest("{not json", dir.path() / "m.json"));
    EXPECT_FALSE(parseManifest(R"({"modules": [{"name": "x"}]})", dir.path() / "m.json"));
    std::vector<ModuleInput> twice = {(*all)[1], (*all)[1]};
    EXPECT_EQ(checkModules(twice).error().code, Errc::BadInput);
    std::vector<ModuleInput> none;
    EXPECT_EQ(checkModules(none).error().code, Errc::Usage);
}

// OpenCL C inputs on the FakeCompiler: the frontend through the Compiler seam, its results
// remembered while the source and its headers are unchanged, failures, --cl-options, --depfile.
class OpenClCBuild : public BuildDriver {
  protected:
    void SetUp() override {
        BuildDriver::SetUp();
        fake->openClCSpirv = testData("vector_ops.spv");
        fs::create_directories(dir.path() / "inc");
        write("k.cl", "#include \"common.h\"\nkernel void k(global int* a) { a[0] = ONE; }\n");
        write("inc/common.h", "#include \"ops.h\"\n#define ONE 1\n");
        write("inc/ops.h", "#define TWO 2\n");
    }
    void write(const std::string& name, const std::string& text) {
        ASSERT_TRUE(writeFileAtomic(dir.path() / name, text));
    }
    BuildRequest clRequest() {
        BuildRequest r = request("pvc", {"k.cl"});
        r.compile.clOptions = "-I " + (dir.path() / "inc").string();
        return r;
    }
};

TEST_F(OpenClCBuild, TheFrontendRunsOnceWhileTheSourceAndItsHeadersAreUnchanged) {
    auto cold = build(clRequest());
    ASSERT_FALSE(cold.error) << cold.error->message;
    EXPECT_EQ(fake->frontendCalls().size(), 1u);
    EXPECT_EQ(fake->dependencyScans().size(), 1u); // the headers of what it remembers
    auto archive = archive::ArchiveReader::openFile(dir.path() / "out.aotpack");
    ASSERT_TRUE(archive);
    EXPECT_TRUE(archive->find("k", archive::EntryKind::Spirv));
    ASSERT_FALSE(build(clRequest()).error);
    EXPECT_EQ(fake->frontendCalls().size(), 1u); // remembered: same source, same headers
    write("inc/ops.h", "#define TWO 3\n");       // a header two levels down changes
    ASSERT_FALSE(build(clRequest()).error);
    EXPECT_EQ(fake->frontendCalls().size(), 2u);
    BuildRequest other = clRequest();
    other.compile.clOptions += " -DEXTRA=1"; // other options: another entry
    ASSERT_FALSE(build(other).error);
    EXPECT_EQ(fake->frontendCalls().size(), 3u);
}

TEST_F(OpenClCBuild, ASourceWhoseHeadersCannotBeListedIsNotRemembered) {
    write("k.cl", "#include \"missing.h\"\nkernel void k() {}\n");
    ASSERT_FALSE(build(clRequest()).error);
    ASSERT_FALSE(build(clRequest()).error);
    EXPECT_EQ(fake->frontendCalls().size(), 2u);
}

TEST_F(OpenClCBuild, AFrontendFailureNamesTheModuleAndIsACompileFailure) {
    write("bad.cl", "#error no such thing\nkernel void k() {}\n");
    auto out = build(request("pvc", {"bad.cl"}));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->code, Errc::CompileFailed);
    ASSERT_EQ(out.report.moduleErrors.size(), 1u);
    EXPECT_NE(out.report.moduleErrors[0].find("module 'bad'"), std::string::npos);
    EXPECT_NE(out.report.moduleErrors[0].find("OpenCL C compile failed (exit code 245 (ocloc "
                                              "BUILD_PROGRAM_FAILURE))\nerror: no such thing"),
              std::string::npos)
        << out.report.moduleErrors[0];
    EXPECT_TRUE(fake->calls().empty());
    EXPECT_FALSE(fs::exists(dir.path() / "out.aotpack"));
}

TEST_F(OpenClCBuild, CodeGenerationClOptionsReachTheBackendOfOpenClCModulesOnly) {
    BuildRequest r = request("pvc", {"k.cl", "vector_ops.spv"});
    r.compile.clOptions =
        "-I " + (dir.path() / "inc").string() + " -cl-fast-relaxed-math -cl-std=CL2.0";
    ASSERT_FALSE(build(r).error);
    std::map<std::string, std::string> options;
    for (const auto& call : fake->calls())
        options[call.spirv.stem().string()] = call.options;
    EXPECT_EQ(options["k"], "-cl-fast-relaxed-math");
    EXPECT_EQ(options["vector_ops"], "");
}

// SPIR-V aotpack's frontend made is the translator's, not the user's: validated only by a strict
// build (frontend.cpp, worthValidating); the same bytes given as a .spv are warned about.
TEST_F(OpenClCBuild, TheFrontendsSpirvIsValidatedOnlyWhenTheBuildIsStrict) {
    Bytes invalid = testData("vector_ops.spv");
    invalid[12] = 2; // the ID bound (header word 3) below the IDs in use: parses, fails validation
    invalid[13] = invalid[14] = invalid[15] = 0;
    fake->openClCSpirv = invalid;
    struct Warnings : BuildObserver {
        std::vector<std::string> seen;
        void warning(const std::string& w) override { seen.push_back(w); }
    };
    auto flagged = [](const Warnings& w) {
        return std::count_if(w.seen.begin(), w.seen.end(), [](const std::string& text) {
            return text.find("fails SPIR-V validation") != std::string::npos;
        });
    };
    Warnings fromSource, fromSpirv;
    ASSERT_FALSE(runBuild(clRequest(), fromSource).error);
    EXPECT_EQ(flagged(fromSource), 0);

    ASSERT_TRUE(writeFileAtomic(dir.path() / "bad.spv", invalid));
    ASSERT_FALSE(runBuild(request("pvc", {"bad.spv"}, "spv.aotpack"), fromSpirv).error);
    EXPECT_EQ(flagged(fromSpirv), 1);

    BuildRequest strict = clRequest();
    strict.compile.strictSpirv = true;
    strict.output.archive = dir.path() / "strict.aotpack";
    auto out = build(strict);
    ASSERT_TRUE(out.error);
    ASSERT_EQ(out.report.moduleErrors.size(), 1u);
    EXPECT_NE(out.report.moduleErrors[0].find("module 'k'"), std::string::npos);
    EXPECT_NE(out.report.moduleErrors[0].find("fails SPIR-V validation"), std::string::npos);
}

TEST_F(OpenClCBuild, TheDepfileListsEveryHeaderOrWarnsAndListsTheSource) {
    BuildRequest r = clRequest();
    r.output.depfile = dir.path() / "out.d";
    ASSERT_FALSE(build(r).error);
    auto text = *readTextFile(dir.path() / "out.d");
    for (const char* file : {"k.cl", "inc/common.h", "inc/ops.h"})
        EXPECT_NE(text.find((dir.path() / file).string()), std::string::npos) << file;
    write("k.cl", "#include \"missing.h\"\nkernel void k() {}\n");
    struct Warnings : BuildObserver {
        std::vector<std::string> seen;
        void warning(const std::string& w) override { seen.push_back(w); }
    } warnings;
    ASSERT_FALSE(runBuild(r, warnings).error);
    ASSERT_EQ(warnings.seen.size(), 1u);
    EXPECT_NE(warnings.seen[0].find("module 'k': cannot list its headers for --depfile"),
              std::string::npos);
    text = *readTextFile(dir.path() / "out.d");
    EXPECT_NE(text.find((dir.path() / "k.cl").string()), std::string::npos);
    EXPECT_EQ(text.find("common.h"), std::string::npos);
}

// OclocCompiler against a stand-in `ocloc` script: the command line it runs, the files it reads
// back, ocloc's truncated exit codes named.
TEST(OclocCompiler, RunsOclocsCommandLineAndNamesItsExitCodes) {
    TempDir dir;
    fs::path script = dir.path() / "ocloc";
    std::string text = "#!/bin/sh\necho \"$@\" > args\n"
                       "case \"$*\" in *12.0.0*) echo 'error: no'; exit 245;; esac\n"
                       "printf zebin > zebin\necho 'Build succeeded.'\n";
    ByteView bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    ASSERT_TRUE(writeFileAtomic(script, bytes, 0755));
    toolchain::CompilerSupport support{script, "test", "test 1", {}, {}, {}, {}};
    auto compiler = toolchain::makeOclocCompiler(support, {});
    std::vector<toolchain::CompileJob> jobs = {
        {dir.path() / "k.spv", devices::IpVersion::fromValue(kPvc), "-O2", 10, 0,
         dir.path() / "j0"},
        {dir.path() / "k.spv", devices::IpVersion::fromValue(kTgl), "", 10, 0, dir.path() / "j1"}};
    std::vector<toolchain::CompileResult> results(2);
    std::size_t started = 0;
    auto run = compiler->run(
        jobs, {2, 0}, [&](std::size_t) { ++started; },
        [&](std::size_t i, toolchain::CompileResult r) { results[i] = std::move(r); });
    EXPECT_EQ(run.mode, "processes");
    EXPECT_EQ(started, 2u);
    ASSERT_TRUE(results[0].zebin);
    EXPECT_EQ(*results[0].zebin, Bytes({'z', 'e', 'b', 'i', 'n'}));
    EXPECT_EQ(results[0].log, "Build succeeded.\n");
    EXPECT_EQ(*readTextFile(dir.path() / "j0/args"),
              "compile -spirv_input -file " + (dir.path() / "k.spv").string() +
                  " -device 12.60.7 --format zebin -exclude_ir -output zebin -output_no_suffix "
                  "-options -O2\n");
    EXPECT_FALSE(results[1].zebin);
    EXPECT_EQ(results[1].failure, "ocloc failed: exit code 245 (ocloc BUILD_PROGRAM_FAILURE)");
    EXPECT_EQ(results[1].log, "error: no\n");
}

} // namespace
} // namespace aotpack::compile

namespace aotpack::compile {
namespace {

// Sets environment variables for one test and restores them.
class ScopedEnv {
  public:
    explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> vars) {
        for (auto& [k, v] : vars) {
            const char* old = std::getenv(k.c_str());
            saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            setenv(k.c_str(), v.c_str(), 1);
        }
    }
    ~ScopedEnv() {
        for (auto& [k, v] : saved_)
            v ? (void)setenv(k.c_str(), v->c_str(), 1) : (void)unsetenv(k.c_str());
    }

  private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(BuildShard, ParsesIndexCountAndTheSchedulersVariables) {
    auto s = parseShard("2/4");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->str(), "2/4");
    for (const char* bad : {"0/4", "5/4", "2/0", "2", "a/b", "-1/3"})
        EXPECT_EQ(parseShard(bad).error().code, Errc::Usage) << bad;
    {
        ScopedEnv slurm({{"SLURM_ARRAY_TASK_ID", "4"},
                         {"SLURM_ARRAY_TASK_COUNT", "4"},
                         {"SLURM_ARRAY_TASK_MIN", "0"},
                         {"SLURM_ARRAY_TASK_STEP", "2"}});
        EXPECT_EQ(parseShard("auto")->str(), "3/4"); // --array=0-6:2: ids 0, 2, 4, 6
    }
    {
        ScopedEnv gitlab(
            {{"SLURM_ARRAY_TASK_ID", ""}, {"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}});
        EXPECT_EQ(parseShard("auto")->str(), "2/3");
    }
    {
        ScopedEnv bazel({{"SLURM_ARRAY_TASK_ID", ""},
                         {"CI_NODE_INDEX", ""},
                         {"TEST_SHARD_INDEX", "0"},
                         {"TEST_TOTAL_SHARDS", "2"}});
        EXPECT_EQ(parseShard("auto")->str(), "1/2"); // 0-based
    }
    ScopedEnv none({{"SLURM_ARRAY_TASK_ID", ""}, {"CI_NODE_INDEX", ""}, {"TEST_SHARD_INDEX", ""}});
    EXPECT_FALSE(parseShard("auto"));
}

TEST(BuildShard, CostsComeFromAnEarlierReport) {
    TempDir dir;
    ASSERT_TRUE(
        writeFileAtomic(dir.path() / "r.json",
                        std::string(R"({"jobs": [{"module": "k", "ip": "12.60.7", "seconds": 2.5,
                                   "result": "compiled"}]})")));
    auto costs = cli::readShardCosts(dir.path() / "r.json");
    ASSERT_TRUE(costs) << costs.error().message;
    EXPECT_EQ(costs->at({"k", kPvc}), 2.5);
    ASSERT_TRUE(writeFileAtomic(dir.path() / "bad.json", std::string("[")));
    ASSERT_TRUE(writeFileAtomic(
        dir.path() / "odd.json",
        std::string(R"({"jobs": [{"result": 7}, {"result": "compiled", "ip": 3}]})")));
    EXPECT_FALSE(
        cli::readShardCosts(dir.path() / "odd.json")); // wrong types: an error, not a throw
    EXPECT_FALSE(cli::readShardCosts(dir.path() / "bad.json"));
    EXPECT_FALSE(cli::readShardCosts(dir.path() / "missing.json"));
}

// Each native binary is compressed the moment its compile ends, beside the next compiles, so the
// end of the build waits on at most the last few: at -j16 on a machine full of compiles (every
// fake compile burns CPU), when the last compile ends, all but the jobs still being compressed
// have their stored form in the cache. (Threads at SCHED_IDLE got no CPU here and left every
// compression for after the last compile.)
TEST_F(BuildDriver, NativesAreCompressedAsTheirCompilesEndNotAfterTheLast) {
    std::vector<std::string> inputs;
    for (int i = 0; i < 4; ++i) { // the same SPIR-V under 4 names: one SPIR-V stored form
        inputs.push_back("m" + std::to_string(i) + ".spv");
        ASSERT_TRUE(writeFileAtomic(dir.path() / inputs.back(), testData("vector_ops.spv")));
    }
    auto storedEntries = [this] {
        std::size_t n = 0;
        for (const auto& f : fs::recursive_directory_iterator(dir.path() / "cache"))
            n += f.path().extension() == ".stored";
        return n;
    };
    // As with real compiles, compressing a binary costs a small part of compiling it.
    fake->busySeconds = 0.05;
    fake->distinctBytes = 16 * 1024;
    std::mutex lock;
    std::size_t ended = 0, storedWhenLastEnded = 0;
    fake->behaviour = [&](const toolchain::CompileJob& job) {
        toolchain::CompileResult r = fake->compiled(job);
        std::lock_guard l(lock);
        storedWhenLastEnded = storedEntries();
        ++ended;
        return r;
    };
    auto r = request("tgllp,rkl,adl-s,adl-p,dg1,acm-g10,acm-g11,pvc", inputs);
    r.jobs = 16;
    auto out = build(r);
    ASSERT_FALSE(out.error) << out.error->message;
    ASSERT_EQ(ended, 32u);
    EXPECT_EQ(storedEntries(), 32u + 1); // every binary and the SPIR-V
    // 31 compiles had ended before the last one; at most 16 of them still compressing.
    EXPECT_GE(storedWhenLastEnded, 31u + 1 - 16) << "compressions lag behind the compiles";
}

} // namespace
} // namespace aotpack::compile
