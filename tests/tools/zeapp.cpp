// zeapp: a Level Zero program that knows nothing of aotpack, for the capture/replay tests.
//   zeapp [--threads] [--fork] [--repeat N] [--dump DIR] [--time] SPEC...    SPEC =
//   file.spv[@flags][#id=value,...]
// Creates each module from SPIR-V (with its build flags and 32-bit specialization constants) on
// the first device - all at once on their own threads with --threads, also in a forked child
// with --fork - and prints, per module in SPEC order, the result, the build log's size and each
// kernel's name and properties: a run with aotpack replaying must print exactly what a plain run
// prints. The L0 work lives in the zeapp_plugin library so that zeapp_late can dlopen it late.
#include <level_zero/ze_api.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Spec {
    std::string file, flags;
    std::vector<uint32_t> ids, values;
    std::vector<unsigned char> spirv;
};

Spec parseSpec(const std::string& text) {
    Spec s;
    std::string rest = text;
    if (auto hash = rest.find('#'); hash != std::string::npos) {
        std::stringstream constants(rest.substr(hash + 1));
        for (std::string item; std::getline(constants, item, ',');) {
            auto eq = item.find('=');
            s.ids.push_back(static_cast<uint32_t>(std::stoul(item.substr(0, eq))));
            s.values.push_back(static_cast<uint32_t>(std::stoul(item.substr(eq + 1))));
        }
        rest.resize(hash);
    }
    if (auto at = rest.find('@'); at != std::string::npos) {
        s.flags = rest.substr(at + 1);
        rest.resize(at);
    }
    s.file = rest;
    std::ifstream in(s.file, std::ios::binary);
    s.spirv.assign(std::istreambuf_iterator<char>(in), {});
    return s;
}

std::string kernelLine(ze_module_handle_t module, const char* name) {
    ze_kernel_desc_t desc = {ZE_STRUCTURE_TYPE_KERNEL_DESC, nullptr, 0, name};
    ze_kernel_handle_t kernel = nullptr;
    ze_result_t r = zeKernelCreate(module, &desc, &kernel);
    if (r != ZE_RESULT_SUCCESS) return std::string(name) + " zeKernelCreate 0x" + std::to_string(r);
    ze_kernel_properties_t p = {};
    p.stype = ZE_STRUCTURE_TYPE_KERNEL_PROPERTIES;
    zeKernelGetProperties(kernel, &p);
    zeKernelDestroy(kernel);
    char line[512];
    std::snprintf(line, sizeof line, "%s args=%u group=%u,%u,%u subgroup=%u/%u local=%u", name,
                  p.numKernelArgs, p.requiredGroupSizeX, p.requiredGroupSizeY, p.requiredGroupSizeZ,
                  p.requiredSubgroupSize, p.maxSubgroupSize, p.localMemSize);
    return line;
}

const char* dumpDir = nullptr;
bool printTime = false; // --time: the seconds spent in zeModuleCreate, on stderr
// --dump DIR: each module's native binary as DIR/module<i>.bin

void dumpNative(ze_module_handle_t module, std::size_t index) {
    size_t size = 0;
    zeModuleGetNativeBinary(module, &size, nullptr);
    std::vector<uint8_t> bytes(size);
    zeModuleGetNativeBinary(module, &size, bytes.data());
    std::ofstream(std::string(dumpDir) + "/module" + std::to_string(index) + ".bin",
                  std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(size));
}

std::string createModule(ze_context_handle_t ctx, ze_device_handle_t dev, const Spec& s,
                         std::size_t index) {
    std::vector<const void*> values;
    for (const auto& v : s.values)
        values.push_back(&v);
    ze_module_constants_t constants = {static_cast<uint32_t>(s.ids.size()), s.ids.data(),
                                       values.data()};
    ze_module_desc_t desc = {ZE_STRUCTURE_TYPE_MODULE_DESC,
                             nullptr,
                             ZE_MODULE_FORMAT_IL_SPIRV,
                             s.spirv.size(),
                             s.spirv.data(),
                             s.flags.c_str(),
                             s.ids.empty() ? nullptr : &constants};
    ze_module_handle_t module = nullptr;
    ze_module_build_log_handle_t log = nullptr;
    auto start = std::chrono::steady_clock::now();
    ze_result_t r = zeModuleCreate(ctx, dev, &desc, &module, &log);
    if (printTime)
        std::fprintf(
            stderr, "create-seconds %s %.6f\n", s.file.c_str(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    size_t logSize = 0;
    if (log) zeModuleBuildLogGetString(log, &logSize, nullptr), zeModuleBuildLogDestroy(log);
    std::string out = "result 0x" + std::to_string(r) + " log " + (log ? "yes" : "no");
    if (r != ZE_RESULT_SUCCESS) return out;
    uint32_t count = 0;
    zeModuleGetKernelNames(module, &count, nullptr);
    std::vector<const char*> names(count);
    zeModuleGetKernelNames(module, &count, names.data());
    for (const char* n : names)
        out += "\n  " + kernelLine(module, n);
    if (dumpDir) dumpNative(module, index);
    zeModuleDestroy(module);
    return out;
}

int runAll(const std::vector<Spec>& specs, bool threads, int repeat, const char* who) {
    if (zeInit(0) != ZE_RESULT_SUCCESS) return 3; // a failed zeInit is final (loader 1.8.12)
    uint32_t n = 1;
    ze_driver_handle_t driver = nullptr;
    ze_device_handle_t device = nullptr;
    if (zeDriverGet(&n, &driver) != ZE_RESULT_SUCCESS || !n) return 3;
    n = 1;
    if (zeDeviceGet(driver, &n, &device) != ZE_RESULT_SUCCESS || !n) return 3;
    ze_context_desc_t cdesc = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
    ze_context_handle_t ctx = nullptr;
    zeContextCreate(driver, &cdesc, &ctx);
    std::vector<std::string> results(specs.size());
    auto work = [&](std::size_t i) {
        for (int k = 0; k < repeat; ++k)
            results[i] = createModule(ctx, device, specs[i], i);
    };
    std::vector<std::thread> pool;
    for (std::size_t i = 0; i < specs.size(); ++i)
        if (threads)
            pool.emplace_back(work, i);
        else
            work(i);
    for (auto& t : pool)
        t.join();
    for (std::size_t i = 0; i < specs.size(); ++i)
        std::printf("%smodule %zu: %s\n", who, i, results[i].c_str());
    std::fflush(stdout);
    zeContextDestroy(ctx);
    return 0;
}

} // namespace

extern "C" int zeapp_main(int argc, char** argv) {
    bool threads = false, forked = false;
    int repeat = 1;
    std::vector<Spec> specs;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--threads")
            threads = true;
        else if (a == "--fork")
            forked = true;
        else if (a == "--repeat" && i + 1 < argc)
            repeat = std::atoi(argv[++i]);
        else if (a == "--dump" && i + 1 < argc)
            dumpDir = argv[++i];
        else if (a == "--time")
            printTime = true;
        else
            specs.push_back(parseSpec(a));
    }
    if (forked) { // the child does all of it first, on its own, before the parent touches L0
        pid_t pid = fork();
        if (pid == 0) _exit(runAll(specs, threads, repeat, "child "));
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 4;
    }
    return runAll(specs, threads, repeat, "");
}
