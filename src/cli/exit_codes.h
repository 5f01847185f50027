#pragma once

#include <string>

namespace aotpack::cli {

// The exit-code table printed at the end of `aotpack --help` (and copied into README).
std::string exitCodeHelp();
// `aotpack --version`: aotpack, ocloc and IGC versions.
std::string versionText();

} // namespace aotpack::cli
