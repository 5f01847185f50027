#include "capture/capture_dir.h"

#include "common/text.h"

#include <nlohmann/json.hpp>

namespace aotpack::capture {

namespace fs = std::filesystem;

Status recordModule(const fs::path& dir, const CapturedModule& module, Sync sync) {
    std::string name = moduleName(moduleKey(module.spirv, module.flags, module.constants));
    fs::path raw = dir / "raw";
    std::error_code ec;
    fs::create_directories(raw, ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + raw.string() + "': " + ec.message());
    if (!fs::exists(raw / (name + ".spv"), ec))
        if (auto st = writeFileAtomic(raw / (name + ".spv"), module.spirv, 0644, sync); !st)
            return st;
    nlohmann::json constants = nlohmann::json::array();
    for (const auto& c : module.constants)
        constants.push_back({{"id", c.id}, {"value", toHex(c.value)}});
    nlohmann::json record = {{"flags", module.flags},
                             {"constants", constants},
                             {"device_ip", module.deviceIp},
                             {"program", module.program}};
    return writeFileAtomic(
        raw / (name + "@" + module.deviceIp + ".json"),
        record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", sync);
}

} // namespace aotpack::capture
