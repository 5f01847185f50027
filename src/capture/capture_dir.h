// A capture directory: what programs JIT-compiled, added to by every capture run.
//   raw/<name>.spv          the module's SPIR-V as the program passed it (name: moduleName(key))
//   raw/<name>.cl           or an OpenCL program's OpenCL C source
//   raw/<name>.include/     the headers that source includes, as the driver would have found them
//   raw/<name>@<ip>.json    one per device it was created on: flags, constants, program
//   modules/<name>.spv      written by finishCapture: the SPIR-V with its constants applied
//   modules/<name>.cl       (and .include/) an OpenCL C module, built with its -I options
//                           pointing at its captured headers
//   aotpack-capture.json    written by finishCapture: a build manifest (`aotpack build DIR`)
// The preload library writes raw/ only (every file atomically, so concurrent processes and a
// program killed mid-write leave whole files); finishCapture turns raw/ into what builds read.
#pragma once

#include "capture/module_identity.h"
#include "common/build_manifest.h"
#include "common/error.h"

#include <filesystem>
#include <string>

namespace aotpack::capture {

enum class Language { Spirv, OpenClC };

struct CapturedHeader {
    std::string path; // as the #include names it: relative, without ".."
    std::string text;
};

struct CapturedModule {
    ByteView code; // SPIR-V, or OpenCL C source text
    std::string flags;
    std::vector<SpecConstant> constants;
    std::string deviceIp; // "12.60.7", or "unknown"
    std::string program;  // the executable that created it
    Language language = Language::Spirv;
    std::vector<CapturedHeader> headers; // OpenCL C only
};

// The module's name in the capture directory and in the archives built from it: moduleName of
// its key (module_identity.h).
std::string capturedModuleName(const CapturedModule& module);

// Adds one module creation to the directory (the SPIR-V once, a record per device). Sync::No
// when the records can be made again from their source (capture --from-binary).
Status recordModule(const std::filesystem::path& dir, const CapturedModule& module,
                    Sync sync = Sync::Yes);

struct CaptureSummary {
    std::size_t modules = 0;          // distinct (SPIR-V, flags, constants)
    std::size_t specialized = 0;      // of which have constants applied offline
    std::vector<std::string> skipped; // records that could not be read, and why
};

// Writes modules/ and the manifest from raw/: every module's constants applied with SPIRV-Tools
// (their SpecId defaults set, so an offline compile bakes in what the driver would have used).
Expected<CaptureSummary> finishCapture(const std::filesystem::path& dir);

} // namespace aotpack::capture
