// The one diagnostic format on stderr: "aotpack: error: ...", "aotpack: warning: ...",
// "aotpack: note: ...". Colour only when stderr is a terminal and NO_COLOR is unset.
#pragma once

#include "common/error.h"

#include <string>

namespace aotpack::cli {

void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);
// A compiler's log under an error: line by line (each made printable), abbreviated, without
// ocloc's "Command was:" line, which names files in aotpack's temporary directory.
void printCompilerLog(const std::string& log);

// Prints the error and returns its exit code.
int fail(const Error& e);

bool stderrIsTerminal();

} // namespace aotpack::cli
