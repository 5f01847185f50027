// Natives on demand (docs/DELIVERY.md): the bytes of a RemoteNative entry
// (archive/remote_native.h), or of a RemoteSpirv entry (the same pin, for a module's SPIR-V), from
// the local cache or fetched from
// `<natives.url>/cas/<sha256>` and checked against the SHA-256 the archive pins before they are
// cached or reach a driver. The server's `.zst` copy may be a frame made with one of the
// archive's trained dictionaries (delivery/publish.h).
//
// libaotpack_rt does not link libcurl: it is dlopen'ed (libcurl.so.4) at the first fetch, so a
// program that never meets a slim archive pays nothing for it (ARCHITECTURE.md). Without
// libcurl a fetch fails like an unreachable server: the caller JIT-compiles.
#pragma once

#include "archive/reader.h"
#include "archive/remote_native.h"
#include "cache/disk_cache.h"
#include "common/error.h"

#include <optional>

namespace aotpack::runtime {

struct FetchedNative {
    Bytes bytes;
    bool fromCache = false; // fetched on an earlier load
};

// Errors (each means "JIT instead"): no URL, unreachable server, an HTTP error, the time limit
// (AOTPACK_FETCH_TIMEOUT_MS, default 2000), more or fewer bytes than pinned, a wrong digest.
// `cache` (may be null) is read first and written only with verified bytes; `readOnly` (may be
// null: the machine-wide cache `aotpack fetch --system` fills) is read after it. The server is
// `natives.url` of the archive, or AOTPACK_NATIVES_URL when set (a mirror, an air-gapped copy).
Expected<FetchedNative> obtainRemoteNative(const archive::ArchiveReader& archive,
                                           const archive::EntryView& entry, const DiskCache* cache,
                                           const DiskCache* readOnly = nullptr);

} // namespace aotpack::runtime
