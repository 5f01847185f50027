/* libaotpack_rt: load the right binary of an aotpack archive through Level Zero (and OpenCL:
 * aotpack/runtime_opencl.h).
 *
 * For each module and device, in this order:
 *   1. a native binary built for the device's exact IP version;
 *   2. a native binary that newer drivers accept on this IP (the compatibility table, e.g. a
 *      12.55.8 binary on a 12.56.5 DG2-G11);
 *   3. the SPIR-V, JIT-compiled by the driver with the module's build options; the result is kept
 *      in a persistent JIT cache, so the next load is native.
 * If the driver rejects a chosen native binary, the SPIR-V is used and the reason says so.
 *
 * Environment: AOTPACK_POLICY=prefer-native|native-only|jit-only, AOTPACK_CACHE=0 (no JIT cache),
 * AOTPACK_CACHE_DIR (cache root; the JIT cache is its "jit" folder), AOTPACK_CACHE_MAX_MB,
 * AOTPACK_LOG=1 (one line per module load on stderr).
 *
 * Thread safety: an archive may be used from many threads at once. Errors: every call returns an
 * aotpack_result; aotpack_last_error() gives the message of the calling thread's last failure. */
#ifndef AOTPACK_RUNTIME_H
#define AOTPACK_RUNTIME_H

#include <level_zero/ze_api.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AOTPACK_RT_API __attribute__((visibility("default")))
#else
#define AOTPACK_RT_API
#endif

#define AOTPACK_RT_VERSION_MAJOR 0
#define AOTPACK_RT_VERSION_MINOR 1
#define AOTPACK_RT_VERSION_PATCH 0

typedef enum aotpack_result {
    AOTPACK_SUCCESS = 0,
    AOTPACK_ERROR_INVALID_ARGUMENT = 1,
    AOTPACK_ERROR_IO = 2,          /* the archive file cannot be read */
    AOTPACK_ERROR_BAD_ARCHIVE = 3, /* corrupt, truncated, or a newer format */
    AOTPACK_ERROR_NOT_FOUND = 4,   /* no such module */
    AOTPACK_ERROR_NO_BINARY = 5,   /* native-only, and no native binary serves this device */
    AOTPACK_ERROR_LEVEL_ZERO = 6,  /* Level Zero failed (no driver, no device, module creation) */
    AOTPACK_ERROR_OUT_OF_MEMORY = 7,
    AOTPACK_ERROR_INTERNAL = 8,  /* a bug in aotpack (new values: older callers see an unknown
                                    value; aotpack_last_error() says what) */
    AOTPACK_ERROR_UNTRUSTED = 9, /* a trust policy is on (AOTPACK_TRUSTED_KEYS, or keys in
                                   /etc/aotpack/trusted.d) and no trusted key signed the archive,
                                   or a payload is not what it signed (docs/TRUST.md) */
    AOTPACK_ERROR_OPENCL = 10 /* OpenCL failed: no loader, or program creation (runtime_opencl.h) */
} aotpack_result;

typedef enum aotpack_policy {
    AOTPACK_POLICY_DEFAULT = 0, /* AOTPACK_POLICY from the environment, else prefer-native */
    AOTPACK_POLICY_PREFER_NATIVE = 1,
    AOTPACK_POLICY_NATIVE_ONLY = 2,
    AOTPACK_POLICY_JIT_ONLY = 3
} aotpack_policy;

typedef enum aotpack_source {
    AOTPACK_SOURCE_NATIVE_EXACT = 0,      /* a binary for the device's IP */
    AOTPACK_SOURCE_NATIVE_COMPATIBLE = 1, /* a binary for an IP the compatibility table allows */
    AOTPACK_SOURCE_JIT_CACHE = 2,         /* a binary from an earlier JIT of this SPIR-V */
    AOTPACK_SOURCE_JIT = 3                /* the SPIR-V, compiled now by the driver */
} aotpack_source;

typedef struct aotpack_load_info {
    aotpack_source source;
    uint32_t device_ip;  /* the device's IP version value (major<<22 | minor<<14 | revision), 0 if
                            unknown */
    uint32_t entry_ip;   /* IP of the chosen native binary; 0 for SPIR-V */
    double milliseconds; /* time spent in aotpack_module_create */
    char reason[256];    /* why this entry: "exact match", "driver rejected 12.55.8 (0x7800000f)";
                            a longer reason ends in "..." here: aotpack_last_reason() has it whole */
} aotpack_load_info;

typedef struct aotpack_load_options {
    aotpack_policy policy;
    const char* cache_dir;    /* NULL: environment / default */
    int cache_enabled;        /* -1: environment (AOTPACK_CACHE), 0: off, 1: on */
    uint64_t cache_max_bytes; /* 0: environment / default (1 GiB) */
} aotpack_load_options;

typedef struct aotpack_archive aotpack_archive;

/* Version of this library: (major << 16) | (minor << 8) | patch, and as "0.1.0". */
AOTPACK_RT_API uint32_t aotpack_runtime_version(void);
AOTPACK_RT_API const char* aotpack_runtime_version_string(void);

/* The message of the calling thread's last failed call ("" if none). */
AOTPACK_RT_API const char* aotpack_last_error(void);

