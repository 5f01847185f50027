// Turns what the user named (SPIR-V files, OpenCL C files, directories, a JSON manifest) into a
// list of modules. A module's name is its file name without extension unless the manifest names
// it, so names never depend on the directory the build runs in or on the order of inputs.
#pragma once

#include "common/error.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aotpack::compile {

enum class SourceKind { Spirv, OpenClC };

struct ModuleInput {
    std::string name;
    std::filesystem::path path;
    SourceKind kind = SourceKind::Spirv;
    std::string options; // per-module build options (manifest), added to the global options
};

// Files and directories (directories contribute their *.spv and *.cl files, not recursively; a
// capture directory, its manifest's modules).
Expected<std::vector<ModuleInput>> collectInputs(const std::vector<std::string>& paths);

// A manifest: {"modules": [{"source": "k.cl", "name": "k", "options": "..."}]}; paths are relative
// to the manifest's directory.
Expected<std::vector<ModuleInput>> readManifest(const std::filesystem::path& manifest);
// The same for manifest text already read (`manifest` locates relative paths and names errors).
Expected<std::vector<ModuleInput>> parseManifest(std::string_view text,
                                                 const std::filesystem::path& manifest);

// Sorts by name and rejects duplicate or invalid names.
Status checkModules(std::vector<ModuleInput>& modules);

} // namespace aotpack::compile
