#include "net/curl_library.h"

#include <dlfcn.h>
#include <mutex>

namespace aotpack::net {
namespace {

template <typename Function> bool resolve(void* library, const char* name, Function& out) {
    out = reinterpret_cast<Function>(::dlsym(library, name));
    return out != nullptr;
}

bool resolveAll(void* lib, CurlLibrary& c) {
    return resolve(lib, "curl_easy_init", c.easy_init) &&
           resolve(lib, "curl_easy_setopt", c.easy_setopt) &&
           resolve(lib, "curl_easy_perform", c.easy_perform) &&
           resolve(lib, "curl_easy_getinfo", c.easy_getinfo) &&
           resolve(lib, "curl_easy_reset", c.easy_reset) &&
           resolve(lib, "curl_easy_cleanup", c.easy_cleanup) &&
           resolve(lib, "curl_easy_strerror", c.easy_strerror) &&
           resolve(lib, "curl_multi_init", c.multi_init) &&
           resolve(lib, "curl_multi_setopt", c.multi_setopt) &&
           resolve(lib, "curl_multi_add_handle", c.multi_add_handle) &&
           resolve(lib, "curl_multi_remove_handle", c.multi_remove_handle) &&
           resolve(lib, "curl_multi_perform", c.multi_perform) &&
           resolve(lib, "curl_multi_poll", c.multi_poll) &&
           resolve(lib, "curl_multi_info_read", c.multi_info_read) &&
           resolve(lib, "curl_multi_cleanup", c.multi_cleanup) &&
           resolve(lib, "curl_slist_append", c.slist_append) &&
           resolve(lib, "curl_slist_free_all", c.slist_free_all);
}

} // namespace

const CurlLibrary* curl() {
    static CurlLibrary library;
    static bool loaded = false;
    static std::once_flag once;
    std::call_once(once, [] {
        // Never closed: handles and libcurl's own threads may outlive any one caller.
        void* lib = ::dlopen(kCurlLibrary, RTLD_NOW | RTLD_LOCAL);
        if (!lib || !resolveAll(lib, library)) return;
        // Not thread-safe in older libcurl: once, here, before the first handle.
        using GlobalInit = CURLcode (*)(long);
        GlobalInit init = nullptr;
        loaded = resolve(lib, "curl_global_init", init) && init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    });
    return loaded ? &library : nullptr;
}

} // namespace aotpack::net
