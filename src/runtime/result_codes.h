// The one table between the error model (common/error.h: Errc, the CLI's exit codes) and the C
// API's aotpack_result, both ways, so a failure inside the runtime library exits `aotpack load`,
// `warm` and `select` with the code the same failure has everywhere else (an internal error
// stays internal: it used to come back as a usage error).
#pragma once

#include "aotpack/runtime.h"
#include "common/error.h"

namespace aotpack::runtime {

aotpack_result resultFor(Errc code);
Errc errcFor(aotpack_result result);

} // namespace aotpack::runtime
