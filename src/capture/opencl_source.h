// OpenCL C programs as the driver builds them from source: the headers they include from their
// options' -I directories (captured with the source, so that a build on another machine sees
// what the driver saw), and the options that point a build at those captured headers.
#pragma once

#include "capture/capture_dir.h"

#include <string>
#include <string_view>
#include <vector>

namespace aotpack::capture {

// The options split as a shell would (double quotes group, and are kept in the words).
std::vector<std::string> optionWords(std::string_view options);

// The -I directories ("-I dir" and "-Idir"), in order.
std::vector<std::string> includeDirs(std::string_view options);

// Every header `source` includes, directly or through other headers, found in the -I
// directories (the first that has it); headers not found are left out: the driver's build
// failed on them too, or they are the compiler's own. Bounded (kMaxHeaders).
constexpr std::size_t kMaxHeaders = 512;
std::vector<CapturedHeader> resolveHeaders(std::string_view source, std::string_view options);

// `options` with its -I directories replaced by one, `dir`.
std::string redirectIncludeDirs(std::string_view options, const std::string& dir);

} // namespace aotpack::capture
