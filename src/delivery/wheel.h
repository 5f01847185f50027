// Python wheels as aotpack reads and writes them (wheel-variants): the file name grammar of the
// Binary Distribution Format with PEP 825's optional variant label, the files in the ZIP (libzip),
// and RECORD, which is written anew for every wheel aotpack writes.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::delivery {

// {distribution}-{version}(-{build})?-{python}-{abi}-{platform}(-{label})?.whl
struct WheelName {
    std::string distribution, version, build, python, abi, platform, label;
    std::string str() const;
};

// Errors (Usage): not a wheel file name, or a label outside ^[0-9a-z_.]{1,16}$.
Expected<WheelName> parseWheelName(const std::string& fileName);

// ^[0-9a-z_.]{1,16}$ (PEP 825).
bool isVariantLabel(const std::string& label);

struct WheelEntry {
    std::string name; // path inside the wheel
    Bytes data;
    std::time_t mtime = 0;
};

// Every file of the wheel, in the ZIP's order. Errors (BadInput) name the wheel.
Expected<std::vector<WheelEntry>> readWheel(const std::filesystem::path& path);

// "{name}.dist-info/" of the wheel (the directory holding WHEEL and METADATA).
Expected<std::string> distInfoDir(const std::vector<WheelEntry>& entries);

// Writes `entries` as a wheel at `path` (atomically), with RECORD (its own line without hash)
// computed from the bytes written: `sha256=` urlsafe base64 without padding, and the size.
Status writeWheel(const std::filesystem::path& path, std::vector<WheelEntry> entries);

} // namespace aotpack::delivery
