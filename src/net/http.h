// One request at a time (slim archives' natives, the fleet's JIT results, toolchain .debs) through
// net/curl_library.h. The remote build cache sends batches of requests on the same binding
// (cache/http_backend.cpp). Every request is bounded by fetchTimeoutMs(), a connection by 1 s; a
// server that did not answer at all is not asked again in the process (one time limit for a
// program, not one per module).
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <string>

namespace aotpack::net {

// GET `url` (http, https or file), at most `limit` bytes (more aborts the transfer). `status`:
// the HTTP status, 0 when there was none (no connection, the time limit); a file:// URL that
// does not exist reads as 404.
// `token`, when not empty, goes as `Authorization: Bearer <token>`. `timeoutMs` 0: fetchTimeoutMs()
// (large downloads, as a toolchain's .debs, give their own).
Expected<Bytes> httpGet(const std::string& url, std::uint64_t limit, long& status,
                        const std::string& token = "", long timeoutMs = 0);

// PUT `data` at `url` with `Authorization: Bearer <token>` when `token` is not empty.
Status httpPut(const std::string& url, ByteView data, const std::string& token, long timeoutMs = 0);

// The time limit of one request, in milliseconds: AOTPACK_FETCH_TIMEOUT_MS, default 2000.
long fetchTimeoutMs();

} // namespace aotpack::net
