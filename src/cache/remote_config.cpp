#include "cache/remote_config.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "common/text.h"

#include <cstdlib>

namespace aotpack::cache {
namespace {

Error usage(const std::string& message) {
    return makeError(Errc::Usage, message);
}

// The user:password part of scheme://user:password@host/..., or "".
std::string userInfo(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return "";
    auto start = scheme + 3;
    auto end = url.find_first_of("/?#", start);
    auto authority = url.substr(start, end == std::string::npos ? end : end - start);
    auto at = authority.rfind('@');
    return at == std::string::npos ? "" : authority.substr(0, at);
}

Expected<double> seconds(const std::string& what, const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v > 0) || v > 3600)
        return usage(what + " '" + text + "' is not a number of seconds in (0, 3600]");
    return v;
}

// A secret from the environment: VAR, else the file VAR_FILE names (never from a flag: a command
// line is visible to every user of the machine).
Expected<std::string> secretFromEnvironment(const std::string& var) {
    if (std::string value = envOr(var.c_str(), ""); !value.empty()) return value;
    std::string file = envOr((var + "_FILE").c_str(), "");
    if (file.empty()) return std::string();
    auto text = readTextFile(file);
    if (!text) return usage(var + "_FILE '" + file + "' cannot be read");
    return std::string(trim(*text));
}

Status applyVerify(RemoteConfig& c, const RemoteFlags& flags) {
    auto key = secretFromEnvironment("AOTPACK_REMOTE_CACHE_HMAC_KEY");
    if (!key) return key.error();
    c.hmacKey = *key;
    std::string verify =
        !flags.verify.empty() ? flags.verify : envOr("AOTPACK_REMOTE_CACHE_VERIFY", "");
    if (verify == "hmac")
        c.verifyHmac = true;
    else if (!verify.empty() && verify != "none")
        return usage("remote cache verification '" + verify + "' is not none or hmac");
    if (c.verifyHmac && c.hmacKey.empty())
        return usage("--remote-cache-verify hmac needs the shared key in "
                     "AOTPACK_REMOTE_CACHE_HMAC_KEY or AOTPACK_REMOTE_CACHE_HMAC_KEY_FILE");
    return success();
}

Status applyTimeouts(RemoteConfig& c, const RemoteFlags& flags) {
    if (flags.timeoutSeconds < 0 || flags.timeoutSeconds > 3600)
        return usage("--remote-cache-timeout must be a number of seconds in (0, 3600]");
    if (flags.timeoutSeconds > 0) {
        c.requestTimeoutSeconds = flags.timeoutSeconds;
    } else if (std::string t = envOr("AOTPACK_REMOTE_CACHE_TIMEOUT", ""); !t.empty()) {
        auto v = seconds("AOTPACK_REMOTE_CACHE_TIMEOUT", t);
        if (!v) return v.error();
        c.requestTimeoutSeconds = *v;
    }
    if (std::string t = envOr("AOTPACK_REMOTE_CACHE_CONNECT_TIMEOUT", ""); !t.empty()) {
        auto v = seconds("AOTPACK_REMOTE_CACHE_CONNECT_TIMEOUT", t);
        if (!v) return v.error();
        c.connectTimeoutSeconds = *v;
    }
    c.connectTimeoutSeconds = std::min(c.connectTimeoutSeconds, c.requestTimeoutSeconds);
    return success();
}

} // namespace

std::string RemoteConfig::redactedUrl() const {
    return redact(*this, url);
}

std::string redact(const RemoteConfig& config, std::string text) {
    auto hide = [&text](const std::string& secret) {
        if (secret.empty()) return;
        for (auto pos = text.find(secret); pos != std::string::npos;
             pos = text.find(secret, pos + 3))
            text.replace(pos, secret.size(), "***");
    };
    hide(userInfo(config.url));
    hide(config.bearerToken);
    hide(config.hmacKey);
    return text;
}

Expected<RemoteConfig> remoteConfig(const RemoteFlags& flags) {
    RemoteConfig c;
    c.url = !flags.url.empty() ? flags.url : envOr("AOTPACK_REMOTE_CACHE", "");
    if (c.url.empty()) return c;
    if (!c.url.starts_with("http://") && !c.url.starts_with("https://") &&
        !c.url.starts_with("file://"))
        return usage("remote cache '" + c.redactedUrl() +
                     "': unsupported scheme (use http://, https:// or file://)");
    std::string mode = !flags.mode.empty() ? flags.mode : envOr("AOTPACK_REMOTE_CACHE_MODE", "");
    if (mode == "read-only")
        c.mode = RemoteMode::ReadOnly;
    else if (!mode.empty() && mode != "read-write")
        return usage("remote cache mode '" + mode + "' is not read-write or read-only");
    if (auto st = applyTimeouts(c, flags); !st) return st.error();
    auto token = secretFromEnvironment("AOTPACK_REMOTE_CACHE_TOKEN");
    if (!token) return token.error();
    c.bearerToken = *token;
    if (auto st = applyVerify(c, flags); !st) return st.error();
    c.caFile = envOr("AOTPACK_REMOTE_CACHE_CA", "");
    c.netrc = envOr("AOTPACK_REMOTE_CACHE_NETRC", "");
    return c;
}

} // namespace aotpack::cache
