/* Loads the embedded archive's module on the first GPU and prints where its binary came from and
 * its kernels. Exit code 0 when the module loaded. */
#include <aotpack/runtime.h>
#include <stdio.h>

extern const unsigned char kernels_archive[];
extern const size_t kernels_archive_size;

int main(void) {
    aotpack_archive* archive = NULL;
    if (aotpack_archive_open_memory(kernels_archive, kernels_archive_size, &archive) !=
        AOTPACK_SUCCESS) {
        fprintf(stderr, "consumer: %s\n", aotpack_last_error());
        return 1;
    }
    if (zeInit(0) != ZE_RESULT_SUCCESS) { /* a failed zeInit is final: no other Level Zero call */
        fprintf(stderr, "consumer: no Level Zero GPU\n");
        return 2;
    }
    uint32_t count = 1;
    ze_driver_handle_t driver;
    ze_device_handle_t device;
    zeDriverGet(&count, &driver);
    count = 1;
    zeDeviceGet(driver, &count, &device);
    ze_context_desc_t desc = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
    ze_context_handle_t context;
    zeContextCreate(driver, &desc, &context);

    ze_module_handle_t module;
    aotpack_load_info info;
    if (aotpack_module_create(archive, context, device, "vector_ops", NULL, &module, &info) !=
        AOTPACK_SUCCESS) {
        fprintf(stderr, "consumer: %s\n", aotpack_last_error());
        return 3;
    }
    static const char* sources[] = {"native", "compatible", "jit-cache", "jit"};
    printf("loaded vector_ops from %s: %s\n", sources[info.source], info.reason);
    uint32_t kernels = 0;
    zeModuleGetKernelNames(module, &kernels, NULL);
    const char* names[16];
    if (kernels > 16) kernels = 16;
    zeModuleGetKernelNames(module, &kernels, names);
    for (uint32_t i = 0; i < kernels; ++i)
        printf("kernel %s\n", names[i]);
    zeModuleDestroy(module);
    zeContextDestroy(context);
    aotpack_archive_close(archive);
    return 0;
}
