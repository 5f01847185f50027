// Every AOTPACK_* environment variable aotpack reads and what it does: the one table, like the
// exit codes'. `aotpack environment` prints it, scripts/gen-cli-doc.sh writes it into
// docs/GUIDE.md, and tests/e2e/cli_doc.sh checks that every AOTPACK_* name in src/ is in it.
#pragma once

#include <vector>

namespace aotpack {

struct EnvironmentRow {
    const char* name;
    const char* meaning;
};
const std::vector<EnvironmentRow>& environmentTable();

} // namespace aotpack
