// Each target built by a toolchain that can: the host's ocloc and the store's toolchains, and for
// every target of a build the one that compiles it. By default the newest toolchain that supports
// the target (a newer IGC makes better code for old GPUs too); a choice ("--toolchain ID|VERSION",
// for all targets or per device list item) forces one. The build sees one Compiler
// (compiler.h) that sends each job to its target's toolchain.
#pragma once

#include "common/error.h"
#include "devices/database.h"
#include "devices/ip_version.h"
#include "toolchain/compiler.h"
#include "toolchain/store.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::toolchain {

// The host's ocloc (when there is one) and the store's toolchains, newest ocloc first. Empty
// when there is neither.
std::vector<Toolchain> availableToolchains(const devices::Database& db, const ToolchainStore& store,
                                           const std::filesystem::path& factsStore);

// The index in `newestFirst` of the toolchain that builds `ip` by default: the newest that
// supports it (`frontend`: one with the OpenCL C frontend). Nothing when none does.
std::optional<std::size_t> defaultToolchainFor(const std::vector<Toolchain>& newestFirst,
                                               std::uint32_t ip, bool frontend = false);

// The index of the toolchain `choice` names (toolchainMatches()); an error naming the choices.
Expected<std::size_t> findToolchain(const std::vector<Toolchain>& toolchains,
                                    const std::string& choice);

// "host", an id, a unique id prefix of 4+ characters, or an ocloc version (or its prefix: "26.27").
bool toolchainMatches(const Toolchain& t, const std::string& choice);

// What a user with no toolchain that builds `ip` should run.
std::string toolchainAddHint(devices::IpVersion ip);

// The compiler support (compiler_support.h) of one toolchain.
CompilerSupport supportOf(const Toolchain& t);

// A Compiler that sends each job to the toolchain `routes` names for its target (ip value ->
// index in `toolchains`). OpenCL C goes to `frontend` when given (a toolchain chosen for every
// target compiles the sources too), else to the toolchain routed for the frontend device, else
// to the newest with a frontend for it. With one toolchain it is that toolchain's own compiler.
std::shared_ptr<Compiler> makeRoutedCompiler(std::vector<Toolchain> toolchains,
                                             std::map<std::uint32_t, std::size_t> routes,
                                             std::vector<std::string> workerCommand,
                                             std::optional<std::size_t> frontend = std::nullopt);

} // namespace aotpack::toolchain
