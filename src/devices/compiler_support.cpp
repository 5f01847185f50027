#include "devices/compiler_support.h"

#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"

#include <cstdlib>
#include <future>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack::devices {
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

bool inBundleWithoutOpenClC() {
    std::error_code ec;
    fs::path manifest = fs::canonical("/proc/self/exe", ec).parent_path() / "../MANIFEST";
    auto text = readTextFile(manifest);
    return text && text->starts_with("aotpack bundle\n") &&
           text->find(std::string("\n") + kNoOpenClCLine + "\n") != std::string::npos;
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

static Expected<std::string> queryVersion(const fs::path& ocloc, const fs::path& dir) {
    auto run =
        runProcess({{ocloc.string(), "query", "OCL_DRIVER_VERSION"}, dir, dir / "log", {}, {}}, 60);
    if (!run) return run.error();
    auto text = readTextFile(dir / "OCL_DRIVER_VERSION");
    if (!run->succeeded() || !text)
        return makeError(Errc::Unsupported, "'" + ocloc.string() +
                                                " query OCL_DRIVER_VERSION' failed (" +
                                                run->describe() + ")");
    return std::string(trim(text->c_str())); // the file holds a NUL-terminated string
}

static void addMatchedIds(const std::string& log, std::set<std::uint32_t>& out) {
    for (const auto& line : split(log, '\n'))
        if (auto ip = parseIpVersion(trim(line))) out.insert(ip->value());
}

// The size and modification time of ocloc and IGC, so that an upgraded compiler changes cache keys
// even if its version string did not.
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

static std::vector<std::string> groupNames(const Database& db) {
    std::vector<std::string> groups;
    for (const auto& f : db.families())
        groups.push_back(f.name);
    for (const auto& r : db.releases()) {
        groups.push_back(r.name);
        groups.insert(groups.end(), r.aliases.begin(), r.aliases.end());
    }
    return groups;
}

// The remembered answer: "<version>\n<ip value> <ip value> ...\n".
static fs::path memoFile(const fs::path& dir, const fs::path& ocloc,
                         const std::vector<std::string>& groups) {
    // ocloc's own stat to the nanosecond: tests rewrite stand-in scripts within one second.
    struct stat st {};
    ::stat(ocloc.c_str(), &st);
    std::string exact = std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
                        std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec);
    Hasher h;
    h.add("aotpack-compiler-support-v1").add(ocloc.string()).add(exact).add(compilerStamp(ocloc));
    for (const auto& g : groups)
        h.add(g);
    return dir / "compilers" / h.finish().hex();
}

static std::optional<CompilerSupport> readMemo(const fs::path& file, const fs::path& ocloc) {
    auto text = readTextFile(file);
    if (!text) return std::nullopt;
    auto lines = split(*text, '\n');
    if (lines.size() < 2 || lines[0].empty()) return std::nullopt;
    CompilerSupport info{ocloc, lines[0], "", {}};
    for (const auto& word : split(lines[1], ' '))
        if (auto v = parseUnsigned(word); v && *v <= 0xffffffffu)
            info.ipValues.insert(static_cast<std::uint32_t>(*v));
        else if (!word.empty())
            return std::nullopt;
    info.identity = "ocloc " + info.version + " " + compilerStamp(ocloc);
    return info;
}

static void writeMemo(const fs::path& file, const CompilerSupport& info) {
    std::string text = info.version + "\n";
    for (auto ip : info.ipValues)
        text += std::to_string(ip) + " ";
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    (void)writeFileAtomic(file, text + "\n", Sync::No);
}

// `ocloc ids <group>` for every family and release, all at once: each is a few milliseconds of
// process start, and one after the other they were 0.2 s of every build on a fresh cache. An
// answer is the command's output, or empty if this ocloc does not know the name.
static std::vector<std::future<std::string>>
askIdsOfEveryGroup(const fs::path& ocloc, const std::vector<std::string>& groups,
                   const fs::path& dir) {
    std::vector<std::future<std::string>> answers;
    for (std::size_t i = 0; i < groups.size(); ++i)
        answers.push_back(std::async(std::launch::async, [ocloc, group = groups[i], dir, i] {
            fs::path out = dir / ("ids-" + std::to_string(i));
            auto run = runProcess({{ocloc.string(), "ids", group}, dir, out, {}, {}}, 60);
            if (!run || !run->succeeded()) return std::string();
            return readTextFile(out).value_or("");
        }));
    return answers;
}

Expected<CompilerSupport> probeCompiler(const Database& db, const fs::path& oclocPath,
                                        const fs::path& rememberIn) {
    CompilerSupport info;
    info.ocloc = findRealOcloc(oclocPath);
    if (info.ocloc.empty())
        return makeError(
            Errc::Unsupported,
            "ocloc not found on PATH (install Debian's intel-opencl-icd, or set AOTPACK_OCLOC)");
    std::vector<std::string> groups = groupNames(db);
    fs::path memo = rememberIn.empty() ? fs::path() : memoFile(rememberIn, info.ocloc, groups);
    if (!memo.empty())
        if (auto known = readMemo(memo, info.ocloc)) return *known;
    TempDir dir;
    auto answers = askIdsOfEveryGroup(info.ocloc, groups, dir.path());
    auto version = queryVersion(info.ocloc, dir.path());
    if (!version) return version.error();
    info.version = *version;
    for (auto& answer : answers)
        addMatchedIds(answer.get(), info.ipValues);
    info.identity = "ocloc " + info.version + " " + compilerStamp(info.ocloc);
    if (!memo.empty()) writeMemo(memo, info);
    return info;
}

Error unsupportedTarget(const CompilerSupport& compiler, const std::string& target, IpVersion ip) {
    return makeError(Errc::Unsupported,
                     "target '" + target + "' (" + ip.str() +
                         ") is known, but the installed ocloc " + compiler.version + " (" +
                         compiler.ocloc.string() +
                         ") cannot build it; a newer intel-opencl-icd is needed");
}

} // namespace aotpack::devices
