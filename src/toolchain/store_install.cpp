// ToolchainStore::install: check the .debs against their pins, unpack them into a temporary
// directory, write the bin/ocloc (bin/llvm-spirv) launcher, ask the new ocloc what it builds (or
// check that the translator runs), rename into place.
#include "common/file_io.h"
#include "common/hash.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "crypto/sha256.h"
#include "toolchain/lock.h"
#include "toolchain/ocloc_facts.h"
#include "toolchain/store.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <unistd.h>

namespace aotpack::toolchain {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// `dpkg-deb ARGS...`; its output, or an error naming the .deb.
Expected<std::string> dpkgDeb(const std::vector<std::string>& args, const fs::path& deb) {
    TempDir dir;
    std::vector<std::string> argv = {"dpkg-deb"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = runProcess({argv, {}, dir.path() / "log", {}, {}}, 600);
    std::string log = readTextFile(dir.path() / "log").value_or("");
    if (!r) return r.error();
    if (!r->succeeded())
        return makeError(Errc::BadInput, "'" + deb.string() + "' is not a valid .deb: " +
                                             std::string(trim(split(log, '\n').front())));
    return log;
}

// The pin of each .deb checked (SHA-256 and size); name and version read from an unpinned one.
Expected<std::vector<DebPackage>> checkPins(const std::vector<LocalDeb>& debs) {
    std::vector<DebPackage> out;
    for (const auto& deb : debs) {
        auto bytes = readFile(deb.file);
        if (!bytes) return makeError(Errc::BadInput, bytes.error().message);
        DebPackage p = deb.pin;
        std::string sha = sha256Hex(*bytes);
        if (!p.sha256.empty() && p.sha256 != sha)
            return makeError(Errc::BadInput, "'" + deb.file.string() + "' (" + p.name + " " +
                                                 p.version + ") has SHA-256 " + sha +
                                                 ", but its lock pins " + p.sha256);
        if (p.name.empty() || p.version.empty()) {
            auto fields = dpkgDeb({"-f", deb.file.string(), "Package", "Version"}, deb.file);
            if (!fields) return fields.error();
            for (const auto& line : split(*fields, '\n')) {
                if (line.starts_with("Package: ")) p.name = trim(line.substr(9));
                if (line.starts_with("Version: ")) p.version = trim(line.substr(9));
            }
        }
        p.sha256 = sha;
        p.size = bytes->size();
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(),
              [](const DebPackage& a, const DebPackage& b) { return a.name < b.name; });
    return out;
}

// "26.27.39122.14-1" -> "26.27.39122.14"; "1:1.3-4" -> "1.3".
std::string upstreamVersion(std::string v) {
    if (auto colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
    if (auto dash = v.rfind('-'); dash != std::string::npos) v = v.substr(0, dash);
    if (auto plus = v.find('+'); plus != std::string::npos) v = v.substr(0, plus);
    return v;
}

const DebPackage* packageNamed(const std::vector<DebPackage>& packages, const std::string& prefix) {
    for (const auto& p : packages)
        if (p.name.starts_with(prefix)) return &p;
    return nullptr;
}

// The toolchain's id part that the packages decide: a hash of every name, version and SHA-256.
std::string packagesHash(const std::vector<DebPackage>& packages) {
    Hasher h;
    h.add("aotpack-toolchain-v1");
    for (const auto& p : packages)
        h.add(p.name).add(p.version).add(p.sha256);
    return h.finish().hex().substr(0, 12);
}

// N of a package named llvm-spirv-N (Debian's translator packages); 0 for any other.
int translatorRelease(const DebPackage* p) {
    constexpr std::string_view prefix = "llvm-spirv-";
    if (!p || !p->name.starts_with(prefix)) return 0;
    return static_cast<int>(parseUnsigned(p->name.substr(prefix.size())).value_or(0));
}

// llvm-spirv-N: a translator toolchain, "llvm-spirv-22-<hash>".
Toolchain describeTranslator(const DebPackage& tool, const std::vector<DebPackage>& packages) {
    Toolchain t;
    t.translatorLlvm = translatorRelease(&tool);
    t.translatorVersion = upstreamVersion(tool.version);
    t.id = tool.name + "-" + packagesHash(packages);
    return t;
}

// What the packages make: an ocloc package (its version), IGC's, legacy or not, a frontend or not;
// or a translator.
Expected<Toolchain> describe(const std::vector<DebPackage>& packages, const std::string& source) {
    Toolchain t;
    const DebPackage* ocloc = packageNamed(packages, "intel-ocloc");
    const DebPackage* translator = packageNamed(packages, "llvm-spirv-");
    if (!ocloc && translatorRelease(translator)) {
        t = describeTranslator(*translator, packages);
    } else if (!ocloc) {
        return makeError(Errc::BadInput, "'" + source +
                                             "' has no intel-ocloc, intel-ocloc-legacy or "
                                             "llvm-spirv-N package");
    } else {
        t.oclocVersion = upstreamVersion(ocloc->version);
        t.legacy = ocloc->name.find("legacy") != std::string::npos;
        if (const DebPackage* igc = packageNamed(packages, "libigc"))
            t.igcVersion = upstreamVersion(igc->version);
        else if (const DebPackage* core = packageNamed(packages, "intel-igc-core"))
            t.igcVersion = upstreamVersion(core->version);
        t.spirvOnly =
            !packageNamed(packages, "libigdfcl") && !packageNamed(packages, "intel-igc-opencl");
        auto parts = split(t.oclocVersion, '.'); // "26.27.39122.14" -> "26.27.39122"
        parts.resize(std::min<std::size_t>(parts.size(), 3));
        t.id = std::string("ocloc-") + (t.legacy ? "legacy-" : "") + join(parts, ".") + "-" +
               packagesHash(packages);
    }
    t.source = source;
    t.packages = packages;
    return t;
}

// The first file under `root` whose name satisfies `match`, relative to root.
fs::path findUnder(const fs::path& root, const std::function<bool(const fs::path&)>& match) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (match(it->path())) return fs::relative(it->path(), root, ec);
    return {};
}

struct Layout {
    fs::path tool; // ocloc or llvm-spirv, relative to the toolchain's directory
    fs::path loader, libocloc;
    std::vector<std::string> libraryDirs;
};

// The tool the packages exist for: ocloc in usr/bin, or llvm-spirv (Debian: usr/lib/llvm-N/bin,
// with usr/bin/llvm-spirv-N a symlink to it).
fs::path findTool(const fs::path& root, const Toolchain& t) {
    std::string versioned = "llvm-spirv-" + std::to_string(t.translatorLlvm);
    auto isTool = [&](const fs::path& p) {
        std::error_code ec;
        std::string name = p.filename().string();
        bool named = t.isTranslator() ? name == "llvm-spirv" || name == versioned
                                      : name.starts_with("ocloc");
        return named && !fs::is_symlink(p, ec) && fs::is_regular_file(p, ec);
    };
    fs::path under = t.isTranslator() ? root / "usr" : root / "usr/bin";
    fs::path found = findUnder(under, isTool);
    return found.empty() ? found : fs::relative(under, root.parent_path()) / found;
}

Expected<Layout> findLayout(const fs::path& dir, const Toolchain& t) {
    Layout l;
    fs::path root = dir / "root";
    l.tool = findTool(root, t);
    if (l.tool.empty())
        return makeError(Errc::BadInput,
                         std::string("the packages hold no ") +
                             (t.isTranslator() ? "llvm-spirv executable" : "ocloc executable") +
                             " in usr/");
    fs::path loader =
        findUnder(root, [](const fs::path& p) { return p.filename() == "ld-linux-x86-64.so.2"; });
    // Without its own C library (a directory of Intel's .debs) it runs with the host's loader.
    l.loader = loader.empty() ? fs::path("/lib64/ld-linux-x86-64.so.2") : "root" / loader;
    for (const char* d :
         {"usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu", "usr/lib", "usr/local/lib"})
        if (std::error_code ec; fs::is_directory(root / d, ec))
            l.libraryDirs.push_back(std::string("root/") + d);
    fs::path lib = findUnder(root, [](const fs::path& p) {
        std::string n = p.filename().string();
        return n.starts_with("libocloc") && n.find(".so") != std::string::npos;
    });
    if (!lib.empty()) l.libocloc = "root" / lib;
    return l;
}

// bin/ocloc (bin/llvm-spirv): the toolchain's tool through its own loader, found relative to the
// script, so the directory can be renamed into place (and a store moved) without rewriting it.
std::string launcherScript(const Toolchain& t, const Layout& l) {
    auto rel = [](const fs::path& p) { return p.is_absolute() ? p.string() : "$t/" + p.string(); };
    std::vector<std::string> libs;
    for (const auto& d : l.libraryDirs)
        libs.push_back("$t/" + d);
    std::string what =
        t.isTranslator() ? "llvm-spirv " + t.translatorVersion : "ocloc " + t.oclocVersion;
    return "#!/bin/sh\n"
           "# " +
           what + " of aotpack toolchain " + t.id +
           ", run with its own loader and libraries.\n"
           "case $0 in */*) t=${0%/*}/.. ;; *) t=.. ;; esac\n"
           "exec \"" +
           rel(l.loader) + "\" --library-path \"" + join(libs, ":") + "\" \"" + rel(l.tool) +
           "\" \"$@\"\n";
}

std::uint64_t treeSize(const fs::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
    return total;
}

json manifestOf(const Toolchain& t, const Layout& l) {
    json manifest = describeJson(t);
    manifest["format"] = "aotpack-toolchain/1";
    manifest["ips"] = t.ipValues;
    manifest[t.isTranslator() ? "translator" : "ocloc"] = l.tool.string();
    manifest["loader"] = l.loader.string();
    manifest["library_dirs"] = l.libraryDirs;
    manifest["libocloc"] = l.libocloc.string();
    return manifest;
}

std::vector<std::string> groupNames(const devices::Database& db) {
    std::vector<std::string> groups;
    for (const auto& f : db.families())
        groups.push_back(f.name);
    for (const auto& r : db.releases())
        groups.push_back(r.name);
    return groups;
}

// What the new tool says about itself: an ocloc the IPs it builds, a translator that it runs.
Status probeTool(const fs::path& launcher, Toolchain& t, const devices::Database& db) {
    if (t.isTranslator()) {
        TempDir dir;
        auto run = runProcess({{launcher.string(), "--version"}, {}, dir.path() / "log", {}, {}},
                              /*timeoutSeconds=*/120);
        if (run && run->succeeded()) return success();
        return makeError(Errc::Unsupported, "the llvm-spirv of toolchain " + t.id +
                                                " does not run on this machine ('" +
                                                launcher.string() + " --version' failed)");
    }
    OclocFacts facts(launcher, {});
    if (facts.version().empty())
        return makeError(Errc::Unsupported,
                         "the ocloc of toolchain " + t.id + " does not run on this machine ('" +
                             launcher.string() + " query OCL_DRIVER_VERSION' failed)");
    t.ipValues = facts.idsOfAll(groupNames(db));
    return success();
}

// Unpacks, writes the launcher, asks the new tool what it is and writes the manifest.
Status populate(const fs::path& tmp, Toolchain& t, const std::vector<LocalDeb>& debs,
                const devices::Database& db) {
    for (const auto& deb : debs)
        if (auto r = dpkgDeb({"-x", deb.file.string(), (tmp / "root").string()}, deb.file); !r)
            return r.error();
    auto layout = findLayout(tmp, t);
    if (!layout) return layout.error();
    std::error_code ec;
    fs::create_directories(tmp / "bin", ec);
    fs::path launcher = tmp / "bin" / (t.isTranslator() ? "llvm-spirv" : "ocloc");
    if (auto st = writeFileAtomic(launcher, launcherScript(t, *layout), Sync::No, 0755); !st)
        return st;
    if (auto st = probeTool(launcher, t, db); !st) return st;
    t.sizeBytes = treeSize(tmp / "root");
    return writeFileAtomic(tmp / "toolchain.json", manifestOf(t, *layout).dump(2) + "\n");
}

void removeStaleTemporaries(const fs::path& store) {
    std::error_code ec;
    for (const auto& entry : listDirectory(store)) {
        std::string name = entry.filename().string();
        if (!name.starts_with(".adding-") && !name.starts_with(".removing-")) continue;
        // Another add may be using it right now: only ones older than a day go.
        auto age = fs::file_time_type::clock::now() - fs::last_write_time(entry, ec);
        if (!ec && age > std::chrono::hours(24)) fs::remove_all(entry, ec);
    }
}

// Keeps each .deb in debs/<sha256>.deb (a hard link where it can), for offline adds and publish.
void keepDebs(const fs::path& debCache, const std::vector<LocalDeb>& debs) {
    std::error_code ec;
    fs::create_directories(debCache, ec);
    for (const auto& deb : debs) {
        auto bytes = readFile(deb.file);
        if (!bytes) continue;
        fs::path target = debCache / (sha256Hex(*bytes) + ".deb");
        if (fs::exists(target, ec)) continue;
        fs::create_hard_link(deb.file, target, ec);
        if (ec) (void)writeFileAtomic(target, *bytes, 0644, Sync::No);
    }
}

} // namespace

Expected<Toolchain> ToolchainStore::install(const std::vector<LocalDeb>& debs,
                                            const std::string& source,
                                            const devices::Database& db) const {
    auto pins = checkPins(debs);
    if (!pins) return pins.error();
    auto t = describe(*pins, source);
    if (!t) return t.error();
    fs::path final = dir_ / t->id;
    if (auto existing = loadToolchain(final)) return *existing;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    removeStaleTemporaries(dir_);
    fs::path tmp = dir_ / (".adding-" + t->id + "-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::random_device{}()));
    fs::create_directories(tmp / "root", ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + tmp.string() + "': " + ec.message());
    if (auto st = populate(tmp, *t, debs, db); !st) {
        fs::remove_all(tmp, ec);
        return st.error();
    }
    keepDebs(debCache(), debs);
    fs::rename(tmp, final, ec);
    if (ec) { // a concurrent add of the same toolchain got there first: theirs is the same
        fs::remove_all(tmp, ec);
        if (auto existing = loadToolchain(final)) return *existing;
        return makeError(Errc::Output, "cannot move the toolchain into '" + final.string() + "'");
    }
    return loadToolchain(final);
}

} // namespace aotpack::toolchain
