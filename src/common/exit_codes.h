// Every exit code of aotpack and what it means: the one table. `aotpack --help` prints it and
// scripts/gen-cli-doc.sh writes it into README.md and docs/CLI.md (tests/e2e/cli_doc.sh checks
// both against the binary).
#pragma once

#include <vector>

namespace aotpack {

struct ExitCodeRow {
    int code;
    const char* meaning;
};
const std::vector<ExitCodeRow>& exitCodeTable();

} // namespace aotpack
