#include "common/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace aotpack {

std::string toLower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto pos = s.find(sep, start);
        parts.emplace_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return parts;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::optional<unsigned long long> parseUnsigned(std::string_view s, int base) {
    if (s.empty()) return std::nullopt;
    unsigned long long value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

// Optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours
// ("xe-hgp" is one swap from "xe-hpg", as a typist would count).
std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min(
                {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string abbreviateLog(std::string_view log, std::size_t limit) {
    std::string text(trim(log));
    if (text.size() <= limit) return text;
    auto lines = split(text, '\n');
    std::size_t head = 0, headChars = 0, tail = lines.size(), tailChars = 0;
    while (head < tail && headChars + lines[head].size() + 1 <= limit / 2)
        headChars += lines[head++].size() + 1;
    while (tail > head && tailChars + lines[tail - 1].size() + 1 <= limit / 2)
        tailChars += lines[--tail].size() + 1;
    if (head == 0 && tail == lines.size()) // one huge line: its start is what it says first
        return text.substr(0, limit) + "\n[... " + std::to_string(text.size() - limit) +
               " more characters ...]";
    std::vector<std::string> kept(lines.begin(), lines.begin() + head);
    kept.push_back("[... " + std::to_string(tail - head) + " line(s) left out; the JSON report " +
                   "(--json-report) has the whole log ...]");
    kept.insert(kept.end(), lines.begin() + tail, lines.end());
    return join(kept, "\n");
}

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::string countOf(std::size_t n, std::string_view singular, std::string_view plural) {
    return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string secondsText(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", seconds);
    return buf;
}

std::string humanBytes(unsigned long long bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, unit ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return buf;
}

std::optional<std::uint64_t> parseByteSize(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
        ++digits;
    std::string number(text.substr(0, digits)), unit(text.substr(digits));
    if (number.empty() || std::count(number.begin(), number.end(), '.') > 1) return std::nullopt;
    if (unit.size() == 3 && unit.ends_with("iB")) // "GiB", "GB" and "G" alike; "B" is bytes
        unit.resize(1);
    else if (!unit.empty() && unit.back() == 'B')
        unit.pop_back();
    for (auto& c : unit)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::string units = "KMGT";
    if (unit.size() > 1 || (unit.size() == 1 && units.find(unit[0]) == std::string::npos))
        return std::nullopt;
    double value = std::strtod(number.c_str(), nullptr);
    for (std::size_t i = 0; unit.size() == 1 && i <= units.find(unit[0]); ++i)
        value *= 1024;
    if (value < 1 || value > 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(value);
}

} // namespace aotpack
