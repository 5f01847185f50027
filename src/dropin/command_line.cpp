#include "dropin/command_line.h"

#include <map>

namespace aotpack::dropin {

namespace {

enum class Flag { Input, Devices, Output, OutDir, NoSuffix, ExcludeIr, SpirvInput, Forward };

// ocloc 22.43's flags that the drop-in understands; `takesValue` says whether the next argument
// belongs to it. Any other argument means: pass the call through.
struct FlagInfo {
    Flag flag;
    bool takesValue;
};

const std::map<std::string, FlagInfo>& knownFlags() {
    static const std::map<std::string, FlagInfo> flags = {
        {"-file", {Flag::Input, true}},
        {"-device", {Flag::Devices, true}},
        {"-output", {Flag::Output, true}},
        {"-out_dir", {Flag::OutDir, true}},
        {"-output_no_suffix", {Flag::NoSuffix, false}},
        {"-exclude_ir", {Flag::ExcludeIr, false}},
        {"-spirv_input", {Flag::SpirvInput, false}},
        {"-options", {Flag::Forward, true}},
        {"-internal_options", {Flag::Forward, true}},
        {"--format", {Flag::Forward, true}},
        {"-64", {Flag::Forward, false}},
        {"-q", {Flag::Forward, false}},
    };
    return flags;
}

// Stores one flag; false if it was already given (ocloc's handling of repeats is not modelled,
// except for the forwarded ones).
bool store(CompileCall& call, const FlagInfo& info, const std::string& name,
           const std::string& value) {
    auto once = [](std::string& field, const std::string& v) {
        if (!field.empty()) return false;
        field = v;
        return !v.empty();
    };
    switch (info.flag) {
    case Flag::Input:
        return once(call.input, value);
    case Flag::Devices:
        return once(call.devices, value);
    case Flag::Output:
        return once(call.output, value);
    case Flag::OutDir:
        return once(call.outDir, value);
    case Flag::NoSuffix:
        call.outputNoSuffix = true;
        return true;
    case Flag::ExcludeIr:
        call.excludeIr = true;
        return true;
    case Flag::SpirvInput:
        call.spirvInput = true;
        return true;
    case Flag::Forward:
        call.forwarded.push_back(name);
        if (info.takesValue) call.forwarded.push_back(value);
        if (name == "-q") call.quiet = true;
        return true;
    }
    return false;
}

} // namespace

ParsedCall parseCommandLine(const std::vector<std::string>& args) {
    ParsedCall out;
    std::size_t i = 0;
    if (!args.empty() && args[0] == "compile")
        i = 1;
    else if (args.empty() || args[0].empty() || args[0][0] != '-')
        return {std::nullopt, args.empty() ? "no command" : "command '" + args[0] + "'"};
    CompileCall call;
    for (; i < args.size(); ++i) {
        auto it = knownFlags().find(args[i]);
        if (it == knownFlags().end()) return {std::nullopt, "option '" + args[i] + "'"};
        const std::string& name = args[i];
        std::string value;
        if (it->second.takesValue) {
            if (i + 1 == args.size()) return {std::nullopt, "'" + name + "' without a value"};
            value = args[++i];
        }
        if (!store(call, it->second, name, value))
            return {std::nullopt, "'" + name + "' repeated or empty"};
    }
    if (call.input.empty()) return {std::nullopt, "no -file"};
    if (call.devices.empty()) return {std::nullopt, "no -device"};
    out.compile = std::move(call);
    return out;
}

} // namespace aotpack::dropin
