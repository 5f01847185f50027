/* libaotpack_preload.so: what `aotpack capture` and `aotpack run` put in LD_PRELOAD (Level Zero)
 * and OPENCL_LAYERS (OpenCL). It interposes zeModuleCreate, zeModuleGetKernelNames and
 * zeModuleDestroy and is an OpenCL loader layer, but does no work itself: the first SPIR-V module
 * (or, for OpenCL, the loader's layer set-up) while capture or replay is asked for loads
 * libaotpack_replay.so from the same directory and hands it the call (replay_entry.h). Until
 * then every call goes straight to the driver. Written in C and linked only to libc, so that a
 * program that builds nothing pays ~0.1 ms for it, not the ~17 ms of loading the C++ runtime,
 * OpenSSL and the Level Zero loader that replay needs (docs/BENCHMARKS.md). */
#define _GNU_SOURCE
#include "capture/replay_entry.h"

#include <CL/cl_layer.h>
#include <dlfcn.h>
#include <level_zero/ze_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef ze_result_t (*module_create_fn)(ze_context_handle_t, ze_device_handle_t,
                                        const ze_module_desc_t*, ze_module_handle_t*,
                                        ze_module_build_log_handle_t*);
typedef ze_result_t (*kernel_names_fn)(ze_module_handle_t, uint32_t*, const char**);
typedef ze_result_t (*module_destroy_fn)(ze_module_handle_t);
typedef cl_int(CL_API_CALL* init_layer_fn)(cl_uint, const struct _cl_icd_dispatch*, cl_uint*,
                                           const struct _cl_icd_dispatch**);

static struct aotpack_replay_next next_defs;
static pthread_once_t next_once = PTHREAD_ONCE_INIT;

/* The replay library's halves; set (once, then read-only) when it loaded. */
static struct {
    module_create_fn module_create;
    kernel_names_fn kernel_names;
    module_destroy_fn module_destroy;
    init_layer_fn init_layer;
} replay;
static int replay_loaded; /* read with acquire, written with release */
static pthread_once_t replay_once = PTHREAD_ONCE_INIT;

/* The loader's definition of `name`: the next one after this library, or, when the program
 * loaded the loader with dlopen(RTLD_LOCAL), the one in that already-loaded library. */
static void* next_definition(const char* name) {
    void* next = dlsym(RTLD_NEXT, name);
    if (!next) {
        void* loader = dlopen("libze_loader.so.1", RTLD_NOW | RTLD_NOLOAD);
        if (loader) next = dlsym(loader, name);
    }
    return next;
}

static void find_next_definitions(void) {
    next_defs.zeModuleCreate = next_definition("zeModuleCreate");
    next_defs.zeModuleGetKernelNames = next_definition("zeModuleGetKernelNames");
    next_defs.zeModuleDestroy = next_definition("zeModuleDestroy");
}

static const struct aotpack_replay_next* next(void) {
    pthread_once(&next_once, find_next_definitions);
    return &next_defs;
}

/* What `aotpack capture` / `aotpack run` asked for (preload_settings.h reads the same). */
static int asked(void) {
    const char* names[] = {"AOTPACK_CAPTURE_DIR", "AOTPACK_ARCHIVE", "AOTPACK_RUNTIME_REMOTE"};
    for (size_t i = 0; i < sizeof names / sizeof *names; ++i) {
        const char* v = getenv(names[i]);
        if (v && *v) return 1;
    }
    return 0;
}

static void warn(const char* what, const char* detail) {
    fprintf(stderr, "aotpack: warning: %s (%s); nothing is captured or served\n", what, detail);
}

