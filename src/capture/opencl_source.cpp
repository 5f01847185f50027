#include "capture/opencl_source.h"

#include "common/file_io.h"

#include <deque>
#include <filesystem>
#include <set>

namespace aotpack::capture {

namespace fs = std::filesystem;

std::vector<std::string> optionWords(std::string_view options) {
    std::vector<std::string> words;
    std::string word;
    bool quoted = false, inWord = false;
    for (char c : options) {
        if (c == '"') quoted = !quoted;
        if (!quoted && (c == ' ' || c == '\t' || c == '\n')) {
            if (inWord) words.push_back(word);
            word.clear();
            inWord = false;
            continue;
        }
        word += c;
        inWord = true;
    }
    if (inWord) words.push_back(word);
    return words;
}

namespace {

std::string unquoted(std::string word) {
    if (word.size() >= 2 && word.front() == '"' && word.back() == '"')
        return word.substr(1, word.size() - 2);
    return word;
}

std::string_view skipBlanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    return s;
}

// The name one line's #include gives, "x.h" or <x.h> alike (the driver searches the -I
// directories for both); empty for any other line.
std::string includedName(std::string_view line) {
    line = skipBlanks(line);
    if (line.empty() || line.front() != '#') return {};
    line = skipBlanks(line.substr(1));
    if (line.substr(0, 7) != "include") return {};
    line = skipBlanks(line.substr(7));
    if (line.empty() || (line.front() != '"' && line.front() != '<')) return {};
    char close = line.front() == '"' ? '"' : '>';
    auto end = line.find(close, 1);
    return end == std::string_view::npos ? std::string() : std::string(line.substr(1, end - 1));
}

std::vector<std::string> includedNames(std::string_view text) {
    std::vector<std::string> names;
    while (!text.empty()) {
        auto end = text.find('\n');
        if (auto name = includedName(text.substr(0, end)); !name.empty()) names.push_back(name);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return names;
}

bool isSafeRelative(const std::string& name) {
    fs::path p(name);
    if (p.is_absolute()) return false;
    for (const auto& part : p)
        if (part == "..") return false;
    return true;
}

} // namespace

std::vector<std::string> includeDirs(std::string_view options) {
    std::vector<std::string> dirs;
    auto words = optionWords(options);
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i] == "-I" && i + 1 < words.size())
            dirs.push_back(unquoted(words[++i]));
        else if (words[i].rfind("-I", 0) == 0 && words[i].size() > 2)
            dirs.push_back(unquoted(words[i].substr(2)));
    }
    return dirs;
}

std::vector<CapturedHeader> resolveHeaders(std::string_view source, std::string_view options) {
    std::vector<CapturedHeader> headers;
    auto dirs = includeDirs(options);
    std::set<std::string> seen;
    std::deque<std::string> pending;
    for (auto& n : includedNames(source))
        pending.push_back(n);
    while (!pending.empty() && headers.size() < kMaxHeaders) {
        std::string name = pending.front();
        pending.pop_front();
        if (!seen.insert(name).second || !isSafeRelative(name)) continue;
        for (const auto& dir : dirs) {
            std::error_code ec;
            if (!fs::is_regular_file(fs::path(dir) / name, ec)) continue;
            auto text = readTextFile(fs::path(dir) / name);
            if (!text) break;
            for (auto& n : includedNames(*text))
                pending.push_back(n);
            headers.push_back({name, std::move(*text)});
            break;
        }
    }
    return headers;
}

std::string redirectIncludeDirs(std::string_view options, const std::string& dir) {
    std::string out;
    bool redirected = false;
    auto words = optionWords(options);
    for (std::size_t i = 0; i < words.size(); ++i) {
        bool separate = words[i] == "-I" && i + 1 < words.size();
        bool joined = !separate && words[i].rfind("-I", 0) == 0 && words[i].size() > 2;
        std::string word = words[i];
        if (separate || joined) {
            i += separate;
            if (redirected) continue;
            redirected = true;
            word = dir.find(' ') == std::string::npos ? "-I " + dir : "-I \"" + dir + "\"";
        }
        out += (out.empty() ? "" : " ") + word;
    }
    return out;
}

} // namespace aotpack::capture
