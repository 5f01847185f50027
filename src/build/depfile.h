// `--depfile FILE`: a Make-style dependency file for build systems ("OUTPUT: input header ..."),
// so editing a header an OpenCL C kernel includes rebuilds the archive. Headers are found with
// `clang -M` ($AOTPACK_CLANG, default clang), which sees the same -I/-D options as the frontend.
#pragma once

#include "build/driver_internal.h"

namespace aotpack::build {

Status writeDepfile(BuildContext& ctx, const std::vector<ModuleInput>& inputs);

} // namespace aotpack::build
