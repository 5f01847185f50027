// The members of a Unix `ar` file (ocloc's fat binaries, static libraries): "!<arch>\n", then
// per member a 60-byte header (name in bytes 0-15, decimal size in 48-57, "`\n" at 58) and the
// body, padded to an even offset. Bounds-checked.
#pragma once

#include "common/file_io.h"

#include <optional>
#include <string>
#include <vector>

namespace aotpack {

struct ArMember {
    std::string name;     // without the trailing '/' and padding
    std::uint64_t offset; // of the body, from the start of the ar file
    ByteView bytes;
};

struct ArMembers {
    std::vector<ArMember> members;
    std::uint64_t end = 8;                  // after the last whole member
    std::optional<std::uint64_t> malformed; // offset of a header that does not parse, if any
};

bool looksLikeAr(ByteView bytes);
// At most `limit` members (a caller that only peeks stops early).
ArMembers readArMembers(ByteView bytes, std::size_t limit = SIZE_MAX);

} // namespace aotpack
