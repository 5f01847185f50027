// `aotpack bundle`: a relocatable toolchain in one tarball, for cluster nodes and CI runners that
// lack Intel's packages and root. It holds aotpack, the ocloc it uses, libocloc, IGC and every
// library they load (found by running them under the dynamic linker's LD_DEBUG=libs, which also
// sees IGC's dlopen'ed frontends), except glibc's own: the bundle runs on x86-64 with a glibc at
// least as new as the build machine's (recorded in its MANIFEST).
//
//   toolchain/bin/aotpack, bin/ocloc   wrappers: LD_LIBRARY_PATH=<bundle>/lib, then libexec/
//   toolchain/libexec/                  the real executables; aotpack finds the ocloc beside it
//                                       and the compile workers the libocloc in ../lib
//   toolchain/lib/                      the libraries
//   toolchain/MANIFEST                  versions, glibc, files
#pragma once

#include "common/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::bundle {

struct BundleResult {
    std::vector<std::string> files; // paths inside the bundle, sorted
    std::uint64_t bytes = 0;        // of the tarball
};

// Writes the bundle to `output` (temp file + rename; compression by extension, as tar -a:
// .tar.xz, .tar.gz, .tar.zst). Errors: no ocloc or libocloc (5), the tarball cannot be written (6).
Expected<BundleResult> writeBundle(const std::filesystem::path& output);

} // namespace aotpack::bundle
