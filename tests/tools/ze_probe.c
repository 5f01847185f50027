/* ze_probe FILE native|spirv: creates a Level Zero module from FILE on the first device and prints
 * "result 0x...", the build log and the kernel names. End-to-end tests use it to check that files
 * aotpack writes (exported ARs, extracted zebins) load in the real NEO driver. */
#include <level_zero/ze_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char* readAll(const char* path, size_t* size) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    rewind(f);
    unsigned char* data = malloc(*size);
    if (data && fread(data, 1, *size, f) != *size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: ze_probe FILE native|spirv\n");
        return 2;
    }
    size_t size = 0;
    unsigned char* data = readAll(argv[1], &size);
    if (!data) {
        fprintf(stderr, "ze_probe: cannot read %s\n", argv[1]);
        return 2;
    }
    ze_result_t r = zeInit(0);
    if (r != ZE_RESULT_SUCCESS) { /* a failed zeInit is final with loader 1.8.12 */
        printf("zeInit 0x%08x\n", (unsigned)r);
        return 3;
    }
    uint32_t n = 1;
    ze_driver_handle_t driver;
    ze_device_handle_t device;
    zeDriverGet(&n, &driver);
    n = 1;
    zeDeviceGet(driver, &n, &device);
    ze_context_desc_t cd = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
    ze_context_handle_t ctx;
    zeContextCreate(driver, &cd, &ctx);
    ze_module_desc_t md = {ZE_STRUCTURE_TYPE_MODULE_DESC};
    md.format =
        strcmp(argv[2], "native") == 0 ? ZE_MODULE_FORMAT_NATIVE : ZE_MODULE_FORMAT_IL_SPIRV;
    md.inputSize = size;
    md.pInputModule = data;
    ze_module_handle_t module;
    ze_module_build_log_handle_t log;
    r = zeModuleCreate(ctx, device, &md, &module, &log);
    printf("result 0x%08x\n", (unsigned)r);
    size_t logSize = 0;
    zeModuleBuildLogGetString(log, &logSize, NULL);
    char* text = malloc(logSize + 1);
    zeModuleBuildLogGetString(log, &logSize, text);
    printf("log %s\n", text);
    if (r == ZE_RESULT_SUCCESS) {
        uint32_t count = 0;
        zeModuleGetKernelNames(module, &count, NULL);
        const char** names = malloc(sizeof(char*) * (count + 1));
        zeModuleGetKernelNames(module, &count, names);
        for (uint32_t i = 0; i < count; ++i)
            printf("kernel %s\n", names[i]);
        free(names);
        zeModuleDestroy(module);
    }
    free(text);
    zeModuleBuildLogDestroy(log);
    zeContextDestroy(ctx);
    free(data);
    return r == ZE_RESULT_SUCCESS ? 0 : 1;
}
