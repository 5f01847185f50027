// Summaries of an archive for `list` and `size` (text and JSON).
#pragma once

#include "archive/reader.h"
#include "common/error.h"

#include <nlohmann/json.hpp>
#include <string>

namespace aotpack::cli {

// One target written in the device language (`--target`, `--device`); `option` names the flag in
// errors.
Expected<std::uint32_t> singleTargetIp(const std::string& text, const std::string& option);

// "acm-g10" for a known IP, else "12.99.0".
std::string targetName(std::uint32_t ip);

nlohmann::json listJson(const archive::ArchiveReader& in);
void printList(const archive::ArchiveReader& in);

nlohmann::json sizeJson(const archive::ArchiveReader& in);
void printSize(const archive::ArchiveReader& in);

} // namespace aotpack::cli
