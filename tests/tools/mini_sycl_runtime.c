/* The part of DPC++'s SYCL runtime that turns a library's registered device images into Level
 * Zero modules, for end-to-end tests of `aotpack capture --from-binary` (tests/e2e/
 * sycl_descriptor.sh). Like the real runtime (intel/llvm sycl/source/detail/program_manager/
 * program_manager.cpp): a library's constructor calls __sycl_register_lib with its descriptor;
 * a SPIR-V image (decompressed if the wrapper compressed it) is built with its compile options,
 * the Level Zero spelling of its optLevel property (-O0: -ze-opt-disable, -O1..3:
 * -ze-opt-level=2) and, after a space, its link options; spir64_gen images are not JIT input.
 *
 *   mini_sycl_runtime LIBRARY.so   prints each image's kernels, as the module it created has them
 */
#include "sycl_device_binaries.h"

#include <dlfcn.h>
#include <level_zero/ze_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static const struct device_binaries* registered;

void __sycl_register_lib(const struct device_binaries* d) {
    registered = d;
}
void __sycl_unregister_lib(const struct device_binaries* d) {
    (void)d;
}

static void fail(const char* what) {
    fprintf(stderr, "mini_sycl_runtime: %s\n", what);
    exit(1);
}

static int opt_level(const struct device_binary* b) {
    for (const struct property_set* s = b->properties_begin; s && s != b->properties_end; ++s)
        if (strcmp(s->name, "SYCL/misc properties") == 0)
            for (const struct property* p = s->begin; p != s->end; ++p)
                if (strcmp(p->name, "optLevel") == 0) return (int)p->size;
    return -1;
}

static void build_flags(const struct device_binary* b, char* out, size_t size) {
    snprintf(out, size, "%s", b->compile_options);
    int level = opt_level(b);
    if (level >= 0 && level <= 3) {
        const char* option = level == 0 ? "-ze-opt-disable" : "-ze-opt-level=2";
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s", n ? " " : "", option);
    }
    if (b->link_options[0]) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, " %s", b->link_options);
    }
}

static void create_module(ze_context_handle_t ctx, ze_device_handle_t dev, int index,
                          const struct device_binary* b) {
    size_t size = (size_t)(b->image_end - b->image_begin);
    const unsigned char* spirv = b->image_begin;
    unsigned char* inflated = NULL;
    if (b->format == 4) { /* compressed: the runtime inflates before it creates the program */
        unsigned long long n = ZSTD_getFrameContentSize(spirv, size);
        if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN) fail("bad zstd image");
        inflated = malloc(n);
        if (ZSTD_isError(ZSTD_decompress(inflated, n, spirv, size))) fail("bad zstd image");
        spirv = inflated;
        size = n;
    }
    char flags[4096];
    build_flags(b, flags, sizeof flags);
    ze_module_desc_t desc = {
        ZE_STRUCTURE_TYPE_MODULE_DESC, NULL, ZE_MODULE_FORMAT_IL_SPIRV, size, spirv, flags, NULL};
    ze_module_handle_t module;
    ze_result_t r = zeModuleCreate(ctx, dev, &desc, &module, NULL);
    printf("image %d flags '%s': ", index, flags);
    if (r != ZE_RESULT_SUCCESS) {
        printf("zeModuleCreate failed (0x%x)\n", r);
    } else {
        uint32_t count = 0;
        zeModuleGetKernelNames(module, &count, NULL);
        const char* names[64];
        if (count > 64) count = 64;
        zeModuleGetKernelNames(module, &count, names);
        for (uint32_t k = 0; k < count; ++k)
            printf("%s%s", k ? " " : "", names[k]);
        printf("\n");
        zeModuleDestroy(module);
    }
    free(inflated);
}

int main(int argc, char** argv) {
    if (argc != 2) fail("usage: mini_sycl_runtime LIBRARY.so");
    if (!dlopen(argv[1], RTLD_NOW)) fail(dlerror());
    if (!registered) fail("the library registered no device images");
    uint32_t n = 1;
    ze_driver_handle_t driver;
    ze_device_handle_t dev;
    if (zeInit(ZE_INIT_FLAG_GPU_ONLY) || zeDriverGet(&n, &driver) || n == 0) fail("no driver");
    n = 1;
    if (zeDeviceGet(driver, &n, &dev) || n == 0) fail("no device");
    ze_context_desc_t cd = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
    ze_context_handle_t ctx;
    if (zeContextCreate(driver, &cd, &ctx)) fail("no context");
    for (int i = 0; i < registered->count; ++i) {
        const struct device_binary* b = &registered->binaries[i];
        if (strcmp(b->target, "spir64") == 0) create_module(ctx, dev, i, b);
    }
    zeContextDestroy(ctx);
    return 0;
}
