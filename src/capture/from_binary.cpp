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

// An image's SPIR-V and the flags its runtime builds it with (nothing: none known).
struct ImageSpirv {
    Bytes spirv;
    std::optional<std::string> flags;
};

// The SPIR-V an image gives: its own, an ocloc fat binary's generic_ir (with the options ocloc
// recorded beside it), or its bitcode translated; nothing for other images.
std::optional<Expected<ImageSpirv>> spirvFor(const foreign::DeviceImage& image, ByteView stored,
                                             const BitcodeTranslator& translate) {
    // A fat binary a container registers (a SYCL descriptor's spir64_gen image) is created as
    // native code by its runtime, which never hands its SPIR-V to zeModuleCreate: nothing to key.
    if (image.kind == "ocloc-ar" && image.properties.count("triple")) return std::nullopt;
    if (image.kind == "ocloc-ar") {
        auto carried = foreign::spirvOfOclocAr(stored);
        if (!carried) return std::nullopt;
        return ImageSpirv{std::move(carried->spirv), std::move(carried->options)};
    }
    Expected<Bytes> spirv = makeError(Errc::NotFound, "");
    if (image.kind == "spirv") {
        spirv = foreign::spirvOf(stored);
        if (!spirv) return std::nullopt; // not whole: inspect shows it, nothing to build
    } else if (isSpirBitcode(image) && translate) {
        spirv = translate(stored);
        if (!spirv) return spirv.error();
    } else {
        return std::nullopt;
    }
    return ImageSpirv{std::move(*spirv), buildFlagsOf(image)};
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
        const auto& flags = (*spirv)->flags;
        CapturedModule m;
        m.code = (*spirv)->spirv;
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
