// ocloc command lines as a build tool wrote them (Compiler::runOclocCalls for the real ocloc):
// each in its own directory on the pools, its files collected afterwards.
#pragma once

#include "toolchain/compiler.h"

namespace aotpack::toolchain {

// `workerCommand` (the CLI's `__ocloc-worker`, empty: one process per call) runs them on
// long-lived workers loading the libocloc beside the first call's ocloc, when there is one.
std::vector<OclocCallResult> runOclocCallsOnPool(const std::vector<OclocCall>& calls, unsigned jobs,
                                                 const std::vector<std::string>& workerCommand);

} // namespace aotpack::toolchain
