#include "foreign/openmp_image.h"

#include "common/bytes_at.h"
#include "common/elf_sections.h"

#include <charconv>
#include <cstring>
#include <elf.h>
#include <map>
#include <optional>

namespace aotpack::foreign {

namespace {

constexpr std::string_view kNoteName = "INTELONEOMPOFFLOAD";
constexpr std::string_view kSectionPrefix = "__openmp_offload_spirv_";
constexpr std::uint32_t kNoteVersion = 1, kNoteImageCount = 2, kNoteImageAux = 3;
constexpr std::uint64_t kMaxImages = 4096;

struct Note {
    std::uint32_t type;
    std::string_view desc;
};

// The INTELONEOMPOFFLOAD notes of every SHT_NOTE section; a note that runs past its section
// ends the walk of that section (the plugin asserts on such files; aotpack just stops).
std::vector<Note> oneOmpNotes(const ElfFile& elf) {
    std::vector<Note> notes;
    for (const auto& s : elf.sections) {
        if (s.type != SHT_NOTE) continue;
        for (std::uint64_t at = 0; at + 12 <= s.bytes.size();) {
            std::uint32_t nameSize, descSize, type;
            std::memcpy(&nameSize, s.bytes.data() + at, 4);
            std::memcpy(&descSize, s.bytes.data() + at + 4, 4);
            std::memcpy(&type, s.bytes.data() + at + 8, 4);
            std::uint64_t name = at + 12, desc = name + ((nameSize + 3ull) & ~3ull);
            std::uint64_t next = desc + ((descSize + 3ull) & ~3ull);
            if (desc + descSize > s.bytes.size()) break;
            std::string_view n(reinterpret_cast<const char*>(s.bytes.data() + name), nameSize);
            if (n.substr(0, n.find('\0')) == kNoteName)
                notes.push_back(
                    {type, {reinterpret_cast<const char*>(s.bytes.data() + desc), descSize}});
            at = next;
        }
    }
    return notes;
}

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::vector<std::string_view> splitNul(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto nul = text.find('\0');
        parts.push_back(text.substr(0, nul));
        if (nul == std::string_view::npos) return parts;
        text = text.substr(nul + 1);
    }
}

Error malformedImage(std::uint64_t offset, const std::string& what) {
    return malformedAt("OpenMP offload image", offset, what);
}

} // namespace

bool looksLikeOpenmpImage(ByteView bytes) {
    if (!looksLikeElf(bytes)) return false;
    auto elf = readElf(bytes);
    return elf && elf->machine == kMachineIntelGt && !oneOmpNotes(*elf).empty();
}

Expected<std::vector<OpenmpImage>> readOpenmpImage(ByteView bytes) {
    auto elf = readElf(bytes);
    if (!elf) return elf.error();
    std::uint64_t count = 0;
    std::map<std::uint64_t, OpenmpImage> images;
    for (const auto& note : oneOmpNotes(*elf)) {
        if (note.type == kNoteVersion && note.desc.substr(0, note.desc.find('\0')) != "1.0")
            return malformedImage(0, "version '" + std::string(note.desc) + "' is not 1.0");
        if (note.type == kNoteImageCount) {
            auto n = number(note.desc.substr(0, note.desc.find('\0')));
            if (!n || *n == 0 || *n > kMaxImages) return malformedImage(0, "bad image count");
            count = *n;
        }
        auto parts =
            note.type == kNoteImageAux ? splitNul(note.desc) : std::vector<std::string_view>{};
        if (parts.size() < 4) continue; // the plugin ignores short records too
        auto index = number(parts[0]), format = number(parts[1]);
        if (!index || !format) continue;
        OpenmpImage image;
        image.index = *index;
        image.format = *format;
        image.compileOptions = parts[2];
        image.linkOptions = parts[3];
        images.try_emplace(*index, std::move(image));
    }
    for (const auto& s : elf->sections) {
        if (!s.name.starts_with(kSectionPrefix)) continue;
        std::string_view rest = std::string_view(s.name).substr(kSectionPrefix.size());
        auto index = number(rest.substr(0, rest.find('_')));
        auto it = index ? images.find(*index) : images.end();
        if (it == images.end() || *index >= count) continue; // the plugin ignores them too
        if (it->second.bytes.empty()) {
            it->second.bytes = s.bytes;
            it->second.offset = s.offset;
        } else {
            ++it->second.parts;
        }
    }
    std::vector<OpenmpImage> out;
    for (auto& [index, image] : images)
        if (index < count && !image.bytes.empty()) out.push_back(std::move(image));
    return out;
}

std::string openmpLevelZeroBuildFlags(const OpenmpImage& image) {
    // CompilationOptions "-cl-std=CL2.0 ", then " " + UserCompilationOptions (" " + the empty
    // environment variable), then " " + InternalCompilationOptions, then the image's options.
    std::string flags = std::string("-cl-std=CL2.0 ") + " " + " " + " " + "-cl-take-global-address";
    flags += " " + image.compileOptions + " " + image.linkOptions;
    static const std::pair<const char*, const char*> table[] = {
        {"-ftarget-compile-fast", "-igc_opts 'PartitionUnit=1,SubroutineThreshold=50000'"},
        {"-foffload-fp32-prec-div", "-ze-fp32-correctly-rounded-divide-sqrt"},
        {"-foffload-fp32-prec-sqrt", "-ze-fp32-correctly-rounded-divide-sqrt"},
    };
    for (const auto& [option, backend] : table)
        if (auto pos = flags.find(option); pos != std::string::npos)
            flags.replace(pos, std::strlen(option), backend);
    return flags;
}

} // namespace aotpack::foreign
