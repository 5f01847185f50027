#include "cli/diagnostics.h"

#include "common/text.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace aotpack::cli {

bool stderrIsTerminal() {
    static const bool tty = ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
    return tty;
}

static void emit(const char* label, const char* colour, const std::string& message) {
    if (stderrIsTerminal())
        std::fprintf(stderr, "aotpack: \033[1;%sm%s:\033[0m %s\n", colour, label, message.c_str());
    else
        std::fprintf(stderr, "aotpack: %s: %s\n", label, message.c_str());
}

void error(const std::string& message) {
    emit("error", "31", message);
}
void warning(const std::string& message) {
    emit("warning", "33", message);
}
void note(const std::string& message) {
    emit("note", "36", message);
}

int fail(const Error& e) {
    error(e.message);
    return static_cast<int>(e.code);
}

void printCompilerLog(const std::string& log) {
    for (const auto& line : split(abbreviateLog(log), '\n'))
        if (!line.starts_with("Command was: "))
            std::fprintf(stderr, "%s\n", printable(line).c_str());
}

} // namespace aotpack::cli
