// `--depfile FILE`: a Make-style dependency file for build systems ("OUTPUT: input header ..."),
// so editing a header an OpenCL C kernel includes rebuilds the archive. Headers are found with
// `clang -M` ($AOTPACK_CLANG, default clang), which sees the same -I/-D options as the frontend.
#pragma once

#include "compile/driver_internal.h"
#include "compile/process_pool.h"

#include <set>

namespace aotpack::compile {

Status writeDepfile(BuildContext& ctx, const std::vector<ModuleInput>& inputs);

// `clang -M` of one OpenCL C module (its stdout+stderr to `log`), and the files a make rule lists.
PoolTask headerScan(const BuildContext& ctx, const ModuleInput& in,
                    const std::filesystem::path& log);
void parseMakeRule(const std::string& text, std::set<std::string>& deps);

} // namespace aotpack::compile
