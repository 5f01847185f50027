#include "common/exit_codes.h"

#include "common/error.h"

namespace aotpack {

const std::vector<ExitCodeRow>& exitCodeTable() {
    auto row = [](Errc code, const char* meaning) {
        return ExitCodeRow{static_cast<int>(code), meaning};
    };
    static const std::vector<ExitCodeRow> rows = {
        {0, "success"},
        row(Errc::CompileFailed, "a compile failed (a job, or OpenCL C that does not compile)"),
        row(Errc::Usage, "bad command line or device list"),
        row(Errc::BadInput, "an input file is unreadable or invalid (SPIR-V, manifest, devlist, "
                            "a foreign binary's container)"),
        row(Errc::BadArchive, "an archive is truncated, corrupt, or of a newer format"),
        row(Errc::Unsupported, "a tool aotpack needs is missing or cannot do it: the installed "
                               "ocloc cannot build a target, no ocloc was found, or "
                               "libaotpack_preload.so is missing (run, capture)"),
        row(Errc::Output, "an output could not be written"),
        row(Errc::NoDevice,
            "no Level Zero driver or device, or the driver failed to load a module (or a slim "
            "archive's SPIR-V, kept on the server, could not be fetched to JIT it)"),
        row(Errc::Conflict, "merge conflict: the same module and target with different contents"),
        row(Errc::NotFound, "a module or target is not in the archive (or native-only finds no "
                            "binary; inspect: no device code)"),
        row(Errc::CacheDamaged, "cache verify found damaged entries (and removed them: the cache "
                                "is whole again)"),
        row(Errc::FetchFailed, "a compiler toolchain could not be fetched: its package archive or "
                               "server cannot be reached, or does not have that suite or package"),
        row(Errc::Internal, "internal error (a bug in aotpack)"),
        {kExitCommandNotFound, "aotpack ocloc found no real ocloc; run: the program cannot be run"},
    };
    return rows;
}

} // namespace aotpack