/* libaotpack_replay.so from this library's own directory. */
static void load_replay(void) {
    Dl_info self;
    char path[4096];
    if (!dladdr(&next_defs, &self) || !self.dli_fname) {
        warn("cannot find " AOTPACK_REPLAY_LIBRARY, "dladdr");
        return;
    }
    const char* slash = strrchr(self.dli_fname, '/');
    int dir = slash ? (int)(slash - self.dli_fname + 1) : 0;
    snprintf(path, sizeof path, "%.*s%s", dir, self.dli_fname, AOTPACK_REPLAY_LIBRARY);
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        warn("cannot load " AOTPACK_REPLAY_LIBRARY, dlerror());
        return;
    }
    aotpack_replay_start_fn start = (aotpack_replay_start_fn)dlsym(lib, "aotpack_replay_start");
    if (!start || !start(AOTPACK_REPLAY_ABI, next())) {
        warn(path, "not the replay library of this version");
        return;
    }
    replay.module_create = (module_create_fn)dlsym(lib, "aotpack_replay_zeModuleCreate");
    replay.kernel_names = (kernel_names_fn)dlsym(lib, "aotpack_replay_zeModuleGetKernelNames");
    replay.module_destroy = (module_destroy_fn)dlsym(lib, "aotpack_replay_zeModuleDestroy");
    replay.init_layer = (init_layer_fn)dlsym(lib, "aotpack_replay_clInitLayer");
    if (!replay.module_create || !replay.kernel_names || !replay.module_destroy ||
        !replay.init_layer) {
        warn(path, "an entry point is missing");
        return;
    }
    __atomic_store_n(&replay_loaded, 1, __ATOMIC_RELEASE);
}

/* Loads the replay library if capture or replay was asked for; whether it is there. */
static int replay_wanted(void) {
    if (!asked()) return 0;
    pthread_once(&replay_once, load_replay);
    return __atomic_load_n(&replay_loaded, __ATOMIC_ACQUIRE);
}

static int replay_running(void) {
    return __atomic_load_n(&replay_loaded, __ATOMIC_ACQUIRE);
}

EXPORT ze_result_t zeModuleCreate(ze_context_handle_t context, ze_device_handle_t device,
                                  const ze_module_desc_t* desc, ze_module_handle_t* module,
                                  ze_module_build_log_handle_t* build_log) {
    module_create_fn real = (module_create_fn)next()->zeModuleCreate;
    if (!real) return ZE_RESULT_ERROR_UNINITIALIZED;
    /* Only SPIR-V is captured or served: a native module never loads the replay library. */
    if (desc && desc->format == ZE_MODULE_FORMAT_IL_SPIRV && replay_wanted())
        return replay.module_create(context, device, desc, module, build_log);
    return real(context, device, desc, module, build_log);
}

EXPORT ze_result_t zeModuleGetKernelNames(ze_module_handle_t module, uint32_t* count,
                                          const char** names) {
    if (replay_running()) return replay.kernel_names(module, count, names);
    kernel_names_fn real = (kernel_names_fn)next()->zeModuleGetKernelNames;
    return real ? real(module, count, names) : ZE_RESULT_ERROR_UNINITIALIZED;
}

EXPORT ze_result_t zeModuleDestroy(ze_module_handle_t module) {
    if (replay_running()) return replay.module_destroy(module);
    module_destroy_fn real = (module_destroy_fn)next()->zeModuleDestroy;
    return real ? real(module) : ZE_RESULT_ERROR_UNINITIALIZED;
}

EXPORT cl_int CL_API_CALL clGetLayerInfo(cl_layer_info param, size_t size, void* value,
                                         size_t* size_ret) {
    if (param != CL_LAYER_API_VERSION) return CL_INVALID_VALUE;
    if (value && size < sizeof(cl_layer_api_version)) return CL_INVALID_VALUE;
    if (value) *(cl_layer_api_version*)value = CL_LAYER_API_VERSION_100;
    if (size_ret) *size_ret = sizeof(cl_layer_api_version);
    return CL_SUCCESS;
}

/* The ICD loader sets its layers up at the program's first OpenCL call, and copies the table a
 * layer gives it (ocl-icd's __initLayer): the replay library must be there by then. */
EXPORT cl_int CL_API_CALL clInitLayer(cl_uint num_entries, const struct _cl_icd_dispatch* target,
                                      cl_uint* num_entries_out,
                                      const struct _cl_icd_dispatch** layer_dispatch_out) {
    if (!target || !num_entries_out || !layer_dispatch_out) return CL_INVALID_VALUE;
    if (replay_wanted())
        return replay.init_layer(num_entries, target, num_entries_out, layer_dispatch_out);
    *layer_dispatch_out = target; /* nothing asked: the driver's own table */
    *num_entries_out = num_entries;
    return CL_SUCCESS;
}

/* The version of the preload library (tools and bug reports ask it with dlsym). */
EXPORT const char* aotpack_preload_version(void) {
    return AOTPACK_VERSION;
}
