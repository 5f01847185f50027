// Which archives may give a program native code (docs/TRUST.md): with a policy on, only archives
// signed by one of its public keys. AOTPACK_TRUSTED_KEYS=DIR turns it on (every *.pub in DIR);
// without it, a machine-wide /etc/aotpack/trusted.d holding keys does. The runtime library,
// `aotpack load`/`select` and the preload library's replay read it.
#pragma once

#include "archive/signing.h"
#include "crypto/ed25519.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::archive {

constexpr const char* kSystemTrustDir = "/etc/aotpack/trusted.d";

struct TrustPolicy {
    bool enabled = false;
    std::string source; // "AOTPACK_TRUSTED_KEYS=DIR" or the machine-wide directory
    std::vector<crypto::Ed25519Key> keys; // may be empty: then every archive is refused
    std::vector<std::string> problems;    // key files that could not be read (said once, warnings)
};

// From the environment (`systemDir`: the machine-wide default; a parameter for tests).
TrustPolicy trustPolicyFromEnvironment(const std::filesystem::path& systemDir = kSystemTrustDir);
// Every *.pub in `dir`, in name order.
TrustPolicy trustPolicyFromDirectory(const std::filesystem::path& dir, std::string source);

// This process's policy: read from the environment once, its problems (unreadable keys, no key)
// said once as warnings. The runtime library, replay and the CLI use it.
const TrustPolicy& processTrustPolicy();

// Under `policy`, the archive's verification (who signed it), or why it is refused; nullopt
// when no policy is on.
Expected<std::optional<VerifiedArchive>> applyTrustPolicy(const TrustPolicy& policy,
                                                          const ArchiveReader& archive);

} // namespace aotpack::archive
