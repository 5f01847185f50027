#pragma once

#include <string>
#include <vector>

namespace aotpack::cli {

// Every exit code of aotpack and what it means: the one table that `aotpack --help` prints and
// scripts/gen-cli-doc.sh writes into README.md and docs/CLI.md (tests/e2e/cli_doc.sh checks both).
struct ExitCodeRow {
    int code;
    const char* meaning;
};
const std::vector<ExitCodeRow>& exitCodes();
std::string exitCodeHelp();
// `aotpack --version`: aotpack, ocloc and IGC versions.
std::string versionText();

} // namespace aotpack::cli
