// The one diagnostic voice on stderr, for every layer (the CLI, the drop-in, the runtime library,
// the preload library): "aotpack: error: ...", "aotpack: warning: ...", "aotpack: note: ...",
// and log lines "aotpack: ..." (AOTPACK_LOG). Colour only when stderr is a terminal and NO_COLOR
// is unset; a message is written with one write, so lines of concurrent threads do not mix.
#pragma once

#include "common/error.h"

#include <string>

namespace aotpack::diag {

void error(const std::string& message);
void warning(const std::string& message);
void note(const std::string& message);
// A plain line: "aotpack: MESSAGE" (the runtime's AOTPACK_LOG lines, progress).
void log(const std::string& message);
// AOTPACK_LOG is set and not 0: the runtime's per-load and fleet lines are wanted.
bool logRequested();
// A compiler's log under an error: line by line (each made printable), abbreviated, without
// ocloc's "Command was:" line, which names files in aotpack's temporary directory.
void printCompilerLog(const std::string& log);

// Prints the error and returns its exit code (common/error.h: Errc is the exit code).
int fail(const Error& e);

bool stderrIsTerminal();

// Where messages go instead of stderr (libaotpack_rt's aotpack_set_message_callback, so that a
// host program can route them into its own log); null: stderr again. `level` is 0 for log
// lines, 1 note, 2 warning, 3 error; the message has no "aotpack: " prefix and no newline.
using MessageSink = void (*)(int level, const char* message, void* userData);
void setMessageSink(MessageSink sink, void* userData);

} // namespace aotpack::diag
