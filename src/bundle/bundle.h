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
//   toolchain/lib/aotpack/              libaotpack_preload.so (`aotpack run`, `aotpack capture`)
//   toolchain/toolchains/<id>/          store toolchains carried (toolchain/store.h), the bundle's
//                                       aotpack's store unless $AOTPACK_TOOLCHAINS names another
//   toolchain/MANIFEST                  versions, glibc, whether OpenCL C is in, files
//
// Executables and libraries are stripped of debug information (aotpack's own is most of a debug
// build's size); `--no-opencl-c` leaves out the OpenCL C frontend (libclang-cpp, opencl-clang),
// which SPIR-V builds never load.
#pragma once

#include "common/error.h"
#include "common/subprocess.h"
#include "toolchain/toolchain.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::bundle {

struct BundleResult {
    std::vector<std::string> files; // paths inside the bundle, sorted
    std::uint64_t bytes = 0;        // of the tarball
    std::vector<std::string> warnings;
};

struct BundleOptions {
    std::filesystem::path preload; // libaotpack_preload.so to carry; empty: none (a warning)
    bool strip = true;             // strip debug information (`strip --strip-debug`)
    bool openClC = true;           // carry the OpenCL C frontend
    // Store toolchains to carry: each runs with its own loader and libraries, so a node without
    // Intel's packages builds every target they build (Xe2, Xe3, gen9 with ocloc-legacy).
    std::vector<toolchain::Toolchain> toolchains;
    ProcessRunner* runner = &systemProcesses(); // the probes, strip and tar
};

// Writes the bundle to `output` (temp file + rename; compression by extension, as tar -a:
// .tar.xz, .tar.gz, .tar.zst). Errors: no ocloc or libocloc (5), the tarball cannot be written (6).
Expected<BundleResult> writeBundle(const std::filesystem::path& output,
                                   const BundleOptions& options);

} // namespace aotpack::bundle
