#include "compile/inputs.h"

#include "archive/module_name.h"
#include "common/build_manifest.h"
#include "common/file_io.h"
#include "common/text.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace aotpack::compile {
namespace fs = std::filesystem;

static std::optional<SourceKind> kindOf(const fs::path& p) {
    if (p.extension() == ".spv") return SourceKind::Spirv;
    if (p.extension() == ".cl") return SourceKind::OpenClC;
    return std::nullopt;
}

static Expected<ModuleInput> fileInput(const fs::path& path) {
    auto kind = kindOf(path);
    if (!kind)
        return makeError(Errc::BadInput, "input '" + path.string() + "' is neither .spv nor .cl");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return makeError(Errc::BadInput, "input '" + path.string() + "' does not exist");
    fs::path absolute = fs::absolute(path, ec);
    if (ec) return makeError(Errc::BadInput, "input '" + path.string() + "': " + ec.message());
    return ModuleInput{path.stem().string(), absolute, *kind, ""};
}

Expected<std::vector<ModuleInput>> collectInputs(const std::vector<std::string>& paths) {
    std::vector<ModuleInput> modules;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec) &&
            fs::is_regular_file(fs::path(p) / kCaptureManifestFile, ec)) {
            auto captured = readManifest(fs::path(p) / kCaptureManifestFile); // aotpack capture
            if (!captured) return captured.error();
            modules.insert(modules.end(), captured->begin(), captured->end());
            continue;
        }
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> files;
            for (const auto& entry : listDirectory(p))
                if (fs::is_regular_file(entry, ec) && kindOf(entry)) files.push_back(entry);
            std::sort(files.begin(), files.end());
            if (files.empty())
                return makeError(Errc::BadInput,
                                 "directory '" + p + "' holds no .spv or .cl files");
            for (const auto& f : files)
                modules.push_back(*fileInput(f));
            continue;
        }
        auto input = fileInput(p);
        if (!input) return input.error();
        modules.push_back(*input);
    }
    return modules;
}

static Expected<ModuleInput> manifestModule(const nlohmann::json& m, const fs::path& base,
                                            const std::string& where) {
    if (!m.is_object() || !m.contains("source") || !m["source"].is_string())
        return makeError(Errc::BadInput, where + ": each module needs a \"source\" string");
    auto input = fileInput(base / m["source"].get<std::string>());
    if (!input) return makeError(Errc::BadInput, where + ": " + input.error().message);
    if (m.contains("name")) {
        if (!m["name"].is_string())
            return makeError(Errc::BadInput, where + ": \"name\" must be a string");
        input->name = m["name"].get<std::string>();
    }
    if (m.contains("options")) {
        if (!m["options"].is_string())
            return makeError(Errc::BadInput, where + ": \"options\" must be a string");
        input->options = m["options"].get<std::string>();
    }
    return input;
}

Expected<std::vector<ModuleInput>> readManifest(const fs::path& manifest) {
    auto text = readTextFile(manifest);
    if (!text) return text.error();
    return parseManifest(*text, manifest);
}

Expected<std::vector<ModuleInput>> parseManifest(std::string_view text, const fs::path& manifest) {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    std::string where = "manifest '" + manifest.string() + "'";
    if (doc.is_discarded()) return makeError(Errc::BadInput, where + " is not valid JSON");
    if (!doc.is_object() || !doc.contains("modules") || !doc["modules"].is_array())
        return makeError(Errc::BadInput, where + " needs a \"modules\" array");
    std::vector<ModuleInput> modules;
    fs::path base = manifest.has_parent_path() ? manifest.parent_path() : fs::path(".");
    for (std::size_t i = 0; i < doc["modules"].size(); ++i) {
        auto m =
            manifestModule(doc["modules"][i], base, where + " module " + std::to_string(i + 1));
        if (!m) return m.error();
        modules.push_back(*m);
    }
    return modules;
}

Status checkModules(std::vector<ModuleInput>& modules) {
    if (modules.empty())
        return makeError(Errc::Usage,
                         "no input modules (give .spv/.cl files, a directory or --manifest)");
    std::sort(modules.begin(), modules.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    for (std::size_t i = 0; i < modules.size(); ++i) {
        if (auto problem = archive::moduleNameProblem(modules[i].name); !problem.empty())
            return makeError(Errc::BadInput, "module name '" + printable(modules[i].name) + "' (" +
                                                 modules[i].path.string() + ") " + problem);
        if (i && modules[i].name == modules[i - 1].name)
            return makeError(Errc::BadInput, "two inputs give the module name '" + modules[i].name +
                                                 "': " + modules[i - 1].path.string() + " and " +
                                                 modules[i].path.string());
    }
    return success();
}

} // namespace aotpack::compile
