#include "toolchain/deb_source.h"

#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"

#include <algorithm>
#include <map>
#include <regex>
#include <unistd.h>

namespace aotpack::toolchain {

namespace fs = std::filesystem;

static const char* const kDebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

Expected<SourceSpec> parseSource(const std::string& text, const std::string& mirror) {
    SourceSpec spec;
    spec.text = text;
    if (text.starts_with("debian:")) {
        std::string suite = text.substr(7);
        if (suite.empty() || suite.find_first_of(" /'\"") != std::string::npos)
            return makeError(Errc::Usage, "'" + text +
                                              "': give a suite of Debian's archive, "
                                              "as debian:sid");
        std::string url = mirror;
        if (url.empty()) {
            auto host = hostDebianMirror();
            if (!host) return host.error();
            url = *host;
        }
        std::error_code ec;
        std::string signedBy = fs::exists(kDebianKeyring, ec)
                                   ? std::string(" [signed-by=") + kDebianKeyring + "]"
                                   : "";
        spec.aptLine = "deb" + signedBy + " " + url + " " + suite + " main";
        return spec;
    }
    if (text.starts_with("apt:")) {
        spec.aptLine = std::string(trim(text.substr(4)));
        if (!spec.aptLine.starts_with("deb ") || split(spec.aptLine, ' ').size() < 4)
            return makeError(Errc::Usage, "'" + text +
                                              "': give an apt source line, as "
                                              "apt:'deb URL SUITE COMPONENT'");
        return spec;
    }
    std::error_code ec;
    if (fs::is_directory(text, ec)) {
        spec.kind = SourceSpec::Kind::Directory;
        spec.path = text;
        return spec;
    }
    if (fs::is_regular_file(text, ec)) {
        spec.kind = SourceSpec::Kind::LockFile;
        spec.path = text;
        return spec;
    }
    return makeError(Errc::Usage,
                     "'" + text +
                         "' is not a toolchain source: give debian:SUITE, "
                         "apt:'deb URL SUITE COMPONENT', a directory of .debs or a lock "
                         "file");
}

// The URIs of deb822 stanzas (sources.list.d/*.sources) and one-line entries, in order, with
// whether their suites are all security or updates suites (not where Intel's packages are).
static std::vector<std::pair<std::string, bool>> aptArchives() {
    std::vector<std::pair<std::string, bool>> out;
    auto sideSuite = [](const std::string& suites) {
        for (const auto& s : split(suites, ' '))
            if (!s.empty() && s.find("-security") == std::string::npos &&
                s.find("-updates") == std::string::npos && s.find("/updates") == std::string::npos)
                return false;
        return true;
    };
    std::vector<fs::path> files = {"/etc/apt/sources.list"};
    auto parts = listDirectory("/etc/apt/sources.list.d");
    std::sort(parts.begin(), parts.end());
    files.insert(files.end(), parts.begin(), parts.end());
    static const std::regex oneLine(R"(^\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+))");
    for (const auto& file : files) {
        auto text = readTextFile(file);
        if (!text) continue;
        if (file.extension() == ".sources") {
            for (const auto& stanza :
                 split(std::regex_replace(*text, std::regex("\n\\s*\n"), "\f"), '\f')) {
                std::smatch uri, suites, types;
                if (!std::regex_search(stanza, types, std::regex(R"((^|\n)Types:.*\bdeb\b)")))
                    continue;
                if (std::regex_search(stanza, uri, std::regex(R"((^|\n)URIs:\s*(\S+))")) &&
                    std::regex_search(stanza, suites, std::regex(R"((^|\n)Suites:\s*([^\n]*))")))
                    out.emplace_back(uri[2], sideSuite(suites[2]));
            }
        } else if (file.extension() == ".list") {
            for (const auto& line : split(*text, '\n'))
                if (std::smatch m; std::regex_search(line, m, oneLine))
                    out.emplace_back(m[2], sideSuite(m[3]));
        }
    }
    return out;
}

Expected<std::string> hostDebianMirror() {
    for (const auto& [uri, side] : aptArchives())
        if (!side) return uri;
    return makeError(Errc::Usage, "the apt sources of this machine (/etc/apt/sources.list, "
                                  "/etc/apt/sources.list.d) name no Debian archive; give "
                                  "--mirror URL");
}

namespace {

struct Apt {
    fs::path state; // this source's private state directory
    std::vector<std::string> argv(const std::string& tool, std::vector<std::string> args) const {
        std::vector<std::string> out = {
            tool, "-q",
            "-o", "Dir::Etc::sourcelist=" + (state / "sources.list").string(),
            "-o", "Dir::Etc::sourceparts=-",
            "-o", "Dir::Etc::preferences=/dev/null",
            "-o", "Dir::Etc::preferencesparts=-",
            "-o", "Dir::State=" + (state / "state").string(),
            "-o", "Dir::State::status=" + (state / "status").string(),
            "-o", "Dir::Cache=" + (state / "cache").string(),
            "-o", "Debug::NoLocking=1",
            "-o", "Acquire::Retries=1",
            "-o", "APT::Install-Recommends=0"};
        if (::geteuid() == 0) { // apt drops to _apt for downloads, which cannot write our dirs
            out.push_back("-o");
            out.push_back("APT::Sandbox::User=root");
        }
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }
};

// Runs an apt tool; its output, or an error that quotes apt's own first complaint.
Expected<std::string> runApt(ProcessRunner& runner, const Apt& apt, const std::string& tool,
                             const std::vector<std::string>& args, const fs::path& cwd,
                             const std::string& what) {
    TempDir dir;
    auto r = runner.run({apt.argv(tool, args), cwd, dir.path() / "log", {}, {}}, 1800);
    if (!r) return r.error();
    std::string log = readTextFile(dir.path() / "log").value_or("");
    std::string complaint;
    for (const auto& line : split(log, '\n'))
        if (complaint.empty() &&
            (line.starts_with("E: ") || line.starts_with("W: Failed") || line.starts_with("Err:")))
            complaint = std::string(trim(line.starts_with("Err:") ? line : line.substr(3)));
    if (r->succeeded() && complaint.empty()) return log;
    if (complaint.empty()) complaint = tool + " " + r->describe();
    return makeError(Errc::FetchFailed, what + ": " + complaint);
}

Expected<Apt> prepareState(const std::string& aptLine, const fs::path& aptState) {
    Apt apt{aptState / Hasher().add("aotpack-apt-v1").add(aptLine).finish().hex()};
    std::error_code ec;
    for (const char* d : {"state/lists/partial", "cache/archives/partial"})
        fs::create_directories(apt.state / d, ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot create '" + apt.state.string() + "': " + ec.message());
    if (auto st = writeFileAtomic(apt.state / "sources.list", aptLine + "\n"); !st)
        return st.error();
    if (auto st = writeFileAtomic(apt.state / "status", std::string()); !st) return st.error();
    return apt;
}

// The compiler's packages by name: intel-ocloc[-legacy] and the IGC libraries of the same
// generation (libigcN/libigdfclN; Intel's own repositories: intel-igc-core-N/intel-igc-opencl-N).
// Legacy takes the lowest generation the index has, the current compiler the highest. A
// translator is the one package llvm-spirv-N (its libraries come with the closure).
std::vector<std::string> compilerPackages(const std::string& pkgnames, const SourceOptions& o) {
    if (o.translator) return {"llvm-spirv-" + std::to_string(o.translator)};
    std::vector<std::string> out = {o.legacy ? "intel-ocloc-legacy" : "intel-ocloc"};
    auto pick = [&](const std::string& prefix) {
        std::vector<std::pair<unsigned long long, std::string>> found;
        for (const auto& name : split(pkgnames, '\n'))
            if (name.starts_with(prefix))
                if (auto n = parseUnsigned(name.substr(prefix.size())))
                    found.emplace_back(*n, name);
        if (found.empty()) return;
        std::sort(found.begin(), found.end());
        out.push_back(o.legacy ? found.front().second : found.back().second);
    };
    pick("libigc");
    pick("intel-igc-core-");
    if (!o.spirvOnly) {
        pick("libigdfcl");
        pick("intel-igc-opencl-");
    }
    return out;
}

// NAME=VERSION of every package `apt-get install -s` would unpack on an empty system.
std::vector<std::string> closureOf(const std::string& simulation) {
    std::vector<std::string> out;
    static const std::regex inst(R"(^Inst (\S+) \((\S+) )");
    for (const auto& line : split(simulation, '\n'))
        if (std::smatch m; std::regex_search(line, m, inst))
            out.push_back(m.str(1) + "=" + m.str(2));
    return out;
}

// `apt-get download --print-uris`: 'URL' FILE SIZE SHA256:HEX per package.
std::map<std::string, DebPackage> uris(const std::string& printed) {
    std::map<std::string, DebPackage> out;
    static const std::regex line(R"(^'([^']+)' (\S+) (\d+) SHA256:([0-9a-f]{64}))");
    for (const auto& l : split(printed, '\n'))
        if (std::smatch m; std::regex_search(l, m, line)) {
            DebPackage p;
            p.url = m[1];
            p.size = parseUnsigned(m.str(3)).value_or(0);
            p.sha256 = m[4];
            out[m[2]] = p;
        }
    return out;
}

} // namespace

Expected<std::vector<LocalDeb>> fetchFromApt(const std::string& aptLine,
                                             const SourceOptions& options, const fs::path& aptState,
                                             const fs::path& downloads, ProcessRunner& runner) {
    auto apt = prepareState(aptLine, aptState);
    if (!apt) return apt.error();
    std::string where = "'" + aptLine + "'";
    if (auto r = runApt(runner, *apt, "apt-get", {"--error-on=any", "update"}, {},
                        "cannot read " + where);
        !r)
        return r.error();
    auto names = runApt(runner, *apt, "apt-cache", {"pkgnames"}, {}, "cannot list " + where);
    if (!names) return names.error();
    std::vector<std::string> args = {"install", "-s"};
    for (const auto& p : compilerPackages(*names, options))
        args.push_back(p);
    std::string what = options.translator ? "llvm-spirv-" + std::to_string(options.translator)
                                          : std::string("the compiler");
    auto simulated = runApt(runner, *apt, "apt-get", args, {}, where + " cannot provide " + what);
    if (!simulated) return simulated.error();
    std::vector<std::string> download = {"download"};
    for (const auto& p : closureOf(*simulated))
        download.push_back(p);
    std::vector<std::string> printArgs = download;
    printArgs.push_back("--print-uris");
    auto printed =
        runApt(runner, *apt, "apt-get", printArgs, downloads, "cannot download from " + where);
    if (!printed) return printed.error();
    if (auto r =
            runApt(runner, *apt, "apt-get", download, downloads, "cannot download from " + where);
        !r)
        return r.error();
    std::vector<LocalDeb> out;
    for (auto& [file, pin] : uris(*printed)) {
        auto [name, rest] =
            std::pair(file.substr(0, file.find('_')), file.substr(file.find('_') + 1));
        pin.name = name;
        pin.version = rest.substr(0, rest.find('_'));
        for (std::size_t at; (at = pin.version.find("%3a")) != std::string::npos;)
            pin.version.replace(at, 3, ":"); // an epoch, as apt writes it into file names
        out.push_back({pin, downloads / file});
    }
    return out;
}

Expected<std::vector<LocalDeb>> debsInDirectory(const fs::path& dir, const SourceOptions& options) {
    std::vector<LocalDeb> out;
    for (const auto& file : listDirectory(dir)) {
        std::string name = file.filename().string();
        if (file.extension() != ".deb") continue;
        if (options.spirvOnly &&
            (name.starts_with("libigdfcl") || name.starts_with("intel-igc-opencl")))
            continue;
        out.push_back({{}, file});
    }
    if (out.empty()) return makeError(Errc::BadInput, "'" + dir.string() + "' holds no .deb files");
    std::sort(out.begin(), out.end(),
              [](const LocalDeb& a, const LocalDeb& b) { return a.file < b.file; });
    return out;
}

} // namespace aotpack::toolchain
