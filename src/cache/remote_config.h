// Where the remote cache is and how to talk to it: from --remote-cache* flags and the
// AOTPACK_REMOTE_CACHE* environment (the flags win). Credentials come only from the environment
// or files, never from flags (a command line is visible to every user of the machine), and never
// leave this struct except as an HTTP header: messages print `redactedUrl()`.
#pragma once

#include "common/error.h"

#include <filesystem>
#include <string>

namespace aotpack::cache {

enum class RemoteMode { ReadWrite, ReadOnly };

struct RemoteConfig {
    std::string url; // http://, https:// or file://; empty: no remote cache
    RemoteMode mode = RemoteMode::ReadWrite;
    double connectTimeoutSeconds = 3; // TCP and TLS handshakes: a far server needs > 1 s
    double requestTimeoutSeconds = 10;
    unsigned retries = 2;         // extra attempts after a 429 or 503
    std::string bearerToken;      // AOTPACK_REMOTE_CACHE_TOKEN or _TOKEN_FILE
    std::filesystem::path caFile; // AOTPACK_REMOTE_CACHE_CA: PEM bundle to verify the server
    std::filesystem::path netrc;  // AOTPACK_REMOTE_CACHE_NETRC, else ~/.netrc if present
    // docs/TRUST.md: records carry an HMAC-SHA256 under this shared secret
    // (AOTPACK_REMOTE_CACHE_HMAC_KEY or _HMAC_KEY_FILE); with verifyHmac (--remote-cache-verify
    // hmac) only records whose HMAC verifies are used, and nothing is uploaded without the key.
    std::string hmacKey;
    bool verifyHmac = false;
    // The URL without its user:password part, for messages.
    std::string redactedUrl() const;
    bool enabled() const { return !url.empty(); }
};

// What the command line said; empty or zero fields fall back to the environment.
struct RemoteFlags {
    std::string url;
    std::string mode;
    double timeoutSeconds = 0;
    std::string verify; // --remote-cache-verify: "none" or "hmac"; "" falls back to the environment
};

// Errors (exit 2): an unsupported scheme, an unknown mode, a timeout that is not a positive
// number, a token or key file that cannot be read, --remote-cache-verify hmac without a key.
Expected<RemoteConfig> remoteConfig(const RemoteFlags& flags);

// `text` with every credential of `config` replaced by "***".
std::string redact(const RemoteConfig& config, std::string text);

} // namespace aotpack::cache
