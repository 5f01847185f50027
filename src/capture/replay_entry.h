/* The contract between the preload shim (libaotpack_preload.so, preload_shim.c) and the replay
 * library it loads at the first call that needs it (libaotpack_replay.so: capture and replay for
 * Level Zero and OpenCL). The shim is what LD_PRELOAD and OPENCL_LAYERS name: C, linked to
 * nothing but libc, so a program that never creates a SPIR-V module or an OpenCL program pays
 * only for loading it; the replay library brings the C++ runtime, OpenSSL, zstd and the Level Zero
 * loader. C, for both sides. */
#ifndef AOTPACK_CAPTURE_REPLAY_ENTRY_H
#define AOTPACK_CAPTURE_REPLAY_ENTRY_H

#ifdef __cplusplus
extern "C" {
#endif

#define AOTPACK_REPLAY_LIBRARY "libaotpack_replay.so"
#define AOTPACK_REPLAY_ABI 1

/* The program's own definitions, as the shim found them (dlsym(RTLD_NEXT) from the preloaded
 * shim, or in a loader the program dlopen'ed): what the replay library calls to reach the
 * driver. Function pointers as void*: the two sides cast them to Level Zero's types. */
struct aotpack_replay_next {
    void* zeModuleCreate;
    void* zeModuleGetKernelNames;
    void* zeModuleDestroy;
};

/* Exported by libaotpack_replay.so; the shim calls it once, before anything else of it.
 * Returns 0 when `abi` is not AOTPACK_REPLAY_ABI (a shim of another version). */
typedef int (*aotpack_replay_start_fn)(int abi, const struct aotpack_replay_next* next);

/* The replay library's halves, exported under these names and called by the shim's
 * zeModuleCreate, zeModuleGetKernelNames, zeModuleDestroy and clInitLayer:
 *   aotpack_replay_zeModuleCreate, aotpack_replay_zeModuleGetKernelNames,
 *   aotpack_replay_zeModuleDestroy, aotpack_replay_clInitLayer. */

#ifdef __cplusplus
}
#endif

#endif
