// `aotpack ocloc ARGS...` (or aotpack run through a file named `ocloc`): ocloc's command line,
// ocloc's output files byte for byte, ocloc's messages and exit code - with the targets of a fat
// binary compiled in parallel on aotpack's compile workers and every (SPIR-V, target, flags,
// compiler) kept in the build cache. What it does not model goes to the real ocloc unchanged,
// and so does any call whose compile fails, so errors are ocloc's own. docs/OCLOC.md.
#pragma once

#include "toolchain/compiler.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace aotpack::dropin {

struct DropinOptions {
    std::string argv0; // what the caller ran ("ocloc"), for the real ocloc's messages
    // How to start a long-lived compile worker (the CLI passes itself); empty: processes.
    std::vector<std::string> workerCommand;
    // What runs the call's compiles; null: the real ocloc the call resolves to (tests pass a
    // toolchain::FakeCompiler).
    std::shared_ptr<toolchain::Compiler> compiler;
};

// Returns the exit code. A call that is passed through exec's the real ocloc (does not return),
// holding one compile slot until it exits.
int runDropin(const std::vector<std::string>& args, const DropinOptions& options);

// `aotpack ocloc --learn-facts LIST...`: the background half of a call whose device lists the
// drop-in did not know yet (toolchain::OclocFacts::deferProbes): probes them and remembers the
// answers.
int learnFacts(const std::vector<std::string>& deviceLists);

// `aotpack ocloc --shim-dir`: a directory holding an `ocloc` symlink to this aotpack (created
// once, under the cache root), for PATH=$(aotpack ocloc --shim-dir):$PATH. One directory per
// aotpack executable, so two installed versions do not take each other's shim. From a bundle
// the link goes to the bundle's wrapper (bin/aotpack), which sets the library path first.
std::filesystem::path ensureShimDir(std::string& error);

} // namespace aotpack::dropin
