#include "dropin/plan.h"

#include "common/text.h"

#include <algorithm>
#include <cstring>

namespace aotpack::dropin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kResultMagic = "aotpack-ocloc-result-v1\n";

// 22.43 is the layout this code was checked against byte for byte; newer ocloc adds build
// options to generic_ir and names generic acronyms differently, so their fat binaries pass through.
constexpr std::string_view kModelledFatVersion = "22.43.";

void putU64(Bytes& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void putBlob(Bytes& out, std::string_view text) {
    putU64(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}

bool isIpItem(const std::string& item) {
    return item.find('.') != std::string::npos && devices::parseIpVersion(item).has_value();
}

// Lower-case acronyms only: ocloc 22.43 resolves "PVC" but names its member "64.0.0.0".
bool isCanonicalName(const std::string& item) {
    if (item.empty()) return false;
    for (char c : item)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

// The member name ocloc gives an item, or nothing if it is not one target ocloc would accept.
std::optional<std::string> memberName(const std::string& item, toolchain::OclocFacts& facts) {
    if (isIpItem(item)) return "64." + item;
    if (!isCanonicalName(item)) return std::nullopt;
    auto ip = facts.ipOf(item);
    if (!ip) return std::nullopt;
    return "64." + ip->str();
}

// The real ocloc's compile of one target: the caller's flags, with its input made absolute
// (the job runs in a scratch directory) and its output naming, or the fat-binary member's.
std::vector<std::string> targetArgv(const fs::path& ocloc, const fs::path& input,
                                    const CompileCall& call, const std::string& device, bool fat) {
    std::vector<std::string> argv = {ocloc.string(), "compile", "-file", input.string(),
                                     "-spirv_input", "-device", device};
    argv.insert(argv.end(), call.forwarded.begin(), call.forwarded.end());
    if (fat) {
        if (call.spirvInput) argv.emplace_back("-exclude_ir"); // as ocloc does: IR once, generic_ir
        for (const char* a : {"-output", kFatMemberFile, "-output_no_suffix"})
            argv.emplace_back(a);
        return argv;
    }
    if (call.excludeIr) argv.emplace_back("-exclude_ir");
    if (!call.output.empty()) {
        argv.emplace_back("-output");
        argv.push_back(fs::path(call.output).filename().string());
    }
    if (call.outputNoSuffix) argv.emplace_back("-output_no_suffix");
    return argv;
}

Hash128 jobKey(const toolchain::OclocFacts& facts, const Hash128& spirv,
               const std::vector<std::string>& argv, const fs::path& input) {
    Hasher h;
    h.add("aotpack-ocloc-job-v1").add(facts.identity()).add(spirv.bytes);
    for (std::size_t i = 1; i < argv.size(); ++i) // not the path of ocloc or of the input
        h.add(argv[i] == input.string() ? input.filename().string() : argv[i]);
    return h.finish();
}

// Where the outputs go; a reason to pass through when ocloc would do something odd there.
std::string placeOutputs(const CompileCall& call, Plan& plan) {
    fs::path output(call.output);
    std::error_code ec;
    if (plan.fat) {
        if (!call.outDir.empty()) return "-out_dir with a fat binary (ocloc 22.43 writes nothing)";
        plan.fatOutput =
            call.output.empty() ? fs::path(fs::path(call.input).stem().string() + ".ar") : output;
        if (plan.fatOutput.has_parent_path() && !fs::is_directory(plan.fatOutput.parent_path(), ec))
            return "the output's directory does not exist";
        return "";
    }
    if (!call.outDir.empty() && output.has_parent_path()) return "-out_dir with a -output path";
    plan.createOutputDir = !call.outDir.empty();
    plan.outputDir = !call.outDir.empty()       ? fs::path(call.outDir)
                     : output.has_parent_path() ? output.parent_path()
                                                : fs::path(".");
    if (!plan.createOutputDir && !fs::is_directory(plan.outputDir, ec))
        return "the output's directory does not exist";
    return "";
}

std::vector<std::string> frontendArgv(const fs::path& ocloc, const fs::path& input,
                                      const CompileCall& call, const std::string& device) {
    std::vector<std::string> argv = {ocloc.string(), "-spv_only", "-file",
                                     input.string(), "-device",   device};
    argv.insert(argv.end(), call.forwarded.begin(), call.forwarded.end());
    for (const char* a : {"-output", "frontend", "-output_no_suffix"})
        argv.emplace_back(a);
    return argv;
}

} // namespace

std::string targetMessages(const std::string& frontendLog, const std::string& compileLog,
                           const std::string& device, bool fat) {
    const std::string done = "Build succeeded.\n";
    auto endsWith = [](const std::string& s, const std::string& tail) {
        return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
    };
    std::string log = compileLog;
    if (!frontendLog.empty()) { // one OpenCL C compile: FCL's messages, no "from IR" line
        const std::string fromIr = "Compilation from IR - skipping loading of FCL\n";
        if (log.rfind(fromIr, 0) == 0) log.erase(0, fromIr.size());
        std::string front = frontendLog;
        if (endsWith(front, done)) front.erase(front.size() - done.size());
        log = front + log;
    }
    if (fat && endsWith(log, done))
        log.replace(log.size() - done.size(), done.size(),
                    "Build succeeded for : " + device + ".\n");
    return log;
}

Bytes encodeJobResult(const JobResult& result) {
    Bytes out(kResultMagic.begin(), kResultMagic.end());
    putU64(out, result.files.size());
    for (const auto& [name, data] : result.files) {
        putBlob(out, name);
        putBlob(out, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
    }
    putBlob(out, result.log);
    return out;
}

std::optional<JobResult> decodeJobResult(ByteView data) {
    std::size_t at = kResultMagic.size();
    if (data.size() < at || std::memcmp(data.data(), kResultMagic.data(), at) != 0)
        return std::nullopt;
    auto u64 = [&](std::uint64_t& v) {
        if (data.size() - at < 8) return false;
        v = 0;
        for (int i = 0; i < 8; ++i)
            v |= std::uint64_t(data[at + i]) << (8 * i);
        at += 8;
        return true;
    };
    auto blob = [&](std::string& s) {
        std::uint64_t n = 0;
        if (!u64(n) || data.size() - at < n) return false;
        s.assign(reinterpret_cast<const char*>(data.data()) + at, n);
        at += n;
        return true;
    };
    JobResult r;
    std::uint64_t files = 0;
    if (!u64(files) || files > data.size()) return std::nullopt;
    for (std::uint64_t i = 0; i < files; ++i) {
        std::string name, bytes;
        if (!blob(name) || !blob(bytes) || name.empty() || name.find('/') != std::string::npos)
            return std::nullopt;
        r.files.emplace_back(name, Bytes(bytes.begin(), bytes.end()));
    }
    if (!blob(r.log) || at != data.size()) return std::nullopt;
    return r;
}

namespace {

// One device-list item, or the whole list when it is a range or `*`, as the targets ocloc builds.
struct Expansion {
    std::vector<std::pair<std::string, std::string>> targets; // (device, member)
    bool fat = false; // a family, release, range or `*`: ocloc builds an AR even for one target
};

// ocloc 22.43's family and release names (intel-gpu-facts §1.1), as ocloc normalises them.
bool isFamilyOrRelease(const std::string& item) {
    std::string name;
    for (char c : item)
        if (c != '-' && c != '_') name.push_back(c);
    static const char* const kNames[] = {"gen8", "gen9", "gen11", "gen12lp",
                                         "xe",   "xehp", "xehpg", "xehpc"};
    return std::any_of(std::begin(kNames), std::end(kNames), [&](auto* n) { return name == n; });
}

std::optional<Expansion> expandDevices(const std::string& devices, toolchain::OclocFacts& facts) {
    auto items = split(devices, ',');
    Expansion out;
    auto addFatBuildOf = [&](const std::string& list) {
        auto targets = facts.expand(list);
        if (!targets) return false;
        for (const auto& t : *targets)
            out.targets.emplace_back(t.acronym, "64." + t.ip.str());
        out.fat = true;
        return true;
    };
    // Only the first item is checked for ':', and then the whole list is one range (§1.1).
    if (items[0].find(':') != std::string::npos || devices.find('*') != std::string::npos)
        return addFatBuildOf(devices) ? std::optional(out) : std::nullopt;
    for (const auto& item : items) {
        if (isCanonicalName(item) && isFamilyOrRelease(item)) {
            if (!addFatBuildOf(item)) return std::nullopt;
            continue;
        }
        auto member = memberName(item, facts);
        if (!member) return std::nullopt;
        out.targets.emplace_back(item, *member);
    }
    out.fat = out.fat || items.size() > 1;
    return out;
}

} // namespace

void setFrontendOutput(TargetJob& job, const fs::path& spirvPath, ByteView spirv,
                       const toolchain::OclocFacts& facts) {
    job.argv[3] = spirvPath.string();
    job.key = jobKey(facts, hash128(spirv), job.argv, spirvPath);
    job.frontendSpirv.assign(spirv.begin(), spirv.end());
}

std::string irCopyName(const std::string& binaryName, bool noSuffix) {
    const std::string bin = ".bin";
    bool suffixed = !noSuffix && binaryName.size() > bin.size() &&
                    binaryName.compare(binaryName.size() - bin.size(), bin.size(), bin) == 0;
    return (suffixed ? binaryName.substr(0, binaryName.size() - bin.size()) : binaryName) + ".spv";
}

PlanResult makePlan(const CompileCall& call, toolchain::OclocFacts& facts) {
    auto expansion = expandDevices(call.devices, facts);
    if (!expansion)
        return {std::nullopt,
                "device list '" + call.devices + "' is not one aotpack maps to ocloc's targets"};
    Plan plan;
    plan.fat = expansion->fat;
    if (plan.fat && facts.version().rfind(kModelledFatVersion, 0) != 0)
        return {std::nullopt, "fat binaries of ocloc " + facts.version() + " are not modelled"};
    std::error_code ec;
    plan.input = fs::absolute(call.input, ec);
    auto spirv = readFile(call.input);
    if (ec || !spirv) return {std::nullopt, "cannot read '" + call.input + "'"};
    plan.spirv = std::move(*spirv);
    if (auto why = placeOutputs(call, plan); !why.empty()) return {std::nullopt, why};
    plan.genericIr = plan.fat && call.spirvInput && !call.excludeIr;
    plan.irCopy = !plan.fat && !call.spirvInput;
    plan.outputNoSuffix = call.outputNoSuffix;
    Hash128 spirvHash = hash128(plan.spirv);
    for (const auto& [device, member] : expansion->targets) {
        TargetJob job{device, member, targetArgv(facts.ocloc(), plan.input, call, device, plan.fat),
                      {},     {},     {}};
        if (call.spirvInput)
            job.key = jobKey(facts, spirvHash, job.argv, plan.input);
        else
            job.frontendArgv = frontendArgv(facts.ocloc(), plan.input, call, device);
        plan.targets.push_back(std::move(job));
    }
    return {std::move(plan), ""};
}

} // namespace aotpack::dropin
