#include "capture/preload_settings.h"

#include "common/diagnostics.h"

#include <cstdlib>
#include <unistd.h>

namespace aotpack::capture {

const PreloadSettings& preloadSettings() {
    static const PreloadSettings s = [] {
        auto env = [](const char* name) {
            const char* v = std::getenv(name);
            return std::string(v ? v : "");
        };
        return PreloadSettings{env("AOTPACK_CAPTURE_DIR"), env("AOTPACK_ARCHIVE"),
                               !env("AOTPACK_RUNTIME_REMOTE").empty(), env("AOTPACK_LOG") == "1"};
    }();
    return s;
}

void say(const std::string& line) {
    if (preloadSettings().log) diag::log(line);
}

std::string programName() {
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : "";
}

} // namespace aotpack::capture
