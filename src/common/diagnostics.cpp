#include "common/diagnostics.h"

#include "common/text.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace aotpack::diag {

bool stderrIsTerminal() {
    static const bool tty = ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
    return tty;
}

static void writeLine(const std::string& line) {
    std::fputs(line.c_str(), stderr); // one call: stderr is unbuffered, so one write(2)
}

static void emit(const char* label, const char* colour, const std::string& message) {
    if (stderrIsTerminal())
        writeLine(std::string("aotpack: \033[1;") + colour + "m" + label + ":\033[0m " + message +
                  "\n");
    else
        writeLine(std::string("aotpack: ") + label + ": " + message + "\n");
}

void log(const std::string& message) {
    writeLine("aotpack: " + message + "\n");
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
        if (!line.starts_with("Command was: ")) writeLine(printable(line) + "\n");
}

} // namespace aotpack::diag
