#include "archive/trust_policy.h"

#include "common/diagnostics.h"
#include "common/file_io.h"

#include <algorithm>
#include <cstdlib>

namespace aotpack::archive {
namespace fs = std::filesystem;

TrustPolicy trustPolicyFromDirectory(const fs::path& dir, std::string source) {
    TrustPolicy policy{true, std::move(source), {}, {}};
    auto files = listDirectory(dir);
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        if (file.extension() != ".pub") continue;
        auto key = crypto::Ed25519Key::loadPublic(file);
        if (key)
            policy.keys.push_back(std::move(*key));
        else
            policy.problems.push_back(key.error().message);
    }
    if (policy.keys.empty())
        policy.problems.push_back(policy.source + ": no Ed25519 public key (*.pub) in '" +
                                  dir.string() + "'; every archive is refused");
    return policy;
}

TrustPolicy trustPolicyFromEnvironment(const fs::path& systemDir) {
    if (const char* dir = std::getenv("AOTPACK_TRUSTED_KEYS"); dir && *dir)
        return trustPolicyFromDirectory(dir, std::string("AOTPACK_TRUSTED_KEYS=") + dir);
    std::error_code ec;
    if (!fs::is_directory(systemDir, ec)) return {};
    bool hasKeys = false;
    for (const auto& file : listDirectory(systemDir))
        hasKeys = hasKeys || file.extension() == ".pub";
    if (!hasKeys) return {};
    return trustPolicyFromDirectory(systemDir, systemDir.string());
}

const TrustPolicy& processTrustPolicy() {
    static const TrustPolicy policy = [] {
        auto p = trustPolicyFromEnvironment();
        for (const auto& problem : p.problems)
            diag::warning(problem);
        return p;
    }();
    return policy;
}

Expected<std::optional<VerifiedArchive>> applyTrustPolicy(const TrustPolicy& policy,
                                                          const ArchiveReader& archive) {
    if (!policy.enabled) return std::optional<VerifiedArchive>();
    auto verified = VerifiedArchive::check(archive, policy.keys);
    if (!verified)
        return makeError(verified.error().code,
                         verified.error().message + " (trust policy " + policy.source + ")");
    return std::optional<VerifiedArchive>(std::move(*verified));
}

} // namespace aotpack::archive
