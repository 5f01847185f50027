#include "cli/commands.h"
namespace aotpack::cli {
void addArchiveCommands(CommandRegistry&) {}
} // namespace aotpack::cli
