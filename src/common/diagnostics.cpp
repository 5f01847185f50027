#include "common/diagnostics.h"

#include "common/text.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unistd.h>

namespace aotpack::diag {

namespace {

std::mutex sinkMutex;
MessageSink sink = nullptr;
void* sinkUserData = nullptr;

// The host program's sink took the message (nothing goes to stderr then).
bool sentToSink(int level, const std::string& message) {
    std::lock_guard<std::mutex> lock(sinkMutex);
    if (!sink) return false;
    sink(level, message.c_str(), sinkUserData);
    return true;
}

int levelOf(const char* label) {
    std::string_view l(label);
    return l == "error" ? 3 : l == "warning" ? 2 : 1;
}

} // namespace

void setMessageSink(MessageSink newSink, void* userData) {
    std::lock_guard<std::mutex> lock(sinkMutex);
    sink = newSink;
    sinkUserData = userData;
}

bool stderrIsTerminal() {
    static const bool tty = ::isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
    return tty;
}

static void writeLine(const std::string& line) {
    std::fputs(line.c_str(), stderr); // one call: stderr is unbuffered, so one write(2)
}

static void emit(const char* label, const char* colour, const std::string& message) {
    if (sentToSink(levelOf(label), message)) return;
    if (stderrIsTerminal())
        writeLine(std::string("aotpack: \033[1;") + colour + "m" + label + ":\033[0m " + message +
                  "\n");
    else
        writeLine(std::string("aotpack: ") + label + ": " + message + "\n");
}

void log(const std::string& message) {
    if (sentToSink(0, message)) return;
    writeLine("aotpack: " + message + "\n");
}

bool logRequested() {
    const char* env = std::getenv("AOTPACK_LOG");
    return env && std::string_view(env) != "0";
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
