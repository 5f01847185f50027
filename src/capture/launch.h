// Runs a program with the preload library (`aotpack capture`, `aotpack run`).
#pragma once

#include "common/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::capture {

// $AOTPACK_PRELOAD, else libaotpack_preload.so where this aotpack's installation or build tree
// keeps it; empty (and `whyNot` says where it looked) when there is none.
std::filesystem::path findPreloadLibrary(std::string& whyNot);

// Runs `command` (PATH searched) with the preload library first in LD_PRELOAD and `env` added,
// the terminal's stdin/stdout/stderr, and returns its exit status as a shell reports it (128+N
// for signal N). 127 when the program cannot be run.
Expected<int> runWithPreload(const std::vector<std::string>& command,
                             const std::filesystem::path& preload,
                             const std::vector<std::pair<std::string, std::string>>& env);

} // namespace aotpack::capture
