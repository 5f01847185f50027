// What the module loader asks of a GPU API (Level Zero: ze_api.cpp; OpenCL: cl_api.cpp): one
// module - a ze_module_handle_t, a built cl_program - created from a native binary or from
// SPIR-V, and, after a JIT, the native binary the driver made. Selection, the JIT cache, the
// fleet's results and the trust policy (module_loader.cpp) are the same for both.
#pragma once

#include "common/file_io.h"

#include <optional>
#include <string>

namespace aotpack::runtime {

enum class CodeFormat { Native, Spirv };

struct Creation {
    bool created = false;
    std::string error; // the API's code, "0x7800000f" or "-42", when not created
    std::string log;   // the driver's build log, when it gave one
};

class GpuApi {
  public:
    virtual ~GpuApi() = default;
    // A failure leaves nothing behind (what was half-made is released).
    virtual Creation create(CodeFormat format, ByteView code, const std::string& options) = 0;
    // The native binary of what the last successful create made (a JIT's result).
    virtual std::optional<Bytes> createdBinary() = 0;
};

} // namespace aotpack::runtime
