#include "common/ar_members.h"

#include <cstdlib>
#include <cstring>

namespace aotpack {

bool looksLikeAr(ByteView b) {
    return b.size() >= 8 && std::memcmp(b.data(), "!<arch>\n", 8) == 0;
}

ArMembers readArMembers(ByteView b, std::size_t limit) {
    ArMembers out;
    for (std::uint64_t at = 8; at + 60 <= b.size() && out.members.size() < limit;) {
        std::string size(reinterpret_cast<const char*>(b.data() + at + 48), 10);
        std::uint64_t bytes = std::strtoull(size.c_str(), nullptr, 10);
        if (b[at + 58] != '`' || b[at + 59] != '\n' || bytes > b.size() - at - 60) {
            out.malformed = at;
            return out;
        }
        std::string name(reinterpret_cast<const char*>(b.data() + at), 16);
        out.members.push_back(
            {name.substr(0, name.find_first_of(" /")), at + 60, b.subspan(at + 60, bytes)});
        at += 60 + bytes + (bytes % 2);
        out.end = std::min<std::uint64_t>(at, b.size());
    }
    return out;
}

} // namespace aotpack
