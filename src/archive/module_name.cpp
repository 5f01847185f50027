#include "archive/module_name.h"

#include "archive/format.h"
#include "common/text.h"

namespace aotpack::archive {

static bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '+' || c == '-';
}

std::string moduleNameProblem(std::string_view name) {
    if (name.empty()) return "is empty";
    if (name.size() > kMaxNameLength)
        return "is longer than " + std::to_string(kMaxNameLength) + " characters";
    if (name[0] == '.') return "starts with '.'";
    for (char c : name)
        if (!allowed(c))
            return "contains '" + printable(std::string_view(&c, 1)) +
                   "' (allowed: A-Z a-z 0-9 . _ + -)";
    return "";
}

bool isValidModuleName(std::string_view name) {
    return moduleNameProblem(name).empty();
}

} // namespace aotpack::archive
