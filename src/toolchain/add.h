// `aotpack toolchain add SOURCE` and `publish`, as library calls: a source (deb_source.h) or a
// lock (lock.h) into the store (store.h), and a store's .debs onto the team's server.
#pragma once

#include "common/error.h"
#include "devices/database.h"
#include "toolchain/deb_source.h"
#include "toolchain/lock.h"
#include "toolchain/store.h"

#include <string>
#include <vector>

namespace aotpack::toolchain {

struct AddRequest {
    std::string source; // debian:SUITE, apt:'deb ...', a directory of .debs, a lock file
    SourceOptions options;
    std::string server; // a lock's .debs are fetched from SERVER/toolchains/<sha256>.deb first
};

struct AddResult {
    std::vector<Toolchain> toolchains;
    FetchCounts fetched; // lock files: where the .debs came from
};

Expected<AddResult> addToolchains(const ToolchainStore& store, const AddRequest& request,
                                  const devices::Database& db);

// Uploads the .debs of `toolchains` to URL/toolchains/<sha256>.deb (token from
// AOTPACK_REMOTE_CACHE_TOKEN, never printed); returns how many were sent.
Expected<std::size_t> publishToolchains(const ToolchainStore& store,
                                        const std::vector<Toolchain>& toolchains,
                                        const std::string& url);

} // namespace aotpack::toolchain
