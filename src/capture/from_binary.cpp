#include "capture/from_binary.h"

#include "foreign/inspect.h"

#include <optional>

namespace aotpack::capture {

namespace fs = std::filesystem;

namespace {

// Where a container records the flags its runtime builds an image with.
constexpr const char* kBuildFlagKeys[] = {"sycl-build-flags", "openmp-build-flags"};

// Those flags, when the image's container says (nothing: none known).
std::optional<std::string> buildFlagsOf(const foreign::DeviceImage& image) {
    for (const char* key : kBuildFlagKeys)
        if (auto it = image.properties.find(key); it != image.properties.end()) return it->second;
    return std::nullopt;
}

// Bitcode for a SPIR-V target (spir64, spirv64-intel ...), not for other GPUs.
bool isSpirBitcode(const foreign::DeviceImage& image) {
    auto triple = image.properties.find("triple");
    return image.kind == "llvm-bitcode" && triple != image.properties.end() &&
           triple->second.starts_with("spir");
}

// The SPIR-V an image gives: its own, or its bitcode translated; nothing for other images.
std::optional<Expected<Bytes>> spirvFor(const foreign::DeviceImage& image, ByteView stored,
                                        const BitcodeTranslator& translate) {
    if (image.kind == "spirv") {
        auto spirv = foreign::spirvOf(stored);
        if (!spirv) return std::nullopt; // not whole: inspect shows it, nothing to build
        return spirv;
    }
    if (isSpirBitcode(image) && translate) return translate(stored);
    return std::nullopt;
}

// Records the file's SPIR-V images as they are found (the file is mapped only meanwhile).
Status recordImagesOf(const fs::path& file, const fs::path& dir, const BitcodeTranslator& translate,
                      BinaryCapture& out) {
    Status firstError = success();
    auto visit = [&](const foreign::DeviceImage& image, ByteView stored) {
        ++out.images;
        if (!firstError) return;
        auto spirv = spirvFor(image, stored, translate);
        if (!spirv) return;
        if (!*spirv) {
            out.untranslated.push_back(image.where + ": " + spirv->error().message);
            return;
        }
        auto flags = buildFlagsOf(image);
        CapturedModule m;
        m.code = **spirv;
        m.flags = flags.value_or("");
        m.deviceIp = "unknown";
        m.program = file.filename().string();
        firstError = recordModule(dir, m);
        out.spirv += 1;
        out.described += flags.has_value();
        out.translated += image.kind == "llvm-bitcode";
    };
    auto inspected = foreign::inspectFile(file, visit);
    if (!inspected) return inspected.error();
    return firstError;
}

} // namespace

Expected<BinaryCapture> captureFromBinaries(const std::vector<fs::path>& files, const fs::path& dir,
                                            const BitcodeTranslator& translate) {
    BinaryCapture out;
    for (const auto& file : files)
        if (auto st = recordImagesOf(file, dir, translate, out); !st) return st.error();
    if (out.spirv == 0) {
        std::string names;
        for (const auto& f : files)
            names += (names.empty() ? "'" : ", '") + f.string() + "'";
        if (!out.untranslated.empty())
            return makeError(Errc::NotFound,
                             "no SPIR-V image in " + names + "; " + out.untranslated.front());
        return makeError(Errc::NotFound,
                         "no SPIR-V image in " + names + (out.images ? " (only native code)" : ""));
    }
    auto summary = finishCapture(dir);
    if (!summary) return summary.error();
    out.capture = std::move(*summary);
    return out;
}

} // namespace aotpack::capture
