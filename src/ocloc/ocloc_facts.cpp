#include "ocloc/ocloc_facts.h"

#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "devices/compiler_support.h"

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

std::string OclocFacts::ask(const std::string& question) {
    if (!loaded_ && !file_.empty()) {
        loaded_ = true;
        if (auto text = readTextFile(file_))
            for (const auto& line : split(*text, '\n'))
                if (auto tab = line.find('\t'); tab != std::string::npos)
                    answers_[line.substr(0, tab)] = line.substr(tab + 1);
    }
    if (auto it = answers_.find(question); it != answers_.end()) return it->second;
    std::string answer;
    if (question == "version") {
        answer = runOcloc(ocloc_, {"query", "OCL_DRIVER_VERSION"}, "OCL_DRIVER_VERSION");
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
