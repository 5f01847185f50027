// The build stage's decisions on a FakeCompiler (build/fake_compiler.h): cache keys and hits,
// --explain reasons, up-to-date outputs, --keep-going, failures, the fp64 policy, unsupported
// targets, parallelism, add-targets and the report. No ocloc, no GPU: real SPIR-V from tests/data.
#include "archive/reader.h"
#include "build/driver.h"
#include "build/fake_compiler.h"
#include "common/subprocess.h"
#include "test_data.h"

#include <gtest/gtest.h>

namespace aotpack::build {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kPvc = 0x030f0007, kTgl = 0x03000000;

class BuildDriver : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* name : {"vector_ops.spv", "fp64.spv"})
            ASSERT_TRUE(writeFileAtomic(dir.path() / name, testData(name)));
        fake = std::make_shared<FakeCompiler>(testData("vector_ops.12.60.7.bin"));
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
        r.output = dir.path() / output;
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
    std::shared_ptr<FakeCompiler> fake;
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
    changed.options = "-cl-fast-relaxed-math";
    EXPECT_FALSE(build(changed).report.upToDate);
}

TEST_F(BuildDriver, ExplainSaysWhyEachJobRan) {
    auto first = build(request("pvc"));
    EXPECT_EQ(first.report.jobs[0].why, "first build of this module for this target");
    auto options = request("pvc", {"vector_ops.spv"}, "o2.aotpack");
    options.options = "-cl-mad-enable";
    EXPECT_EQ(build(options).report.jobs[0].why, "its build options changed");
    auto compiler = request("pvc", {"vector_ops.spv"}, "o3.aotpack");
    compiler.options = "-cl-mad-enable";
    compiler.compiler =
        std::make_shared<FakeCompiler>(testData("vector_ops.12.60.7.bin"), "fake 2");
    auto third = build(compiler); // a new compiler identity is a new cache key
    EXPECT_EQ(third.report.jobs[0].outcome, JobOutcome::Compiled);
    EXPECT_EQ(third.report.jobs[0].why, "the compiler changed");
    auto noCache = request("pvc", {"vector_ops.spv"}, "o4.aotpack");
    noCache.useCache = false;
    EXPECT_EQ(build(noCache).report.jobs[0].why, "the cache is off (--no-cache)");
}

TEST_F(BuildDriver, AFailedJobWritesNothingUnlessKeepGoing) {
    fake->behaviour = [this](const CompileJob& job) {
        return job.target.value() == kTgl
                   ? FakeCompiler::failed("error: bad\n", "ocloc failed: exit code 1")
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
    partial.keepGoing = true;
    auto kept = build(partial);
    ASSERT_TRUE(kept.error); // still a failed build (exit code 1), but with what did compile
    auto archive = archive::ArchiveReader::openFile(dir.path() / "out.aotpack");
    ASSERT_TRUE(archive);
    EXPECT_EQ(archive->targets(), (std::vector<std::uint32_t>{kPvc}));
    EXPECT_EQ(kept.report.jobs[1].outcome, JobOutcome::CacheHit); // pvc compiled the first time
}

TEST_F(BuildDriver, CrashesAndHangsFailOnlyTheirJob) {
    fake->behaviour = [this](const CompileJob& job) {
        return job.target.value() == kTgl ? FakeCompiler::crashed() : FakeCompiler::hung(job);
    };
    auto r = request("pvc,tgllp");
    r.timeoutSeconds = 5;
    auto out = build(r);
    ASSERT_TRUE(out.error);
    EXPECT_NE(out.report.jobs[0].error.find("killed by signal 11"), std::string::npos);
    EXPECT_NE(out.report.jobs[1].error.find("timed out after 5"), std::string::npos);
    EXPECT_EQ(fake->calls().at(0).timeoutSeconds, 5);
}

TEST_F(BuildDriver, Fp64IsAnErrorOrPoisonedPerTarget) {
    fake->behaviour = [this](const CompileJob& job) {
        bool poisoned =
            job.options.find("-cl-poison-unsupported-fp64-kernels") != std::string::npos;
        if (job.target.value() != kTgl) return fake->compiled(job);
        if (!poisoned)
            return FakeCompiler::failed("error: Double type is not supported on this platform.\n",
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
    r.fp64 = Fp64Policy::Poison;
    auto poisoned = build(r);
    ASSERT_FALSE(poisoned.error) << poisoned.error->message;
    EXPECT_EQ(poisoned.report.jobs[0].droppedKernels, std::vector<std::string>{"scale"});
    for (const auto& call : fake->calls()) // only the target without fp64 gets the poison flag
        if (call.options.find("poison") != std::string::npos) {
            EXPECT_EQ(call.target.value(), kTgl);
        }
    auto archive = archive::ArchiveReader::openFile(dir.path() / "out.aotpack");
    ASSERT_TRUE(archive);
    const auto* tgl = archive->find("fp64", archive::EntryKind::Native, kTgl);
    ASSERT_NE(tgl, nullptr);
    EXPECT_EQ(archive->meta(*tgl, "dropped_kernels"), "scale");
}

TEST_F(BuildDriver, TargetsTheCompilerCannotBuildStopTheBuildOrAreSkipped) {
    auto r = request("pvc,tgllp");
    r.compiler = std::make_shared<FakeCompiler>(testData("vector_ops.12.60.7.bin"), "fake 1",
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
    r.fp64 = Fp64Policy::Poison;
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
} // namespace aotpack::build
