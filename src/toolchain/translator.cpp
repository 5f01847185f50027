#include "toolchain/translator.h"

#include "common/subprocess.h"
#include "common/text.h"
#include "foreign/bitcode_producer.h"
#include "toolchain/store.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

namespace aotpack::toolchain {

namespace fs = std::filesystem;

namespace {

constexpr int kNewestLlvm = 40, kOldestLlvm = 10;

bool isExecutable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) &&
           (fs::status(p, ec).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

// The first lines a translator printed (its log), for the error message.
std::string firstLine(const fs::path& log) {
    std::ifstream in(log);
    std::string line;
    std::getline(in, line);
    return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

// How to get a translator for LLVM `major` (0: not known): Debian 12 has llvm-spirv-14 and -15,
// Debian's development suite the newer ones (debian:sid into the store).
std::string addHint(int major) {
    return "aotpack toolchain add debian:sid --translator " +
           (major ? std::to_string(major) : std::string("N"));
}

// Runs `t` on dir/image.bc into dir/image.spv (its log in dir/log.txt). Every extension the
// translator knows, except SPV_KHR_untyped_pointers (2024): the translators of LLVM 20 and later
// use it when allowed, and neither Debian 12's IGC nor its SPIRV-Tools read it (DPC++'s own
// driver leaves it out too). A translator older than that extension rejects its name: it is run
// again with every extension.
bool translates(const Translator& t, const fs::path& dir) {
    for (const char* extensions :
         {"--spirv-ext=+all,-SPV_KHR_untyped_pointers", "--spirv-ext=+all"}) {
        ProcessSpec spec{{t.path.string(), "image.bc", extensions, "-o", "image.spv"},
                         dir,
                         dir / "log.txt",
                         {},
                         {}};
        auto run = runProcess(spec, /*timeoutSeconds=*/600);
        if (run && run->succeeded()) return true;
        auto log = readTextFile(dir / "log.txt");
        if (!log || log->find("Unknown extension") == std::string::npos) return false;
    }
    return false;
}

} // namespace

std::vector<Translator> availableTranslators() {
    std::vector<Translator> out;
    std::set<fs::path> seen;
    auto add = [&](const fs::path& p, int version, const std::string& name = "") {
        std::error_code ec;
        fs::path real = fs::canonical(p, ec);
        if (!ec && isExecutable(real) && seen.insert(real).second)
            out.push_back({p, version, name.empty() ? p.filename().string() : name});
    };
    if (const char* env = std::getenv("AOTPACK_LLVM_SPIRV"); env && *env) add(env, 0);
    // The store's (pinned) before the host's of the same release.
    auto pinned = ToolchainStore(ToolchainStore::defaultDir()).translators();
    for (int v = kNewestLlvm; v >= kOldestLlvm; --v) {
        for (const auto& t : pinned)
            if (t.translatorLlvm == v) add(t.translator, v, t.id);
        fs::path onPath = findExecutable("llvm-spirv-" + std::to_string(v));
        if (onPath.has_parent_path()) add(onPath, v);
        add("/usr/lib/llvm-" + std::to_string(v) + "/bin/llvm-spirv", v);
    }
    return out;
}

Expected<Bytes> translateBitcode(ByteView bitcode, const std::vector<Translator>& translators) {
    // A translator older than the bitcode's LLVM cannot read it: those are not tried.
    auto producer = foreign::bitcodeProducer(bitcode);
    int major = producer ? foreign::llvmMajorOf(*producer).value_or(0) : 0; // 0: not known
    std::string wrote = producer ? " (written by " + *producer + ")" : "";
    std::string needed = major ? "llvm-spirv-" + std::to_string(major) + " or newer"
                               : "llvm-spirv of the LLVM release that wrote it, or newer";
    std::vector<std::string> tried;
    std::string newestSaid;
    TempDir tmp;
    if (auto st = writeFileAtomic(tmp.path() / "image.bc", bitcode); !st) return st.error();
    for (const auto& t : translators) {
        if (t.llvmVersion != 0 && t.llvmVersion < major) continue;
        if (translates(t, tmp.path())) return readFile(tmp.path() / "image.spv");
        tried.push_back(t.name.empty() ? t.path.filename().string() : t.name);
        if (newestSaid.empty()) newestSaid = firstLine(tmp.path() / "log.txt");
    }
    if (tried.empty())
        return makeError(Errc::NotFound,
                         "no LLVM-to-SPIR-V translator here reads this LLVM bitcode" + wrote +
                             ": it needs " + needed + " (" + addHint(major) +
                             ", or set AOTPACK_LLVM_SPIRV)");
    return makeError(Errc::BadInput, "no translator here reads this LLVM bitcode" + wrote +
                                         " (tried " + join(tried, ", ") + "; the newest said: " +
                                         newestSaid + "): it needs " + needed);
}

std::function<Expected<Bytes>(ByteView)> localBitcodeTranslator() {
    auto found = std::make_shared<std::optional<std::vector<Translator>>>();
    return [found](ByteView bitcode) {
        if (!*found) *found = availableTranslators();
        return translateBitcode(bitcode, **found);
    };
}

} // namespace aotpack::toolchain
