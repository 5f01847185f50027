// What the preload library was asked to do (the environment `aotpack capture` and `aotpack run`
// set), read once; shared by its Level Zero (preload.cpp) and OpenCL (opencl_layer.cpp) halves.
#pragma once

#include <string>

namespace aotpack::capture {

struct PreloadSettings {
    std::string captureDir; // AOTPACK_CAPTURE_DIR
    std::string archives;   // AOTPACK_ARCHIVE (colon-separated)
    bool fleet = false; // AOTPACK_RUNTIME_REMOTE: the fleet's JIT results (runtime/remote_jit.h)
    bool log = false;   // AOTPACK_LOG=1

    bool active() const { return !captureDir.empty() || !archives.empty() || fleet; }
};

const PreloadSettings& preloadSettings();

// One AOTPACK_LOG line (nothing without AOTPACK_LOG=1).
void say(const std::string& line);

// The executable of this process, as capture records name it.
std::string programName();

} // namespace aotpack::capture
