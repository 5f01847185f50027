// bench_ocloc_inprocess TARGET_IP FILE.spv... (or --jobs IP=FILE.spv...): compiles each SPIR-V
// for its target through oclocInvoke in this process, one after another, and prints
// "seconds<TAB>file" per compile.
// Process start-up is excluded: the sum over all jobs divided by the cores is the physical limit
// a parallel build can approach.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <ocloc_api.h>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: bench_ocloc_inprocess IP FILE.spv... | --jobs IP=FILE.spv...\n");
        return 2;
    }
    bool pairs = std::string(argv[1]) == "--jobs";
    for (int i = 2; i < argc; ++i) {
        std::string ip = argv[1], file = argv[i];
        if (pairs) {
            ip = file.substr(0, file.find('='));
            file = file.substr(file.find('=') + 1);
        }
        std::ifstream in(file, std::ios::binary);
        std::vector<unsigned char> spirv((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
        const char* args[] = {"ocloc",   "compile",  "-spirv_input",     "-file", "in.spv",
                              "-device", ip.c_str(), "--format",         "zebin", "-exclude_ir",
                              "-output", "out",      "-output_no_suffix"};
        const unsigned char* sources[] = {spirv.data()};
        std::uint64_t sizes[] = {spirv.size()};
        const char* names[] = {"in.spv"};
        std::uint32_t numOutputs = 0;
        std::uint8_t** outputs = nullptr;
        std::uint64_t* outputSizes = nullptr;
        char** outputNames = nullptr;
        auto start = std::chrono::steady_clock::now();
        int rc = oclocInvoke(sizeof args / sizeof *args, args, 1, sources, sizes, names, 0, nullptr,
                             nullptr, nullptr, &numOutputs, &outputs, &outputSizes, &outputNames);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        oclocFreeOutput(&numOutputs, &outputs, &outputSizes, &outputNames);
        std::printf("%.4f\t%s\t%d\n", seconds, file.c_str(), rc);
        std::fflush(stdout);
    }
    return 0;
}
