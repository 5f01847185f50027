#include "common/environment.h"

namespace aotpack {

const std::vector<EnvironmentRow>& environmentTable() {
    static const std::vector<EnvironmentRow> rows = {
        // Caches
        {"AOTPACK_CACHE", "0: no build cache and no JIT cache"},
        {"AOTPACK_CACHE_DIR", "root of the caches (DIR/build, DIR/jit); default ~/.cache/aotpack"},
        {"AOTPACK_CACHE_MAX_MB", "the runtime's JIT cache size limit (default 1024)"},
        {"AOTPACK_SYSTEM_CACHE_DIR",
         "machine-wide JIT cache every user reads (default /var/cache/aotpack; warm --system)"},
        // Compilers and toolchains
        {"AOTPACK_OCLOC", "the ocloc to compile with (then in processes, not compile workers)"},
        {"AOTPACK_LIBOCLOC", "the libocloc the compile workers load"},
        {"AOTPACK_TOOLCHAINS", "the toolchain store (aotpack toolchain)"},
        {"AOTPACK_TOOLCHAIN_SERVER", "where a toolchain lock's .debs are fetched first"},
        {"AOTPACK_CLANG",
         "the clang of the OpenCL C frontend and dependency scans (default clang)"},
        {"AOTPACK_LLVM_SPIRV",
         "the first LLVM-to-SPIR-V translator tried on LLVM bitcode (then the store's and the "
         "host's llvm-spirv-N, newest first)"},
        // The ocloc drop-in
        {"AOTPACK_OCLOC_JOBS", "compile slots shared by concurrent drop-in calls (default: cores)"},
        {"AOTPACK_OCLOC_REPORT", "a directory for one JSON report per drop-in call"},
        {"AOTPACK_LAUNCHER", "set by a bundle's wrapper: the aotpack the drop-in's shim runs"},
        // Remote build cache
        {"AOTPACK_REMOTE_CACHE", "URL of the remote build cache (--remote-cache)"},
        {"AOTPACK_REMOTE_CACHE_MODE", "read-write or read-only (--remote-cache-mode)"},
        {"AOTPACK_REMOTE_CACHE_TIMEOUT", "seconds per request (--remote-cache-timeout)"},
        {"AOTPACK_REMOTE_CACHE_CONNECT_TIMEOUT", "seconds to connect (default 3)"},
        {"AOTPACK_REMOTE_CACHE_TOKEN", "bearer token for the remote cache, publish and the fleet"},
        {"AOTPACK_REMOTE_CACHE_TOKEN_FILE", "a file whose first line is that token"},
        {"AOTPACK_REMOTE_CACHE_CA", "PEM bundle that verifies the server"},
        {"AOTPACK_REMOTE_CACHE_NETRC", "a netrc file (else ~/.netrc)"},
        {"AOTPACK_REMOTE_CACHE_HMAC_KEY", "shared secret whose HMAC each cache record carries"},
        {"AOTPACK_REMOTE_CACHE_VERIFY", "none or hmac (--remote-cache-verify)"},
        // Runtime
        {"AOTPACK_POLICY", "prefer-native (default), native-only or jit-only"},
        {"AOTPACK_LOG", "1: one line per load, capture, replay, fetch and fleet request"},
        {"AOTPACK_TRUSTED_KEYS", "a directory of *.pub keys: only archives they signed load"},
        {"AOTPACK_NATIVES_URL", "a mirror of slim archives' natives server"},
        {"AOTPACK_FETCH_TIMEOUT_MS", "time limit of one native fetch (default 2000)"},
        {"AOTPACK_RUNTIME_REMOTE", "URL of the fleet's shared JIT results"},
        {"AOTPACK_RUNTIME_REMOTE_UPLOAD",
         "1 (with a token): upload what this process JIT-compiles"},
        // Capture and replay
        {"AOTPACK_CAPTURE_DIR", "set by aotpack capture: where modules are recorded"},
        {"AOTPACK_ARCHIVE", "set by aotpack run: the archives to serve from (colon-separated)"},
        {"AOTPACK_PRELOAD", "the preload library aotpack run and capture use"},
    };
    return rows;
}

} // namespace aotpack
