#include "toolchain/compiler_support.h"

#include "common/file_io.h"
#include "toolchain/ocloc_facts.h"

namespace aotpack::toolchain {
namespace fs = std::filesystem;

bool inBundleWithoutOpenClC() {
    std::error_code ec;
    fs::path manifest = fs::canonical("/proc/self/exe", ec).parent_path() / "../MANIFEST";
    auto text = readTextFile(manifest);
    return text && text->starts_with("aotpack bundle\n") &&
           text->find(std::string("\n") + kNoOpenClCLine + "\n") != std::string::npos;
}

static std::vector<std::string> groupNames(const devices::Database& db) {
    std::vector<std::string> groups;
    for (const auto& f : db.families())
        groups.push_back(f.name);
    for (const auto& r : db.releases()) {
        groups.push_back(r.name);
        groups.insert(groups.end(), r.aliases.begin(), r.aliases.end());
    }
    return groups;
}

Expected<CompilerSupport> probeCompiler(const devices::Database& db, const fs::path& oclocPath,
                                        const fs::path& factsStore) {
    CompilerSupport info;
    info.ocloc = findRealOcloc(oclocPath);
    if (info.ocloc.empty())
        return makeError(
            Errc::Unsupported,
            "ocloc not found on PATH (install Debian's intel-opencl-icd, or set AOTPACK_OCLOC)");
    OclocFacts facts(info.ocloc, factsStore);
    info.version = facts.version();
    if (info.version.empty())
        return makeError(Errc::Unsupported,
                         "'" + info.ocloc.string() + " query OCL_DRIVER_VERSION' failed");
    info.identity = facts.identity();
    info.ipValues = facts.idsOfAll(groupNames(db));
    return info;
}

Error unsupportedTarget(const CompilerSupport& compiler, const std::string& target,
                        devices::IpVersion ip) {
    return makeError(Errc::Unsupported,
                     "target '" + target + "' (" + ip.str() +
                         ") is known, but the installed ocloc " + compiler.version + " (" +
                         compiler.ocloc.string() +
                         ") cannot build it; a newer intel-opencl-icd is needed");
}

} // namespace aotpack::toolchain
