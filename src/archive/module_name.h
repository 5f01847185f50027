// Module names become file names on extract, so the format restricts them:
// 1 to 200 characters from [A-Za-z0-9._+-], not starting with '.'.
#pragma once

#include <string>
#include <string_view>

namespace aotpack::archive {

bool isValidModuleName(std::string_view name);
// Why a name is invalid, for error messages ("contains '/'").
std::string moduleNameProblem(std::string_view name);

} // namespace aotpack::archive
