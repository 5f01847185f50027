// zeapp (linked against the plugin) and zeapp_late (dlopens it, as SYCL loads its Level Zero
// adapter): see zeapp.cpp.
#include <cstdio>
#include <dlfcn.h>

extern "C" int zeapp_main(int argc, char** argv);

int main(int argc, char** argv) {
#ifdef ZEAPP_PLUGIN
    void* plugin = dlopen(ZEAPP_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    auto* entry =
        plugin ? reinterpret_cast<int (*)(int, char**)>(dlsym(plugin, "zeapp_main")) : nullptr;
    if (!entry) {
        std::fprintf(stderr, "zeapp_late: %s\n", dlerror());
        return 5;
    }
    return entry(argc, argv);
#else
    return zeapp_main(argc, argv);
#endif
}
