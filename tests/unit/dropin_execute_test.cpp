// The drop-in's execution of a planned call through the Compiler seam, with a FakeCompiler for the
// ocloc runs (fault injection: failures the real ocloc would not give on demand). The ocloc facts
// the frontend's cache keys need come from the real ocloc.
#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "dropin/execute.h"
#include "test_data.h"
#include "toolchain/compiler_support.h"
#include "toolchain/fake_compiler.h"
#include "toolchain/ocloc_facts.h"

#include <gtest/gtest.h>

namespace aotpack::dropin {
namespace {

namespace fs = std::filesystem;

TargetJob target(const std::string& device, const std::string& keyName) {
    TargetJob t;
    t.device = device;
    t.argv = {"ocloc", "compile", "-file", "k.spv", "-device", device, "-output", "k"};
    t.key = key(keyName);
    return t;
}

TEST(DropinExecute, ARepeatedTargetCompilesOnceAndKnownResultsNotAtAll) {
    Plan plan;
    plan.targets = {target("pvc", "a"), target("pvc", "a"), target("acm-g10", "b")};
    std::map<Hash128, JobResult> known{{key("b"), JobResult{{{"k", bytes("cached")}}, ""}}};
    toolchain::FakeCompiler compiler(bytes("zebin"));
    TempDir scratch;
    auto out = compileMisses(plan, known, 2, compiler, scratch.path());
    EXPECT_FALSE(out.failed);
    auto calls = compiler.oclocCalls();
    ASSERT_EQ(calls.size(), 1u); // "a" once; "b" is known
    EXPECT_EQ(calls[0].argv, plan.targets[0].argv);
    EXPECT_EQ(calls[0].dir.parent_path(), scratch.path()); // a directory of its own
    EXPECT_TRUE(compiler.oclocOnWorkers());
    ASSERT_EQ(out.results.count(key("a")), 1u);
    EXPECT_EQ(out.results[key("a")].files,
              (std::vector<std::pair<std::string, Bytes>>{{"k", bytes("zebin")}}));
    EXPECT_EQ(out.records[key("a")].device, "pvc");
    EXPECT_EQ(out.records[key("a")].result, "compiled");
    EXPECT_EQ(out.results.count(key("b")), 0u); // the caller has it already
}

TEST(DropinExecute, AFailedCompileFailsTheCallButKeepsWhatDidCompile) {
    Plan plan;
    plan.targets = {target("pvc", "a"), target("acm-g10", "b")};
    toolchain::FakeCompiler compiler(bytes("zebin"));
    compiler.oclocBehaviour = [](const toolchain::OclocCall& call) {
        toolchain::OclocCallResult r;
        r.succeeded = std::find(call.argv.begin(), call.argv.end(), "pvc") == call.argv.end();
        r.log = r.succeeded ? "" : "error: out of registers";
        if (r.succeeded) r.files = {{"k", bytes("zebin")}};
        return r;
    };
    TempDir scratch;
    auto out = compileMisses(plan, {}, 2, compiler, scratch.path());
    EXPECT_TRUE(out.failed); // the call then goes to the real ocloc, whose errors are its own
    EXPECT_EQ(out.results.count(key("a")), 0u);
    EXPECT_EQ(out.results.count(key("b")), 1u); // compiled; the caller passes the call through
    EXPECT_EQ(compiler.oclocCalls().size(), 2u);
}

TEST(DropinExecute, FrontendsCompleteEachTargetsCompileOrFailTheCall) {
    auto ocloc = toolchain::findRealOcloc();
    if (ocloc.empty()) GTEST_SKIP() << "no ocloc on PATH";
    TempDir store;
    toolchain::OclocFacts facts(ocloc, store.path());
    Plan plan;
    plan.input = "/src/k.cl";
    plan.targets = {target("pvc", "x"), target("acm-g10", "x")};
    for (auto& t : plan.targets)
        t.frontendArgv = {"ocloc", "-spv_only", "-file", "/src/k.cl", "-device", t.device};
    toolchain::FakeCompiler compiler(bytes("zebin"));
    compiler.oclocBehaviour = [](const toolchain::OclocCall& call) { // as ocloc -spv_only does
        toolchain::OclocCallResult r;
        fs::create_directories(call.dir);
        r.succeeded =
            static_cast<bool>(writeFileAtomic(call.dir / kFrontendFile, call.argv.back()));
        r.files = {{kFrontendFile, bytes(call.argv.back())}}; // what it wrote, as results carry it
        r.log = "frontend of " + call.argv.back();
        return r;
    };
    TempDir scratch;
    auto logs = runFrontends(plan, facts, 2, compiler, scratch.path());
    ASSERT_TRUE(logs);
    EXPECT_EQ(*logs, (std::vector<std::string>{"frontend of pvc", "frontend of acm-g10"}));
    EXPECT_FALSE(compiler.oclocOnWorkers()); // frontends are processes, not a worker's job
    // Each target now compiles its own frontend's SPIR-V, under a key of that content.
    EXPECT_EQ(plan.targets[0].argv[3], (compiler.oclocCalls()[0].dir / kFrontendFile).string());
    EXPECT_EQ(plan.targets[0].frontendSpirv, bytes("pvc"));
    EXPECT_NE(plan.targets[0].key, plan.targets[1].key);

    compiler.oclocBehaviour = [](const toolchain::OclocCall&) {
        return toolchain::OclocCallResult{};
    };
    EXPECT_FALSE(runFrontends(plan, facts, 2, compiler, scratch.path() / "again"));
}

} // namespace
} // namespace aotpack::dropin
