// What the build needs to know about a SPIR-V module before compiling it: is it valid (checked by
// SPIRV-Tools, so a bad file is reported by aotpack instead of killing IGC), its kernels, and
// whether it needs fp64, and how much work it is for the compiler.
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <string>
#include <vector>

namespace aotpack::compile {

struct SpirvInfo {
    std::vector<std::string> entryPoints;
    bool usesFp64 = false;
    // Set when the module parses but fails full validation. ocloc 22.43's own translator emits
    // SPIR-V 1.4 that breaks the 1.4 entry-point interface rule and IGC accepts it, so this is a
    // warning unless the build is strict.
    std::string validationProblem;
    bool validated = false; // validationProblem is SPIRV-Tools' answer (else not asked yet)
    // Instructions IGC compiles once every call is inlined into each kernel (see
    // inlinedInstructions in the .cpp): the best predictor of compile time before a module has
    // been compiled. Large OpenCL modules are mostly library code no kernel reaches, so their
    // file size predicts nothing.
    double inlinedInstructions = 0;
};

// A module that does not even parse (garbage, truncated) is an error: IGC would exit(1) on it.
// `what` names the input in errors ("module 'k' (k.spv)").
// With validate = false, validationProblem is left for validationProblem() to fill later.
Expected<SpirvInfo> inspectSpirv(ByteView spirv, const std::string& what, bool validate = true);
// SPIRV-Tools' full validation of a module that parses: its first problem, or "".
std::string validationProblem(ByteView spirv);

} // namespace aotpack::compile
