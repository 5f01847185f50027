#include "capture/from_binary.h"

#include "foreign/inspect.h"

#include <set>

namespace aotpack::capture {

namespace fs = std::filesystem;

namespace {

// Records the file's SPIR-V images as they are found (the file is mapped only meanwhile).
Status recordImagesOf(const fs::path& file, const fs::path& dir, BinaryCapture& out) {
    Status firstError = success();
    std::set<std::string> recorded; // the same image twice (fat files repeat them) is one module
    auto visit = [&](const foreign::DeviceImage& image, ByteView stored) {
        ++out.images;
        if (image.kind != "spirv" || !firstError) return;
        auto spirv = foreign::spirvOf(stored);
        if (!spirv) return; // described as SPIR-V but not whole: inspect shows it, nothing to build
        auto flags = image.properties.find("sycl-build-flags");
        bool described = flags != image.properties.end();
        firstError = recordModule(
            dir, {*spirv, described ? flags->second : "", {}, "unknown", file.filename().string()});
        out.spirv += 1;
        out.described += described;
    };
    auto inspected = foreign::inspectFile(file, visit);
    if (!inspected) return inspected.error();
    return firstError;
}

} // namespace

Expected<BinaryCapture> captureFromBinaries(const std::vector<fs::path>& files,
                                            const fs::path& dir) {
    BinaryCapture out;
    for (const auto& file : files)
        if (auto st = recordImagesOf(file, dir, out); !st) return st.error();
    if (out.spirv == 0) {
        std::string names;
        for (const auto& f : files)
            names += (names.empty() ? "'" : ", '") + f.string() + "'";
        return makeError(Errc::NotFound,
                         "no SPIR-V image in " + names + (out.images ? " (only native code)" : ""));
    }
    auto summary = finishCapture(dir);
    if (!summary) return summary.error();
    out.capture = std::move(*summary);
    return out;
}

} // namespace aotpack::capture
