#include "compile/dictionaries.h"

#include "devices/database.h"

#include <map>
#include <string>

namespace aotpack::compile {

// Parsed once; a damaged embedded dictionary (a bad data/ file) is left out, never fatal: the
// payloads it would have served are compressed without one.
static const std::map<std::string, std::shared_ptr<const archive::Dictionary>>& parsed() {
    static const auto all = [] {
        std::map<std::string, std::shared_ptr<const archive::Dictionary>> out;
        for (const auto& e : embeddedDictionaries())
            if (auto d = archive::Dictionary::fromBytes(Bytes(e.bytes, e.bytes + e.size),
                                                        std::string("dictionary ") + e.name))
                out[e.name] = *d;
        return out;
    }();
    return all;
}

std::string builtinDictionariesIdentity() {
    std::string out;
    for (const auto& [name, dictionary] : parsed())
        out += name + "=" + std::to_string(dictionary->id()) + ";";
    return out;
}

std::shared_ptr<const archive::Dictionary> builtinDictionary(archive::EntryKind kind,
                                                             std::uint32_t targetIp) {
    std::string name;
    if (kind == archive::EntryKind::Spirv) {
        name = "spirv";
    } else if (kind == archive::EntryKind::Native) {
        auto target = devices::Database::builtin().findIp(devices::IpVersion::fromValue(targetIp));
        if (!target) return nullptr;
        name = target->device->release;
    }
    auto it = parsed().find(name);
    return it == parsed().end() ? nullptr : it->second;
}

} // namespace aotpack::compile
