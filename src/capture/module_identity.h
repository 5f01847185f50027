// What identifies a module a program JIT-compiles through zeModuleCreate or clBuildProgram: its
// SPIR-V (or an OpenCL program's OpenCL C source), its build flags and its specialization
// constants. Capture names a module by this key, `aotpack build`
// keeps the name, and replay finds the module's native binary by recomputing it.
#pragma once

#include "common/file_io.h"
#include "common/hash.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aotpack::capture {

struct SpecConstant {
    std::uint32_t id = 0;
    Bytes value; // as many bytes as the constant's SPIR-V type has (bool: 1)
};

// SpecId -> size in bytes of every OpSpecConstant{True,False,} of the module; nothing for a
// module that is not little-endian SPIR-V.
std::optional<std::map<std::uint32_t, std::uint32_t>> specConstantSizes(ByteView spirv);

// The constants as Level Zero passes them (ids and pointers to values), read with the sizes of
// the module's own types, sorted by id (a repeated id: the last value, as the driver applies
// them). Nothing if an id is not a spec constant of the module: such a call is not served.
std::optional<std::vector<SpecConstant>> readConstants(ByteView spirv, std::uint32_t count,
                                                       const std::uint32_t* ids,
                                                       const void* const* values);

Hash128 moduleKey(ByteView spirv, std::string_view flags,
                  const std::vector<SpecConstant>& constants);

// The key of an OpenCL program built from OpenCL C source with `options` (clBuildProgram).
Hash128 openclSourceKey(std::string_view source, std::string_view options);

// The archive module name of a captured module: "jit-" and the key in hex.
std::string moduleName(const Hash128& key);

} // namespace aotpack::capture
