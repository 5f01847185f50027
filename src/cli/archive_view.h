// Summaries of an archive for `list` and `size` (text and JSON).
#pragma once

#include "archive/reader.h"
#include "common/error.h"
#include "delivery/split.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace aotpack::cli {

// One target written in the device language (`--target`, `--device`); `option` names the flag in
// errors.
Expected<std::uint32_t> singleTargetIp(const std::string& text, const std::string& option);

// "acm-g10" for a known IP, else "12.99.0".
std::string targetName(std::uint32_t ip);

// `--by target|compat` (split, wheel-variants): a `unit` ("piece", "wheel") per target, or one
// for targets whose binaries serve each other (the device database's compat lines).
void addSplitByOption(CLI::App* sub, std::string& by, const char* unit);
delivery::SplitBy splitBy(const std::string& by);

nlohmann::json listJson(const archive::ArchiveReader& in);
void printList(const archive::ArchiveReader& in);

nlohmann::json sizeJson(const archive::ArchiveReader& in);
void printSize(const archive::ArchiveReader& in);

} // namespace aotpack::cli
