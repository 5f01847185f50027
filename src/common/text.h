// Small string helpers shared by the parsers and the CLI.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aotpack {

std::string toLower(std::string_view s);
std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::optional<unsigned long long> parseUnsigned(std::string_view s, int base = 10);
std::size_t editDistance(std::string_view a, std::string_view b);

// Makes untrusted text (module names from an archive, compiler output) safe to print on a terminal:
// control characters and escape sequences become \xNN.
std::string printable(std::string_view s);
// A compiler log short enough to print: whole if under `limit` characters, else its first and
// last lines (the first errors matter most, the last say how it ended) with a line saying how
// many were left out. Cuts only at line boundaries.
std::string abbreviateLog(std::string_view log, std::size_t limit = 4000);

// Formats a byte count as "1.2 MiB".
// "1 binary", "3 binaries".
std::string countOf(std::size_t n, std::string_view singular, std::string_view plural);
// Seconds as a person writes them: "2", "0.001", "1.5".
std::string secondsText(double seconds);
std::string humanBytes(unsigned long long bytes);
// "500M", "10G", "1.5GiB", "4096" (bytes): K, M, G, T are powers of 1024, as humanBytes prints
// them. nullopt for anything else, and for zero.
std::optional<std::uint64_t> parseByteSize(std::string_view text);

} // namespace aotpack
