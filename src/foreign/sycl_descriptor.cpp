#include "foreign/sycl_descriptor.h"

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <optional>
#include <unordered_map>

namespace aotpack::foreign {

namespace {

constexpr std::uint8_t kSyclOffloadKind = 4;         // intel/llvm's OFK_SYCL
constexpr std::uint8_t kUpstreamSyclOffloadKind = 8; // llvm-project's object::OFK_SYCL
constexpr std::uint64_t kMaxString = 1u << 20;       // options longer than 1 MiB: not a string
constexpr std::uint64_t kMaxArray = 1u << 20;        // entries or properties per image
// Names read per file: a hostile file whose arrays all point at one big array stops here.
constexpr std::uint64_t kMaxNames = 1u << 22;
constexpr std::size_t kBinarySizeV2 = 96;    // with ManifestStart/ManifestEnd
constexpr std::size_t kBinarySizeV3 = 80;    // without them
constexpr std::size_t kPropertySetSize = 24; // {Name, PropertiesBegin, PropertiesEnd}
constexpr std::size_t kPropertySize = 32;    // {Name, ValAddr, u32 Type, u64 ValSize}
constexpr std::size_t kEntrySizeOld = 32;    // {addr, name, size, i32 flags, i32 reserved}
constexpr std::size_t kEntrySizeNew = 56;    // llvm::offloading's EntryTy (LLVM 20+)

// The loaded image of a linked ELF file: virtual addresses -> file bytes, and pointers read as
// the dynamic loader would leave them.
class AddressSpace {
  public:
    AddressSpace(ByteView file, const ElfFile& elf) : file_(file) {
        for (const auto& s : elf.sections)
            if ((s.flags & SHF_ALLOC) && !s.bytes.empty() && s.address != 0)
                ranges_.push_back({s.address, s.bytes.size(), s.offset});
        std::sort(ranges_.begin(), ranges_.end(),
                  [](const Range& a, const Range& b) { return a.address < b.address; });
        std::uint32_t relative = elf.machine == EM_AARCH64 ? R_AARCH64_RELATIVE : R_X86_64_RELATIVE;
        for (const auto& s : elf.sections)
            if (s.type == SHT_RELA) readRelocations(s.bytes, relative);
    }

    // The file offset of `size` bytes at `address`, if one loaded section holds them all.
    std::optional<std::uint64_t> fileOffset(std::uint64_t address, std::uint64_t size) const {
        auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                                   [](std::uint64_t a, const Range& r) { return a < r.address; });
        if (it == ranges_.begin()) return std::nullopt;
        const Range& r = *--it;
        std::uint64_t into = address - r.address;
        if (into > r.size || size > r.size - into) return std::nullopt;
        return r.offset + into;
    }

    template <typename T> std::optional<T> read(std::uint64_t address) const {
        auto at = fileOffset(address, sizeof(T));
        if (!at) return std::nullopt;
        T value;
        std::memcpy(&value, file_.data() + *at, sizeof value);
        return value;
    }

    // A pointer field: its relocation's addend when it has one, else the bytes in place.
    std::optional<std::uint64_t> pointer(std::uint64_t address) const {
        if (auto it = relative_.find(address); it != relative_.end()) return it->second;
        return read<std::uint64_t>(address);
    }

    // A NUL-terminated string; "" for a null pointer.
    std::optional<std::string> string(std::uint64_t pointerAddress) const {
        auto p = pointer(pointerAddress);
        if (!p) return std::nullopt;
        if (*p == 0) return std::string();
        auto at = fileOffset(*p, 1);
        if (!at) return std::nullopt;
        std::uint64_t limit = std::min<std::uint64_t>(kMaxString, file_.size() - *at);
        const auto* begin = reinterpret_cast<const char*>(file_.data() + *at);
        const auto* nul = static_cast<const char*>(std::memchr(begin, 0, limit));
        if (!nul || !fileOffset(*p, nul - begin + 1)) return std::nullopt;
        return std::string(begin, nul);
    }

    const std::unordered_map<std::uint64_t, std::uint64_t>& relocated() const { return relative_; }
    // Counts a name about to be read; false once the file's budget is spent.
    bool spendName() const { return namesRead_++ < kMaxNames; }
    ByteView file() const { return file_; }

  private:
    struct Range {
        std::uint64_t address, size, offset;
    };

    void readRelocations(ByteView table, std::uint32_t relativeType) {
        for (std::uint64_t at = 0; at + sizeof(Elf64_Rela) <= table.size();
             at += sizeof(Elf64_Rela)) {
            Elf64_Rela r;
            std::memcpy(&r, table.data() + at, sizeof r);
            if (ELF64_R_TYPE(r.r_info) == relativeType)
                relative_[r.r_offset] = static_cast<std::uint64_t>(r.r_addend);
        }
    }

