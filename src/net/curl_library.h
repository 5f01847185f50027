// libcurl's entry points, resolved from libcurl.so.4 at the first use: the project's one binding
// of it. Neither the aotpack tool nor libaotpack_rt links libcurl, so a program that never talks to
// a server never loads it, and a machine without it loses the network features, not the tool.
#pragma once

#include <curl/curl.h> // types and constants only

namespace aotpack::net {

struct CurlLibrary {
    CURL* (*easy_init)() = nullptr;
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
    CURLcode (*easy_perform)(CURL*) = nullptr;
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
    void (*easy_reset)(CURL*) = nullptr;
    void (*easy_cleanup)(CURL*) = nullptr;
    const char* (*easy_strerror)(CURLcode) = nullptr;
    CURLM* (*multi_init)() = nullptr;
    CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...) = nullptr;
    CURLMcode (*multi_add_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_remove_handle)(CURLM*, CURL*) = nullptr;
    CURLMcode (*multi_perform)(CURLM*, int*) = nullptr;
    CURLMcode (*multi_poll)(CURLM*, curl_waitfd[], unsigned, int, int*) = nullptr;
    CURLMsg* (*multi_info_read)(CURLM*, int*) = nullptr;
    CURLMcode (*multi_cleanup)(CURLM*) = nullptr;
    curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
    void (*slist_free_all)(curl_slist*) = nullptr;
};

// The library curl() loads (the bundle carries it: bundle/bundle.cpp).
inline constexpr const char* kCurlLibrary = "libcurl.so.4";

// libcurl, initialised (curl_global_init, once, before any handle); null when libcurl.so.4 is
// not installed or lacks an entry point above (libcurl 7.66 or newer has them all).
const CurlLibrary* curl();

// Why curl() is null, for an error message.
inline constexpr const char* kNoCurl = "libcurl.so.4 is not installed";

} // namespace aotpack::net
