#include "archive/module_name.h"

#include "archive/format.h"
#include "common/text.h"

#include <cstdio>

namespace aotpack::archive {

static bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '+' || c == '-';
}

// The character at `i` for a message: a whole UTF-8 sequence when it is one ('é', not half of
// it), else the byte escaped.
static std::string characterAt(std::string_view name, std::size_t i) {
    auto lead = static_cast<unsigned char>(name[i]);
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    bool whole = lead >= 0xC0 && lead < 0xF8 && i + length <= name.size();
    for (std::size_t k = 1; whole && k < length; ++k)
        whole = (static_cast<unsigned char>(name[i + k]) & 0xC0) == 0x80;
    if (whole) return std::string(name.substr(i, length));
    if (lead >= 0x20 && lead < 0x7f) return std::string(1, name[i]);
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", lead);
    return escaped;
}

std::string moduleNameProblem(std::string_view name) {
    if (name.empty()) return "is empty";
    if (name.size() > kMaxNameLength)
        return "is longer than " + std::to_string(kMaxNameLength) + " characters";
    if (name[0] == '.') return "starts with '.'";
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!allowed(name[i]))
            return "contains '" + characterAt(name, i) + "' (allowed: A-Z a-z 0-9 . _ + -)";
    return "";
}

bool isValidModuleName(std::string_view name) {
    return moduleNameProblem(name).empty();
}

} // namespace aotpack::archive
