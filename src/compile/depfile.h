// `--depfile FILE`: a Make-style dependency file for build systems ("OUTPUT: input header ..."),
// so editing a header an OpenCL C kernel includes rebuilds the archive. Headers are listed by the
// build's Compiler (`clang -M`, which sees the same -I/-D options as the frontend).
#pragma once

#include "compile/driver_internal.h"

namespace aotpack::compile {

Status writeDepfile(const BuildSetup& setup, const std::vector<ModuleInput>& inputs,
                    BuildObserver& observer);

// What the build's Compiler is asked to list for one OpenCL C module.
toolchain::DependencyScan dependencyScan(const BuildSetup& setup, const ModuleInput& in);

} // namespace aotpack::compile
