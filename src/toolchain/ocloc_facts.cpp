#include "toolchain/ocloc_facts.h"

#include "common/ar_members.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"

#include <future>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack::toolchain {

namespace fs = std::filesystem;

// True for aotpack's own executable under another name, and for anything in a shim directory.
static bool isAotpack(const fs::path& candidate) {
    std::error_code ec;
    if (fs::exists(candidate.parent_path() / kShimMarker, ec)) return true;
    auto self = fs::canonical("/proc/self/exe", ec);
    if (ec) return false;
    auto target = fs::canonical(candidate, ec);
    return !ec && target == self;
}

// An ocloc beside aotpack's own executable: the layout of `aotpack bundle`, where the toolchain
// travels with aotpack and must win over whatever the machine has on PATH.
static std::string oclocBesideSelf() {
    std::error_code ec;
    fs::path beside = fs::canonical("/proc/self/exe", ec).parent_path() / "ocloc";
    return !ec && ::access(beside.c_str(), X_OK) == 0 ? beside.string() : std::string();
}

fs::path findRealOcloc(const fs::path& requested) {
    for (const std::string& name : {requested.string(), envOr("AOTPACK_OCLOC", ""),
                                    oclocBesideSelf(), std::string("ocloc")}) {
        if (name.empty()) continue;
        fs::path found = findExecutable(name, isAotpack);
        if (!found.empty() && !isAotpack(found)) return found;
    }
    return {};
}

static std::string fileStamp(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "-";
    return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec);
}

std::string compilerStamp(const fs::path& ocloc) {
    std::string stamp = fileStamp(ocloc);
    for (const char* lib :
         {"/usr/lib/x86_64-linux-gnu/libigc.so.1", "/usr/lib/x86_64-linux-gnu/libocloc.so"})
        stamp += " " + fileStamp(lib);
    return stamp;
}

// ocloc's own stat to the nanosecond (tests rewrite stand-in scripts within one second) and the
// compiler libraries' stamp: another compiler, another store file.
static std::string storeName(const fs::path& ocloc) {
    struct stat st {};
    ::stat(ocloc.c_str(), &st);
    std::string exact = std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
                        std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec);
    return "facts-" + Hasher()
                          .add("aotpack-ocloc-facts-v2")
                          .add(ocloc.string())
                          .add(exact)
                          .add(compilerStamp(ocloc))
                          .finish()
                          .hex();
}

OclocFacts::OclocFacts(fs::path ocloc, const fs::path& store) : ocloc_(std::move(ocloc)) {
    if (!store.empty()) file_ = store / storeName(ocloc_);
    identity_ = "ocloc " + version() + " " + compilerStamp(ocloc_);
}

// Runs `ocloc ARGS...` in a scratch directory; the answer is what it printed (or, for query, the
// file it wrote), "" when it failed.
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
    auto ar = readFile(dir.path() / "probe.ar");
    if (!run || !run->succeeded() || !log || !ar) return "";
    std::vector<std::string> acronyms, ips;
    const std::string success = "Build succeeded for : ";
    for (const auto& line : split(*log, '\n'))
        if (line.rfind(success, 0) == 0 && line.size() > success.size() + 1 && line.back() == '.')
            acronyms.push_back(line.substr(success.size(), line.size() - success.size() - 1));
    for (const auto& member : readArMembers(*ar).members)
        if (member.name.rfind("64.", 0) == 0 && devices::parseIpVersion(member.name.substr(3)))
            ips.push_back(member.name.substr(3));
    if (acronyms.empty() || acronyms.size() != ips.size()) return "";
    std::vector<std::string> pairs;
    for (std::size_t i = 0; i < ips.size(); ++i)
        pairs.push_back(acronyms[i] + "=" + ips[i]);
    return join(pairs, ",");
}

// "ids NAME": the IPs ocloc matched, comma-separated ("" when it does not know the name).
static std::string askIds(const fs::path& ocloc, const std::string& name) {
    std::vector<std::string> ips;
    for (const auto& line : split(runOcloc(ocloc, {"ids", name}, ""), '\n'))
        if (devices::parseIpVersion(trim(line))) ips.emplace_back(trim(line));
    return join(ips, ",");
}

static std::string answerOf(const fs::path& ocloc, const std::string& question) {
    if (question == "version")
        return runOcloc(ocloc, {"query", "OCL_DRIVER_VERSION"}, "OCL_DRIVER_VERSION");
    if (question.rfind("expand ", 0) == 0) return probeFatBuild(ocloc, question.substr(7));
    return askIds(ocloc, question.substr(4));
}

void OclocFacts::load() {
    if (loaded_ || file_.empty()) return;
    loaded_ = true;
    if (auto text = readTextFile(file_))
        for (const auto& line : split(*text, '\n'))
            if (auto tab = line.find('\t'); tab != std::string::npos)
                answers_[line.substr(0, tab)] = line.substr(tab + 1);
}

std::string OclocFacts::ask(const std::string& question) {
    load();
    if (auto it = answers_.find(question); it != answers_.end()) return it->second;
    if (deferProbes_ && question.rfind("expand ", 0) == 0) {
        deferred_.push_back(question.substr(7));
        return ""; // not remembered: the background learner answers it
    }
    std::string answer = answerOf(ocloc_, question);
    // A failed version query is not remembered: it may be a passing fault, and the version is
    // part of every cache key.
    if (question == "version" && answer.empty()) return answer;
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
    (void)writeFileAtomic(file_, text.str(),
                          Sync::No); // a store that cannot be written only costs time
}

std::string OclocFacts::version() {
    return ask("version");
}

std::optional<devices::IpVersion> OclocFacts::ipOf(const std::string& deviceName) {
    std::string answer = ask("ids " + deviceName);
    if (answer.empty() || answer.find(',') != std::string::npos) return std::nullopt;
    return devices::parseIpVersion(answer);
}

std::set<std::uint32_t> OclocFacts::idsOfAll(const std::vector<std::string>& names) {
    load();
    std::vector<std::pair<std::string, std::future<std::string>>> asked;
    for (const auto& name : names)
        if (!answers_.count("ids " + name) && name.find_first_of("\t\n") == std::string::npos)
            asked.emplace_back("ids " + name, std::async(std::launch::async, askIds, ocloc_, name));
    for (auto& [question, answer] : asked)
        answers_[question] = answer.get();
    if (!asked.empty()) save();
    std::set<std::uint32_t> ips;
    for (const auto& name : names)
        for (const auto& word : split(answers_["ids " + name], ','))
            if (auto ip = devices::parseIpVersion(word)) ips.insert(ip->value());
    return ips;
}

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

} // namespace aotpack::toolchain
