#include "capture/capture_dir.h"

#include "common/text.h"

#include <nlohmann/json.hpp>

namespace aotpack::capture {

namespace fs = std::filesystem;

std::string capturedModuleName(const CapturedModule& module) {
    if (module.language == Language::OpenClC)
        return moduleName(openclSourceKey(
            std::string_view(reinterpret_cast<const char*>(module.code.data()), module.code.size()),
            module.flags));
    return moduleName(moduleKey(module.code, module.flags, module.constants));
}

namespace {

// The module's code and headers, once (an existing file is the same module's).
Status writeCode(const fs::path& raw, const std::string& name, const CapturedModule& module,
                 Sync sync) {
    bool openclC = module.language == Language::OpenClC;
    fs::path code = raw / (name + (openclC ? ".cl" : ".spv"));
    std::error_code ec;
    if (fs::exists(code, ec)) return success();
    for (const auto& header : module.headers) {
        fs::path file = raw / (name + ".include") / header.path;
        fs::create_directories(file.parent_path(), ec);
        if (auto st = writeFileAtomic(file, header.text, sync); !st) return st;
    }
    return writeFileAtomic(code, module.code, 0644, sync); // last: it marks the set complete
}

} // namespace

Status recordModule(const fs::path& dir, const CapturedModule& module, Sync sync) {
    std::string name = capturedModuleName(module);
    fs::path raw = dir / "raw";
    std::error_code ec;
    fs::create_directories(raw, ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + raw.string() + "': " + ec.message());
    if (auto st = writeCode(raw, name, module, sync); !st) return st;
    nlohmann::json constants = nlohmann::json::array();
    for (const auto& c : module.constants)
        constants.push_back({{"id", c.id}, {"value", toHex(c.value)}});
    nlohmann::json record = {{"flags", module.flags},
                             {"constants", constants},
                             {"device_ip", module.deviceIp},
                             {"program", module.program}};
    if (module.language == Language::OpenClC) record["language"] = "opencl-c";
    return writeFileAtomic(
        raw / (name + "@" + module.deviceIp + ".json"),
        record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", sync);
}

} // namespace aotpack::capture
