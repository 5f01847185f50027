// A fleet shares JIT results (docs/DELIVERY.md): with AOTPACK_RUNTIME_REMOTE=URL the
// runtime and replay look up `URL/jit/<key>` before they JIT-compile a module that no archive
// serves natively, the key naming the SPIR-V, the flags, the constants, the device IP and the
// driver version. Clients only read; a holder of the write token uploads what it JIT-compiled
// (`aotpack warm --upload`, or AOTPACK_RUNTIME_REMOTE_UPLOAD=1 with AOTPACK_REMOTE_CACHE_TOKEN or
// AOTPACK_REMOTE_CACHE_TOKEN_FILE). A result the driver rejects is a miss. Under a trust policy
// the fleet's results are not used (nobody signed them).
#pragma once

#include "common/error.h"
#include "common/file_io.h"
#include "common/hash.h"

#include <optional>
#include <string>

namespace aotpack::runtime {

struct RemoteJit {
    std::string url;
    bool upload = false; // AOTPACK_RUNTIME_REMOTE_UPLOAD=1 and a token
    std::string token;   // sent with reads too when set (a server that wants it); never printed
};

// The process's setting (read once); nothing when AOTPACK_RUNTIME_REMOTE is unset.
const std::optional<RemoteJit>& remoteJit();

// GET URL/jit/<key hex>; a miss, a server that does not answer and any error are an Error the
// caller treats as a miss.
Expected<Bytes> getRemoteJit(const RemoteJit& remote, const Hash128& key);

// PUT URL/jit/<key hex> (only when remote.upload).
Status putRemoteJit(const RemoteJit& remote, const Hash128& key, ByteView native);

// What this process asked of the fleet's server and sent to it (aotpack_fleet_stats_get).
struct FleetCounts {
    std::uint64_t lookups = 0, hits = 0, errors = 0, uploads = 0, uploadErrors = 0;
};
FleetCounts fleetCounts();

} // namespace aotpack::runtime
