// libFuzzer target: the build manifest parser, then the module checks the build runs on its
// result (names, duplicates), must turn any text into modules or a clean error. The manifest's
// directory holds a few real inputs so that valid module entries get past the file checks.
#include "compile/inputs.h"

#include <cstdlib>
#include <fstream>
#include <string_view>

namespace {
std::filesystem::path fixtureDir() {
    static const std::filesystem::path dir = [] {
        char pattern[] = "/tmp/aotpack-manifest-fuzz-XXXXXX";
        std::filesystem::path d = mkdtemp(pattern);
        for (const char* name : {"a.spv", "b.spv", "k.cl"})
            std::ofstream(d / name) << "x";
        std::filesystem::create_directory(d / "sub");
        std::ofstream(d / "sub" / "a.spv") << "x";
        return d;
    }();
    return dir;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto modules = aotpack::compile::parseManifest(text, fixtureDir() / "modules.json");
    if (modules) (void)aotpack::compile::checkModules(*modules);
    return 0;
}
