#include "foreign/inflate.h"

#include <zlib.h>
#include <zstd.h>

namespace aotpack::foreign {

std::optional<Bytes> inflateBody(ByteView body, std::uint64_t inflatedSize, Codec codec) {
    if (codec == Codec::Zstd) {
        auto stated = ZSTD_getFrameContentSize(body.data(), body.size());
        bool known = stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != ZSTD_CONTENTSIZE_ERROR;
        if (known ? stated != inflatedSize : inflatedSize > body.size() * 32768ull + 64)
            return std::nullopt;
        Bytes out(inflatedSize);
        std::size_t n = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
        if (ZSTD_isError(n) || n != out.size()) return std::nullopt;
        return out;
    }
    if (inflatedSize > body.size() * 1032ull + 64) return std::nullopt; // zlib's ratio at most
    Bytes out(inflatedSize);
    uLongf n = out.size();
    if (uncompress(out.data(), &n, body.data(), body.size()) != Z_OK || n != out.size())
        return std::nullopt;
    return out;
}

} // namespace aotpack::foreign
