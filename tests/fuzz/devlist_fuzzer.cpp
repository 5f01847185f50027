// libFuzzer target: the devlist file parser on arbitrary text.
#include "devices/database.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto db = aotpack::devices::Database::parse(text, "fuzz.devlist");
    if (db) (void)db->allNames();
    return 0;
}
