#include "compile/depfile.h"

#include "common/subprocess.h"
#include "common/text.h"
#include "compile/process_pool.h"

#include <cstdlib>
#include <set>

namespace aotpack::compile {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    for (auto& w : split(text, ' '))
        if (!trim(w).empty()) out.emplace_back(trim(w));
    return out;
}

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

PoolTask headerScan(const BuildContext& ctx, const ModuleInput& in, const fs::path& log) {
    std::vector<std::string> argv = {envOr("AOTPACK_CLANG", "clang"),
                                     "-x",
                                     "cl",
                                     "-cl-std=CL2.0",
                                     "-Xclang",
                                     "-finclude-default-header",
                                     "-M",
                                     "-MT",
                                     "x",
                                     "-I",
                                     in.path.parent_path().string()};
    for (const std::string* options : {&ctx.request.clOptions, &in.options})
        for (auto& w : words(*options))
            argv.push_back(w);
    argv.push_back(in.path.string());
    PoolTask task;
    task.spec = {argv, {}, log, {}, {}};
    task.timeoutSeconds = 120;
    return task;
}

// "x: a.cl b.h \\\n  c.h" -> {a.cl, b.h, c.h}; paths with spaces are escaped as "\ ".
void parseMakeRule(const std::string& text, std::set<std::string>& deps) {
    auto colon = text.find(": ");
    if (colon == std::string::npos) return;
    std::string current;
    for (std::size_t i = colon + 2; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size() && text[i + 1] == ' ') {
            current += ' ';
            ++i;
        } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
            ++i;
        } else if (c == ' ' || c == '\n') {
            if (!current.empty()) deps.insert(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) deps.insert(current);
}

Status writeDepfile(BuildContext& ctx, const std::vector<ModuleInput>& inputs) {
    std::set<std::string> deps;
    std::error_code ec; // fs::absolute fails only without a current directory: keep the path
    auto absolute = [&ec](const fs::path& p) {
        fs::path a = fs::absolute(p, ec);
        return ec ? p : a;
    };
    for (const auto& extra : ctx.request.extraDependencies)
        deps.insert(absolute(extra).string());
    std::vector<PoolTask> tasks;
    std::vector<fs::path> logs;
    for (const auto& in : inputs) {
        deps.insert(in.path.string());
        if (in.kind != SourceKind::OpenClC) continue;
        logs.push_back(ctx.scratch->path() / ("deps-" + in.name));
        tasks.push_back(headerScan(ctx, in, logs.back()));
        tasks.back().onFinish = [&ctx, &deps, log = logs.back(),
                                 name = in.name](Expected<ProcessResult> r) {
            if (r && r->succeeded()) {
                parseMakeRule(readTextFile(log).value_or(""), deps);
                return;
            }
            ctx.observer.warning("module '" + name + "': cannot list its headers for --depfile (" +
                                 (r ? r->describe() : r.error().message) +
                                 "); only the source is listed");
        };
    }
    runPool(tasks, {ctx.jobs, 0, {}});
    std::string rule = escape(absolute(ctx.request.output).string()) + ":";
    for (const auto& d : deps)
        rule += " \\\n  " + escape(d);
    return writeFileAtomic(ctx.request.depfile, rule + "\n");
}

} // namespace aotpack::compile
