// The subcommand table. Each command lives in its own cmd_*.cpp, registers its options on the CLI11
// app and stores a handler; main() runs the one the user chose.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace aotpack::cli {

using Handler = std::function<int()>;

struct CommandRegistry {
    CLI::App& app;
    std::vector<std::pair<CLI::App*, Handler>> handlers;
    std::vector<std::string> trailingCommand; // what follows "--" (capture, run)
    void add(CLI::App* sub, Handler handler) { handlers.emplace_back(sub, std::move(handler)); }
};

void addDevicesCommand(CommandRegistry& registry);
void addArchiveCommands(CommandRegistry& registry);
void addDeliveryCommands(CommandRegistry& registry);
void addBuildCommands(CommandRegistry& registry);
void addCacheCommand(CommandRegistry& registry);
void addEnvironmentCommand(CommandRegistry& registry);
void addRuntimeCommands(CommandRegistry& registry);
// Only for help and completion: `aotpack ocloc` is dispatched before CLI11 parses (main_cli.cpp).
void addOclocCommand(CommandRegistry& registry);
void addBundleCommand(CommandRegistry& registry);
void addCaptureCommands(CommandRegistry& registry);
void addInspectCommand(CommandRegistry& registry);
void addTrustCommands(CommandRegistry& registry);
void addToolchainCommands(CommandRegistry& registry);

// Entry point of the aotpack executable.
int run(int argc, char** argv);

} // namespace aotpack::cli