/* The whole reason of the calling thread's last aotpack_select, aotpack_module_create or
   aotpack_cl_program_create ("" if none): load_info.reason holds at most 255 bytes of it. */
AOTPACK_RT_API const char* aotpack_last_reason(void);

/* The kernels the module (or program) of the calling thread's last aotpack_select,
   aotpack_module_create or aotpack_cl_program_create does not provide, comma-separated ("" if
   none): an archive built with --fp64=poison drops kernels that need fp64 on GPUs without it;
   they stay in the module's kernel list but must not be launched. */
AOTPACK_RT_API const char* aotpack_last_dropped_kernels(void);

/* Where the library's messages go: warnings (a bad AOTPACK_POLICY, a fleet server that does not
   answer, ...) and, with AOTPACK_LOG=1, a line per load. By default they are written to stderr
   as "aotpack: warning: ..."; with a callback, nothing is written and the callback gets each
   message without prefix or newline, from the thread that made the call (it must not call back
   into the library). NULL restores stderr. */
typedef enum aotpack_message_level {
    AOTPACK_MESSAGE_LOG = 0,
    AOTPACK_MESSAGE_NOTE = 1,
    AOTPACK_MESSAGE_WARNING = 2,
    AOTPACK_MESSAGE_ERROR = 3
} aotpack_message_level;
typedef void (*aotpack_message_callback)(aotpack_message_level level, const char* message,
                                         void* user_data);
AOTPACK_RT_API void aotpack_set_message_callback(aotpack_message_callback callback,
                                                 void* user_data);

/* What this process asked of the fleet's JIT-result server (AOTPACK_RUNTIME_REMOTE) and sent
   to it; all zero without one. */
typedef struct aotpack_fleet_stats {
    uint64_t lookups; /* results asked for before a JIT */
    uint64_t hits;    /* results the server had */
    uint64_t errors;  /* lookups it did not answer (down, timeout, HTTP error but 404) */
    uint64_t uploads; /* JIT results uploaded (AOTPACK_RUNTIME_REMOTE_UPLOAD, warm --upload) */
    uint64_t upload_errors; /* uploads that failed */
} aotpack_fleet_stats;
AOTPACK_RT_API void aotpack_fleet_stats_get(aotpack_fleet_stats* stats);

/* Opening checks the header and the layout of the archive's index; each index record is checked
   when a lookup reads it, and the whole index when a module is not found (a damaged archive gives
   AOTPACK_ERROR_BAD_ARCHIVE, not AOTPACK_ERROR_NOT_FOUND). Payloads are read, checksummed and
   decompressed when a module is loaded. docs/FORMAT.md, "Validation". */
AOTPACK_RT_API aotpack_result aotpack_archive_open_file(const char* path,
                                                        aotpack_archive** archive);
/* `data` must stay valid until aotpack_archive_close (an embedded archive: see `aotpack embed`). */
AOTPACK_RT_API aotpack_result aotpack_archive_open_memory(const void* data, size_t size,
                                                          aotpack_archive** archive);
AOTPACK_RT_API void aotpack_archive_close(aotpack_archive* archive);

AOTPACK_RT_API uint32_t aotpack_archive_module_count(const aotpack_archive* archive);
AOTPACK_RT_API const char* aotpack_archive_module_name(const aotpack_archive* archive,
                                                       uint32_t index);
AOTPACK_RT_API uint32_t aotpack_archive_target_count(const aotpack_archive* archive);
AOTPACK_RT_API uint32_t aotpack_archive_target_ip(const aotpack_archive* archive, uint32_t index);

/* The IP version of a device: from ZE_extension_device_ip_version when the driver offers it, else
 * from the PCI device id and revision through aotpack's device database. A device neither names
 * (a GPU newer than the database) gives AOTPACK_ERROR_NOT_FOUND; modules still load on it through
 * the SPIR-V JIT, with load_info.device_ip 0. */
AOTPACK_RT_API aotpack_result aotpack_device_ip(ze_device_handle_t device, uint32_t* ip);

/* The canonical target name of an IP version ("pvc", "acm-g10@b0") into `name`; the IP as
 * "M.m.r" when aotpack's device database does not know it. */
AOTPACK_RT_API aotpack_result aotpack_target_name(uint32_t ip, char* name, size_t size);

/* The IP version of one device written in aotpack's device language ("pvc", "12.60.7", "0x56c0").
 */
AOTPACK_RT_API aotpack_result aotpack_parse_device(const char* text, uint32_t* ip);

/* What would be loaded for `device_ip`, without Level Zero (policy and table only; the JIT cache
 * and driver rejection are not considered). */
AOTPACK_RT_API aotpack_result aotpack_select(const aotpack_archive* archive, const char* module,
                                             uint32_t device_ip, aotpack_policy policy,
                                             aotpack_load_info* info);

/* Creates a module for `device`. `options` and `info` may be NULL. */
AOTPACK_RT_API aotpack_result aotpack_module_create(aotpack_archive* archive,
                                                    ze_context_handle_t context,
                                                    ze_device_handle_t device, const char* module,
                                                    const aotpack_load_options* options,
                                                    ze_module_handle_t* out,
                                                    aotpack_load_info* info);

#ifdef __cplusplus
}
#endif

#endif /* AOTPACK_RUNTIME_H */
