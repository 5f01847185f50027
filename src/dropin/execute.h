// Running a planned call's compiles through the Compiler seam (toolchain/compiler.h): the OpenCL C
// frontends of every target, then each target whose result is not known yet. Only the real ocloc
// (OclocCompiler) runs processes; unit tests pass a FakeCompiler (tests/unit/dropin_execute_test).
#pragma once

#include "dropin/call_log.h"
#include "dropin/plan.h"
#include "toolchain/compiler.h"

#include <filesystem>
#include <map>
#include <optional>

namespace aotpack::dropin {

// A call's compile of one target may take this long (then it fails and the call passes through).
constexpr double kCompileTimeoutSeconds = 3600;

struct CompileOutcome {
    std::map<Hash128, JobResult> results;    // by job key: what each compile wrote
    std::map<Hash128, TargetRecord> records; // by job key: when it ran, how long
    bool failed = false;                     // a compile failed: the call passes through
};

// Compiles every target whose key is not in `known` (a target repeated in the call compiles
// once), at most `slots` at once on compile workers, each in a directory under `scratch`.
CompileOutcome compileMisses(const Plan& plan, const std::map<Hash128, JobResult>& known,
                             unsigned slots, toolchain::Compiler& compiler,
                             const std::filesystem::path& scratch);

// OpenCL C: every target's frontend (one process each: the frontend is not a worker's job);
// completes the jobs' argv and keys. Returns the frontends' logs, or nothing if one failed.
std::optional<std::vector<std::string>> runFrontends(Plan& plan, const toolchain::OclocFacts& facts,
                                                     unsigned slots, toolchain::Compiler& compiler,
                                                     const std::filesystem::path& scratch);

} // namespace aotpack::dropin
