/* A shared library laid out as DPC++'s offload wrapper lays out every SYCL binary (intel/llvm:
 * llvm/lib/Frontend/Offloading/SYCLOffloadWrapper.cpp; the runtime's view of the same structures
 * in sycl/source/detail/compiler.hpp): a descriptor {version 1, count, device binaries}, each
 * binary {version 2, kind 4 (SYCL), format, target, compile and link options, manifest (null),
 * image, offload entries, property sets}, images in sections named after their target, and a
 * constructor that hands the descriptor to the SYCL runtime's __sycl_register_lib. gcc writes the
 * pointers as R_X86_64_RELATIVE relocations, as the real thing has them.
 *
 * Built by tests/e2e/sycl_descriptor.sh with the images from ocloc and zstd:
 *   -DIMAGE0="a.spv" (SPIR-V, new offload entries, optLevel 2, "-cl-fast-relaxed-math")
 *   -DIMAGE1="b.spv.zst" (compressed SPIR-V, old offload entries, optLevel 0)
 *   -DIMAGE2="c.ar" (ocloc's fat binary for spir64_gen)
 */
#include "sycl_device_binaries.h"

#include <stdint.h>

struct entry_new { /* llvm::offloading's EntryTy, LLVM 20 and later */
    uint64_t reserved;
    uint16_t version, kind;
    uint32_t flags;
    void* address;
    const char* name;
    uint64_t size, data;
    void* aux;
};
struct entry_old { /* __tgt_offload_entry before LLVM 20 */
    void* address;
    const char* name;
    uint64_t size;
    int32_t flags, reserved;
};

#define IMAGE(n, section, path)                                                                    \
    __asm__(".section " section ",\"a\",@progbits\n.balign 8\n.globl image" #n "_begin\n"          \
            ".hidden image" #n "_begin\nimage" #n "_begin:\n.incbin \"" path "\"\n"                \
            ".globl image" #n "_end\n.hidden image" #n "_end\nimage" #n "_end:\n.previous\n");     \
    extern const unsigned char image##n##_begin[], image##n##_end[];
IMAGE(0, "spir64", IMAGE0)
IMAGE(1, "spir64", IMAGE1)
IMAGE(2, "spir64_gen", IMAGE2)

static const struct entry_new entries0[] = {
    {0, 1, 8, 0, 0, "add", 0, 0, 0},
    {0, 1, 8, 0, 0, "scale", 0, 0, 0},
};
static const struct entry_old entries1[] = {{0, "reduce_sum", 0, 0, 0}};

static const unsigned char spec_defaults[] = {8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const struct property misc0[] = {{"optLevel", 0, 1, 2}};
static const struct property spec0[] = {{"_ZTS4spec", spec_defaults, 2, sizeof spec_defaults}};
static const struct property misc1[] = {{"optLevel", 0, 1, 0}};
static const struct property_set sets0[] = {
    {"SYCL/misc properties", misc0, misc0 + 1},
    {"SYCL/specialization constants default values", spec0, spec0 + 1},
};
static const struct property_set sets1[] = {{"SYCL/misc properties", misc1, misc1 + 1}};

static const struct device_binary binaries[] = {
    {2, 4, 2, "spir64", "-cl-fast-relaxed-math", "", 0, 0, image0_begin, image0_end, entries0,
     entries0 + 2, sets0, sets0 + 2},
    {2, 4, 4, "spir64", "", "", 0, 0, image1_begin, image1_end, entries1, entries1 + 1, sets1,
     sets1 + 1},
    {2, 4, 1, "spir64_gen", "-device pvc", "", 0, 0, image2_begin, image2_end, 0, 0, 0, 0},
};
static const struct device_binaries descriptor = {1, 3, binaries, 0, 0};

void __sycl_register_lib(const struct device_binaries*);
void __sycl_unregister_lib(const struct device_binaries*);
__attribute__((constructor)) static void register_images(void) {
    __sycl_register_lib(&descriptor);
}
__attribute__((destructor)) static void unregister_images(void) {
    __sycl_unregister_lib(&descriptor);
}
