// The part of ocloc's command line that `aotpack ocloc` models: `compile` (the default command)
// with one SPIR-V (or OpenCL C) input, a device list and ocloc's output naming flags. Everything
// else - other commands, unknown flags, forms whose output aotpack cannot reproduce byte for byte -
// is passed to the real ocloc unchanged (docs/OCLOC.md has the matrix).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aotpack::dropin {

struct CompileCall {
    std::string input;       // -file, as given
    std::string devices;     // -device, as given
    std::string output;      // -output ("" when not given)
    std::string outDir;      // -out_dir ("" when not given)
    bool spirvInput = false; // else OpenCL C
    bool outputNoSuffix = false;
    bool excludeIr = false;
    bool quiet = false; // -q: ocloc prints nothing on success
    // Flags that change the compiled code, forwarded to every per-target compile in their order
    // (-options X, -internal_options X, --format X, -64, -q): repeated -options keep ocloc's own
    // meaning because ocloc itself still parses them.
    std::vector<std::string> forwarded;
};

// A modelled compile, or why the call goes to the real ocloc unchanged.
struct ParsedCall {
    std::optional<CompileCall> compile;
    std::string passThroughReason;
};

// `args` excludes the program name (argv[1...]).
ParsedCall parseCommandLine(const std::vector<std::string>& args);

} // namespace aotpack::dropin
