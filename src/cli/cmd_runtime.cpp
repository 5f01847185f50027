#include "cli/commands.h"
namespace aotpack::cli {
void addRuntimeCommands(CommandRegistry&) {}
} // namespace aotpack::cli
