#include "cli/commands.h"
namespace aotpack::cli {
void addBuildCommands(CommandRegistry&) {}
}
