// libFuzzer target: the runtime's C API on an untrusted archive in memory, the way an application
// opens an embedded one: open, list modules and targets, and ask what would be loaded for each
// module on a few devices. Nothing may crash, leak or read out of bounds.
#include <aotpack/runtime.h>

#include <cstdint>
#include <initializer_list>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    aotpack_archive* archive = nullptr;
    if (aotpack_archive_open_memory(data, size, &archive) != AOTPACK_SUCCESS) return 0;
    const std::uint32_t pvc = (12u << 22) | (60u << 14) | 7u,
                        acmG11 = (12u << 22) | (56u << 14) | 5u;
    for (std::uint32_t t = 0; t < aotpack_archive_target_count(archive); ++t)
        (void)aotpack_archive_target_ip(archive, t);
    for (std::uint32_t m = 0; m < aotpack_archive_module_count(archive); ++m) {
        const char* name = aotpack_archive_module_name(archive, m);
        for (std::uint32_t ip : {pvc, acmG11, 0u})
            for (auto policy : {AOTPACK_POLICY_DEFAULT, AOTPACK_POLICY_NATIVE_ONLY}) {
                aotpack_load_info info{};
                (void)aotpack_select(archive, name, ip, policy, &info);
            }
    }
    aotpack_archive_close(archive);
    return 0;
}
