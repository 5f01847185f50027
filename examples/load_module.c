/* load_module ARCHIVE MODULE: loads MODULE from ARCHIVE on the first GPU through libaotpack_rt and
 * prints what was chosen and the module's kernels. */
#include <aotpack/runtime.h>
#include <stdio.h>

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: load_module ARCHIVE MODULE\n");
        return 2;
    }
    printf("libaotpack_rt %s\n", aotpack_runtime_version_string());
    aotpack_archive* archive = NULL;
    if (aotpack_archive_open_file(argv[1], &archive) != AOTPACK_SUCCESS) {
        fprintf(stderr, "load_module: %s\n", aotpack_last_error());
        return 1;
    }
    if (zeInit(0) != ZE_RESULT_SUCCESS) {
        fprintf(stderr, "load_module: no Level Zero GPU\n");
        return 1;
    }
    uint32_t n = 1;
    ze_driver_handle_t driver;
    ze_device_handle_t device;
    zeDriverGet(&n, &driver);
    n = 1;
    zeDeviceGet(driver, &n, &device);
    ze_context_desc_t desc = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
    ze_context_handle_t context;
    zeContextCreate(driver, &desc, &context);
    ze_module_handle_t module;
    aotpack_load_info info;
    if (aotpack_module_create(archive, context, device, argv[2], NULL, &module, &info) !=
        AOTPACK_SUCCESS) {
        fprintf(stderr, "load_module: %s\n", aotpack_last_error());
        return 1;
    }
    printf("%s: %s (%.2f ms)\n", argv[2], info.reason, info.milliseconds);
    uint32_t count = 0;
    zeModuleGetKernelNames(module, &count, NULL);
    const char* names[64];
    if (count > 64) count = 64;
    zeModuleGetKernelNames(module, &count, names);
    for (uint32_t i = 0; i < count; ++i)
        printf("kernel %s\n", names[i]);
    zeModuleDestroy(module);
    zeContextDestroy(context);
    aotpack_archive_close(archive);
    return 0;
}
