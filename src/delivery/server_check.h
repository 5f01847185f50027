// After `aotpack slim`: does the natives server hold what the slim archive pins? One HEAD per
// pinned payload, in one batch (URL/cas/<sha256>, where `aotpack publish` puts them). Slimming
// before publishing is legal (the server may be filled later), so what is missing is a warning,
// said before the archive ships rather than at a user's load.
#pragma once

#include "archive/reader.h"

#include <string>
#include <vector>

namespace aotpack::delivery {

// One message per kind of payload (natives, SPIR-V) the server lacks or could not be asked
// about; empty when it holds every pinned payload.
std::vector<std::string> missingOnServer(const archive::ArchiveReader& slim);

} // namespace aotpack::delivery
