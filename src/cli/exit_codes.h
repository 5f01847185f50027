#pragma once

#include "common/subprocess.h"

#include <string>
#include <vector>

namespace aotpack::cli {

// The exit-code table (common/exit_codes.h) as `aotpack --help` prints it.
std::string exitCodeHelp();
// `aotpack --version`: aotpack, ocloc and IGC versions.
std::string versionText(ProcessRunner& runner);

} // namespace aotpack::cli