    ByteView file_;
    std::vector<Range> ranges_;
    std::unordered_map<std::uint64_t, std::uint64_t> relative_;
    mutable std::uint64_t namesRead_ = 0;
};

// [begin, end) of an array of `size`-byte structures, read from two pointer fields.
std::optional<std::pair<std::uint64_t, std::uint64_t>>
arrayAt(const AddressSpace& space, std::uint64_t field, std::size_t size) {
    auto begin = space.pointer(field), end = space.pointer(field + 8);
    if (!begin || !end || *end < *begin || (*end - *begin) % size ||
        (*end - *begin) / size > kMaxArray)
        return std::nullopt;
    if (*begin != *end && !space.fileOffset(*begin, *end - *begin)) return std::nullopt;
    return std::make_pair(*begin, *end);
}

// Kernel names. LLVM 20 changed the entry structure; the new one starts with 8 zero bytes,
// version 1 and kind 8 (SYCL), which is how the runtime tells them apart too.
std::vector<std::string> readEntries(const AddressSpace& space, std::uint64_t field) {
    auto first = space.pointer(field);
    if (!first || *first == 0) return {};
    auto reserved = space.read<std::uint64_t>(*first);
    auto versionKind = space.read<std::uint32_t>(*first + 8);
    auto flags = space.read<std::uint32_t>(*first + 12);
    bool isNew = reserved == 0u && versionKind == (1u | (8u << 16)) && flags == 0u;
    std::size_t size = isNew ? kEntrySizeNew : kEntrySizeOld;
    auto range = arrayAt(space, field, size);
    std::vector<std::string> names;
    if (!range) return names;
    for (std::uint64_t e = range->first; e < range->second && space.spendName(); e += size)
        if (auto name = space.string(e + (isNew ? 24 : 8)); name) names.push_back(*name);
    return names;
}

std::map<std::string, std::vector<SyclProperty>> readPropertySets(const AddressSpace& space,
                                                                  std::uint64_t field) {
    std::map<std::string, std::vector<SyclProperty>> sets;
    auto range = arrayAt(space, field, kPropertySetSize);
    if (!range) return sets;
    for (std::uint64_t set = range->first; set < range->second; set += kPropertySetSize) {
        auto name = space.string(set);
        auto props = arrayAt(space, set + 8, kPropertySize);
        if (!name || !props) continue;
        auto& list = sets[*name];
        for (std::uint64_t p = props->first; p < props->second && space.spendName();
             p += kPropertySize) {
            auto propName = space.string(p);
            auto type = space.read<std::uint32_t>(p + 16);
            auto value = space.read<std::uint64_t>(p + 24);
            if (propName && type && value) list.push_back({*propName, *type, *value});
        }
    }
    return sets;
}

// One device binary structure at `address`, or nothing if any of its fields does not check out.
std::optional<SyclDeviceBinary> readBinary(const AddressSpace& space, std::uint64_t address,
                                           std::uint16_t version) {
    auto head = space.read<std::uint32_t>(address); // u16 version, u8 kind, u8 format
    auto kind = head ? (*head >> 16) & 0xFF : 0;
    if (!head || (*head & 0xFFFF) != version ||
        (kind != kSyclOffloadKind && kind != kUpstreamSyclOffloadKind) || (*head >> 24) > 4)
        return std::nullopt;
    SyclDeviceBinary b;
    b.version = version;
    b.upstream = kind == kUpstreamSyclOffloadKind;
    b.format = static_cast<std::uint8_t>(*head >> 24);
    auto target = space.string(address + 8), compile = space.string(address + 16),
         link = space.string(address + 24);
    std::uint64_t image = address + (version == 3 ? 32 : 48); // after the manifest fields
    auto start = space.pointer(image), end = space.pointer(image + 8);
    if (!target || !compile || !link || !start || !end || *end <= *start) return std::nullopt;
    auto offset = space.fileOffset(*start, *end - *start);
    if (!offset) return std::nullopt;
    b.target = *target;
    b.compileOptions = *compile;
    b.linkOptions = *link;
    b.imageOffset = *offset;
    b.image = space.file().subspan(*offset, *end - *start);
    b.entries = readEntries(space, image + 16);
    b.propertySets = readPropertySets(space, image + 32);
    return b;
}

// The descriptor {u16 version 1, u16 count, pointer to the binaries, host entries} at `address`.
std::vector<SyclDeviceBinary> readDescriptor(const AddressSpace& space, std::uint64_t address) {
    auto head = space.read<std::uint64_t>(address);
    if (!head || (*head & 0xFFFF) != 1 || ((*head >> 16) & 0xFFFF) == 0 || (*head >> 32) != 0)
        return {};
    std::size_t count = (*head >> 16) & 0xFFFF;
    auto binaries = space.pointer(address + 8);
    auto version = binaries ? space.read<std::uint16_t>(*binaries) : std::nullopt;
    if (!version || *version < 1 || *version > 3) return {};
    std::size_t size = *version == 3 ? kBinarySizeV3 : kBinarySizeV2;
    std::vector<SyclDeviceBinary> out;
    for (std::size_t i = 0; i < count; ++i) {
        auto b = readBinary(space, *binaries + i * size, *version);
        if (!b) return {};
        b->descriptorAddress = address;
        b->index = i;
        out.push_back(std::move(*b));
    }
    return out;
}

// Where a descriptor can start: 8 bytes before a relocated pointer (its binaries field) in a
// relocatable-at-load file; every 8-byte step of the loaded data in one without relocations.
template <typename Visit>
void forEachCandidate(const AddressSpace& space, const ElfFile& elf, const Visit& visit) {
    std::vector<std::uint64_t> at;
    for (const auto& [address, target] : space.relocated())
        at.push_back(address - 8);
    std::sort(at.begin(), at.end());
    for (auto a : at)
        visit(a);
    if (!at.empty()) return;
    for (const auto& s : elf.sections)
        if ((s.flags & SHF_ALLOC) && !(s.flags & SHF_EXECINSTR) && s.address)
            for (std::uint64_t a = 0; a + 32 <= s.bytes.size(); a += 8)
                if (s.bytes[a] == 1 && s.bytes[a + 1] == 0) visit(s.address + a);
}

std::optional<std::uint64_t> uint32Property(const SyclDeviceBinary& b, const char* name) {
    auto set = b.propertySets.find("SYCL/misc properties");
    if (set == b.propertySets.end()) return std::nullopt;
    for (const auto& p : set->second)
        if (p.name == name && p.type == 1) return p.value;
    return std::nullopt;
}

void append(std::string& flags, const std::string& option) {
    if (!flags.empty()) flags += " ";
    flags += option;
}

// -ftarget-compile-fast becomes IGC's option; -ftarget-register-alloc-mode=pvc:OPTS is removed
// (its options apply on pvc only: there the runtime's flags differ, see FOREIGN_BINARIES.md).
void rewriteTargetOptions(std::string& flags) {
    const std::string fast = "-ftarget-compile-fast";
    if (auto pos = flags.find(fast); pos != std::string::npos)
        flags.replace(pos, fast.size(), "-igc_opts 'PartitionUnit=1,SubroutineThreshold=50000'");
    const std::string regAlloc = "-ftarget-register-alloc-mode=";
    for (auto pos = flags.find(regAlloc); pos != std::string::npos; pos = flags.find(regAlloc)) {
        auto end = flags.find(' ', pos);
        flags = flags.substr(0, pos) + (end == std::string::npos ? "" : flags.substr(end));
    }
}

} // namespace

