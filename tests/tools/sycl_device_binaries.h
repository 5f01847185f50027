/* The DPC++ device-binaries descriptor as its runtime declares it (intel/llvm
 * sycl/source/detail/compiler.hpp; written by llvm/lib/Frontend/Offloading/SYCLOffloadWrapper.cpp),
 * for the test tools that build such a library (sycl_wrapped_lib.c) and read it as the runtime
 * does (mini_sycl_runtime.c). Device binary version 2: with the (null) manifest fields. */
#pragma once

#include <stdint.h>

struct property {
    const char* name;
    const void* value; /* null for uint32: the value is in size */
    uint32_t type;     /* 1 uint32, 2 byte array */
    uint64_t size;
};
struct property_set {
    const char* name;
    const struct property *begin, *end;
};
struct device_binary {
    uint16_t version;
    uint8_t kind, format;
    const char *target, *compile_options, *link_options;
    const char *manifest_begin, *manifest_end;
    const unsigned char *image_begin, *image_end;
    const void *entries_begin, *entries_end;
    const struct property_set *properties_begin, *properties_end;
};
struct device_binaries {
    uint16_t version, count;
    const struct device_binary* binaries;
    const void *host_entries_begin, *host_entries_end;
};
