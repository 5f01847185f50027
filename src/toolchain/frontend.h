// Inside the toolchain: running the OpenCL C frontend and `clang -M` on the process pool, and
// naming ocloc's failures. OclocCompiler (ocloc_compiler.cpp) offers these as Compiler operations.
#pragma once

#include "common/subprocess.h"
#include "toolchain/compiler.h"

#include <set>
#include <string>
#include <vector>

namespace aotpack::toolchain {

// `ocloc compile -file F -spv_only` (or clang + llvm-spirv) for each job, on `ocloc`.
std::vector<FrontendResult> runFrontendJobs(const std::filesystem::path& ocloc,
                                            const std::vector<FrontendJob>& work, unsigned jobs);

// `clang -M` ($AOTPACK_CLANG, default clang) for each scan.
std::vector<Expected<std::set<std::string>>>
runDependencyScans(const std::vector<DependencyScan>& scans, unsigned jobs);

// "x: a.cl b.h \\\n  c.h" -> {a.cl, b.h, c.h}; paths with spaces are escaped as "\ ".
void parseMakeRule(const std::string& text, std::set<std::string>& deps);

// "exit code 245 (ocloc BUILD_PROGRAM_FAILURE)": ocloc's exit codes are its negative error codes
// truncated to 8 bits (intel-gpu-facts §1.4), often with nothing in its log.
std::string describeOclocFailure(const ProcessResult& r);

} // namespace aotpack::toolchain