std::vector<SyclDeviceBinary> readSyclDescriptors(ByteView file, const ElfFile& elf) {
    if (elf.type != ET_EXEC && elf.type != ET_DYN) return {};
    AddressSpace space(file, elf);
    std::vector<SyclDeviceBinary> all;
    forEachCandidate(space, elf, [&](std::uint64_t address) {
        auto found = readDescriptor(space, address);
        all.insert(all.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    });
    return all;
}

std::string syclFormatName(std::uint8_t format) {
    static const char* const names[] = {"none", "native", "SPIR-V", "LLVM IR", "compressed"};
    return format < 5 ? names[format] : "unknown";
}

std::string syclRuntimeBuildFlags(const SyclDeviceBinary& b) {
    std::string flags = b.compileOptions;
    bool esimd = uint32Property(b, "isEsimdImage").value_or(0) != 0;
    if (esimd) append(flags, "-vc-codegen -disable-finalizer-msg");
    auto regAlloc = uint32Property(b, "sycl-register-alloc-mode");
    auto grfSize = uint32Property(b, "sycl-grf-size");
    bool large = regAlloc ? *regAlloc == 2 : grfSize && *grfSize == 256;
    bool automatic = regAlloc ? *regAlloc == 0 : grfSize && *grfSize == 0;
    if (large) append(flags, esimd ? "-doubleGRF" : "-ze-opt-large-register-file");
    if (automatic) append(flags, "-ze-intel-enable-auto-large-GRF-mode");
    if (auto opt = uint32Property(b, "optLevel"); opt && !esimd && *opt <= 3)
        append(flags, *opt == 0 ? "-ze-opt-disable" : "-ze-opt-level=2");
    rewriteTargetOptions(flags);
    if (!b.linkOptions.empty()) flags += " " + b.linkOptions;
    return flags;
}

} // namespace aotpack::foreign
