#include "compile/depfile.h"

#include "common/text.h"

#include <set>

namespace aotpack::compile {
namespace fs = std::filesystem;

namespace {

std::string escape(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (c == ' ' || c == '#') out += '\\';
        if (c == '$') out += '$';
        out += c;
    }
    return out;
}

} // namespace

toolchain::DependencyScan dependencyScan(const BuildSetup& setup, const ModuleInput& in) {
    std::string options = setup.compile.clOptions;
    if (!in.options.empty()) options += (options.empty() ? "" : " ") + in.options;
    return {in.path, in.path.parent_path(), options};
}

Status writeDepfile(const BuildSetup& setup, const std::vector<ModuleInput>& inputs,
                    BuildObserver& observer) {
    std::set<std::string> deps;
    std::error_code ec; // fs::absolute fails only without a current directory: keep the path
    auto absolute = [&ec](const fs::path& p) {
        fs::path a = fs::absolute(p, ec);
        return ec ? p : a;
    };
    for (const auto& extra : setup.output.extraDependencies)
        deps.insert(absolute(extra).string());
    std::vector<const ModuleInput*> scanned;
    std::vector<toolchain::DependencyScan> scans;
    for (const auto& in : inputs) {
        deps.insert(in.path.string());
        if (in.kind != SourceKind::OpenClC) continue;
        scanned.push_back(&in);
        scans.push_back(dependencyScan(setup, in));
    }
    auto found = setup.compiler->listDependencies(scans, setup.jobs);
    for (std::size_t i = 0; i < scanned.size(); ++i) {
        if (found[i]) {
            deps.insert(found[i]->begin(), found[i]->end());
            continue;
        }
        observer.warning("module '" + scanned[i]->name +
                         "': cannot list its headers for --depfile (" + found[i].error().message +
                         "); only the source is listed");
    }
    std::string rule = escape(absolute(setup.output.archive).string()) + ":";
    for (const auto& d : deps)
        rule += " \\\n  " + escape(d);
    return writeFileAtomic(setup.output.depfile, rule + "\n");
}

} // namespace aotpack::compile
