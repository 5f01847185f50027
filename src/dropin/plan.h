// From a modelled ocloc compile to per-target jobs and the files to write. A fat binary is built
// the way ocloc 22.43 builds it (intel-gpu-facts §3.1-3.2): one compile per device-list item, in
// list order, each with `-exclude_ir` when the input is SPIR-V, members named "64.<IP>", and the
// SPIR-V as a "generic_ir" member last unless the caller excluded IR. A single target is exactly
// the caller's compile, run in a scratch directory, so its outputs keep ocloc's own names.
// Families, releases, ranges and `*` become the targets ocloc's fat build takes for them.
// OpenCL C takes two steps per target, byte-identical to ocloc's one: the frontend (`ocloc
// -spv_only` for that device: FCL's output can depend on it), whose SPIR-V is the cache key, then
// the backend compile of that SPIR-V, keeping its IR (no generic_ir). For one target the SPIR-V
// is named after the input, so the binary gets ocloc's name, and is written beside it as ocloc
// does.
#pragma once

#include "common/file_io.h"
#include "common/hash.h"
#include "dropin/command_line.h"
#include "toolchain/ocloc_facts.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::dropin {

// What one compile produced: its files (name -> bytes) and what ocloc printed.
struct JobResult {
    std::vector<std::pair<std::string, Bytes>> files;
    std::string log;
};
Bytes encodeJobResult(const JobResult& result);
std::optional<JobResult> decodeJobResult(ByteView data); // nothing if malformed

struct TargetJob {
    std::string device;            // the device-list item, as given
    std::string member;            // fat binary: its AR member name, "64.12.60.7"
    std::vector<std::string> argv; // the real ocloc's compile of this target alone
    Hash128 key;                   // the cache key of (SPIR-V, argv, compiler)
    // OpenCL C: the frontend's command (writes kFrontendFile); argv and key are completed by
    // setFrontendOutput once it has run.
    std::vector<std::string> frontendArgv;
    Bytes frontendSpirv; // OpenCL C: what the frontend made
};

struct Plan {
    bool fat = false;
    std::filesystem::path input; // absolute
    Bytes spirv;
    std::vector<TargetJob> targets;
    std::filesystem::path fatOutput; // fat: the AR file
    std::filesystem::path outputDir; // single target: where its files go
    bool createOutputDir = false;    // -out_dir: ocloc creates it
    bool genericIr = false;          // fat: append the SPIR-V as generic_ir
    // OpenCL C for one target: ocloc also writes the frontend's SPIR-V beside the binary.
    bool irCopy = false;
    bool outputNoSuffix = false;
};

struct PlanResult {
    std::optional<Plan> plan;
    std::string passThroughReason;
};
PlanResult makePlan(const CompileCall& call, toolchain::OclocFacts& facts);

// OpenCL C: the backend compiles the frontend's SPIR-V at `spirvPath`; the key is its content's.
void setFrontendOutput(TargetJob& job, const std::filesystem::path& spirvPath, ByteView spirv,
                       const toolchain::OclocFacts& facts);

// The name of the SPIR-V file ocloc writes beside a one-target OpenCL C binary: "k_X.bin" ->
// "k_X.spv", and with -output_no_suffix "name" -> "name.spv".
std::string irCopyName(const std::string& binaryName, bool noSuffix);

// What ocloc prints for a target: the frontend's and the compiler's log as one OpenCL C compile
// prints them, and a fat binary's success line naming the target.
std::string targetMessages(const std::string& frontendLog, const std::string& compileLog,
                           const std::string& device, bool fat);

// What a fat-binary target's compile writes (its -output name).
constexpr const char* kFatMemberFile = "member";
constexpr const char* kFrontendFile = "frontend.spv";

} // namespace aotpack::dropin
