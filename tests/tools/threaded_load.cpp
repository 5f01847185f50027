// threaded_load ARCHIVE THREADS REPS: THREADS threads each load every module of ARCHIVE REPS times
// through libaotpack_rt on one context, at the same time. Prints "loads: N, failed: M".
#include <aotpack/runtime.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 4) return std::fprintf(stderr, "usage: threaded_load ARCHIVE THREADS REPS\n"), 2;
    if (zeInit(0) != ZE_RESULT_SUCCESS) return std::fprintf(stderr, "no Level Zero device\n"), 2;
    std::uint32_t n = 1;
    ze_driver_handle_t driver;
    ze_device_handle_t device;
    zeDriverGet(&n, &driver);
    n = 1;
    zeDeviceGet(driver, &n, &device);
    ze_context_desc_t desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
    ze_context_handle_t context;
    zeContextCreate(driver, &desc, &context);
    aotpack::Archive archive(argv[1]);
    auto modules = archive.modules();
    std::atomic<int> loads{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < std::atoi(argv[2]); ++t)
        threads.emplace_back([&] {
            for (int r = 0; r < std::atoi(argv[3]); ++r)
                for (const auto& m : modules) {
                    ++loads;
                    try {
                        zeModuleDestroy(archive.createModule(context, device, m));
                    } catch (const aotpack::RuntimeError& e) {
                        ++failed;
                        std::fprintf(stderr, "%s\n", e.what());
                    }
                }
        });
    for (auto& t : threads)
        t.join();
    std::printf("loads: %d, failed: %d\n", loads.load(), failed.load());
    return failed ? 1 : 0;
}
