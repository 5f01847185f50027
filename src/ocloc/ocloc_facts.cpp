#include "ocloc/ocloc_facts.h"

#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "devices/compiler_support.h"

#include <cstdlib>
#include <sstream>

namespace aotpack::ocloc {

namespace fs = std::filesystem;

OclocFacts::OclocFacts(fs::path ocloc, fs::path store) : ocloc_(std::move(ocloc)) {
    std::string stamp = devices::compilerStamp(ocloc_);
    if (!store.empty())
        file_ = store / ("facts-" + Hasher().add(ocloc_.string()).add(stamp).finish().hex());
    identity_ = "ocloc " + version() + " " + stamp;
}

// Runs `ocloc QUESTION...` in a scratch directory; the answer is what it printed (or, for query,
// the file it wrote), "" when it failed.
static std::string runOcloc(const fs::path& ocloc, const std::vector<std::string>& args,
                            const std::string& answerFile) {
    TempDir dir;
    std::vector<std::string> argv = {ocloc.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = runProcess({argv, dir.path(), dir.path() / "log", {}, {}}, 60);
    if (!run || !run->succeeded()) return "";
    auto text = readTextFile(dir.path() / (answerFile.empty() ? "log" : answerFile));
    return text ? std::string(trim(text->c_str())) : ""; // query writes a NUL-terminated string
}

// The member names of an AR file (ocloc's fat binaries use short names only), or nothing.
static std::optional<std::vector<std::string>> arMemberNames(const std::string& ar) {
    constexpr std::size_t kHeader = 60;
    if (ar.rfind("!<arch>\n", 0) != 0) return std::nullopt;
    std::vector<std::string> names;
    for (std::size_t at = 8; at < ar.size();) {
        if (ar.size() - at < kHeader) return std::nullopt;
        std::string name(trim(ar.substr(at, 16)));
        if (!name.empty() && name.back() == '/') name.pop_back();
        char* end = nullptr;
        unsigned long long size = std::strtoull(ar.substr(at + 48, 10).c_str(), &end, 10);
        if (size > ar.size() - at - kHeader) return std::nullopt;
        names.push_back(name);
        at += kHeader + size + (size % 2);
    }
    return names;
}

// A fat build of an empty OpenCL C kernel for `deviceList`: "acronym=ip,..." in build order, ""
// when ocloc rejects the list or its output cannot be read.
static std::string probeFatBuild(const fs::path& ocloc, const std::string& deviceList) {
    TempDir dir;
    if (!writeFileAtomic(dir.path() / "probe.cl", std::string("__kernel void probe() {}\n")))
        return "";
    std::vector<std::string> argv = {ocloc.string(), "compile",  "-file",   "probe.cl",
                                     "-device",      deviceList, "-output", "probe.ar"};
    auto run = runProcess({argv, dir.path(), dir.path() / "log", {}, {}}, 600);
    auto log = readTextFile(dir.path() / "log");
    auto ar = readTextFile(dir.path() / "probe.ar");
    if (!run || !run->succeeded() || !log || !ar) return "";
    std::vector<std::string> acronyms, ips;
    const std::string success = "Build succeeded for : ";
    for (const auto& line : split(*log, '\n'))
        if (line.rfind(success, 0) == 0 && line.size() > success.size() + 1 && line.back() == '.')
            acronyms.push_back(line.substr(success.size(), line.size() - success.size() - 1));
    for (const auto& name : arMemberNames(*ar).value_or(std::vector<std::string>{}))
        if (name.rfind("64.", 0) == 0 && devices::parseIpVersion(name.substr(3)))
            ips.push_back(name.substr(3));
    if (acronyms.empty() || acronyms.size() != ips.size()) return "";
    std::vector<std::string> pairs;
    for (std::size_t i = 0; i < ips.size(); ++i)
        pairs.push_back(acronyms[i] + "=" + ips[i]);
    return join(pairs, ",");
}

std::string OclocFacts::ask(const std::string& question) {
    if (!loaded_ && !file_.empty()) {
        loaded_ = true;
        if (auto text = readTextFile(file_))
            for (const auto& line : split(*text, '\n'))
                if (auto tab = line.find('\t'); tab != std::string::npos)
                    answers_[line.substr(0, tab)] = line.substr(tab + 1);
    }
    if (auto it = answers_.find(question); it != answers_.end()) return it->second;
    if (deferProbes_ && question.rfind("expand ", 0) == 0) {
        deferred_.push_back(question.substr(7));
        return ""; // not remembered: the background learner answers it
    }
    std::string answer;
    if (question == "version") {
        answer = runOcloc(ocloc_, {"query", "OCL_DRIVER_VERSION"}, "OCL_DRIVER_VERSION");
    } else if (question.rfind("expand ", 0) == 0) {
        answer = probeFatBuild(ocloc_, question.substr(7));
    } else { // "ids NAME": the matched IPs, comma-separated
        auto lines = split(runOcloc(ocloc_, {"ids", question.substr(4)}, ""), '\n');
        std::vector<std::string> ips;
        for (const auto& l : lines)
            if (devices::parseIpVersion(trim(l))) ips.emplace_back(trim(l));
        answer = join(ips, ",");
    }
    answers_[question] = answer;
    save();
    return answer;
}

void OclocFacts::save() const {
    if (file_.empty()) return;
    std::ostringstream text;
    for (const auto& [q, a] : answers_)
        text << q << '\t' << a << '\n';
    std::error_code ec;
    fs::create_directories(file_.parent_path(), ec);
    (void)writeFileAtomic(file_, text.str()); // a store that cannot be written only costs time
}

std::string OclocFacts::version() {
    return ask("version");
}

std::optional<devices::IpVersion> OclocFacts::ipOf(const std::string& deviceName) {
    std::string answer = ask("ids " + deviceName);
    if (answer.empty() || answer.find(',') != std::string::npos) return std::nullopt;
    return devices::parseIpVersion(answer);
}

} // namespace aotpack::ocloc

namespace aotpack::ocloc {

std::optional<std::vector<OclocFacts::Target>> OclocFacts::expand(const std::string& deviceList) {
    if (deviceList.find_first_of("\t\n") != std::string::npos) return std::nullopt;
    std::vector<Target> targets;
    for (const auto& pair : split(ask("expand " + deviceList), ',')) {
        auto eq = pair.find('=');
        auto ip =
            eq == std::string::npos ? std::nullopt : devices::parseIpVersion(pair.substr(eq + 1));
        if (!ip) return std::nullopt;
        targets.push_back({pair.substr(0, eq), *ip});
    }
    if (targets.empty()) return std::nullopt;
    return targets;
}

} // namespace aotpack::ocloc
