#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace aotpack::cli {

// A bash completion script generated from the command table, so it never drifts from the options.
std::string bashCompletion(const CLI::App& app);

} // namespace aotpack::cli
