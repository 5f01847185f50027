#include "foreign/inspect.h"

#include "common/ar_members.h"
#include "common/elf_sections.h"
#include "common/mapped_file.h"
#include "common/text.h"
#include "foreign/bitcode_producer.h"
#include "foreign/offload_binary.h"
#include "foreign/offload_bundle.h"
#include "foreign/openmp_image.h"
#include "foreign/sycl_descriptor.h"
#include "foreign/syclbin.h"

#include <cstring>
#include <elf.h>
#include <functional>
#include <set>

namespace aotpack::foreign {

namespace {

// What a walk collects, and how it lets go of bytes it has scanned (a mapped file drops their
// pages; other memory is kept).
struct Walker {
    std::vector<DeviceImage> images;
    std::function<void(ByteView)> release = [](ByteView) {};
    ImageVisitor visit;                               // also given each image's bytes, if set
    std::map<std::uint64_t, std::uint64_t> described; // file offset -> size: a descriptor's images
    std::vector<std::shared_ptr<const Bytes>> inflated; // decompressed containers, while walked
};

constexpr int kMaxDepth = 4; // images inside images inside archives: no deeper in practice
constexpr std::uint64_t kReleaseEvery = 16ull << 20; // bytes scanned between page releases

// "WHERE: MESSAGE", or the message alone at the top of the file.
std::string located(const std::string& where, const std::string& message) {
    return (where.empty() ? "" : where + ": ") + message;
}

// What `bytes` is, or an image of `otherKind` (all its bytes) when it is none the readers know:
// a container said an image is there, so it is reported either way.
DeviceImage describeOr(ByteView bytes, std::string otherKind) {
    if (auto image = describeImage(bytes)) return std::move(*image);
    DeviceImage d;
    d.kind = std::move(otherKind);
    d.size = bytes.size();
    return d;
}

void addImage(DeviceImage image, const std::string& where, std::uint64_t offset, ByteView stored,
              Walker& w) {
    image.where = where;
    image.offset = offset;
    if (w.visit) w.visit(image, stored.first(std::min<std::uint64_t>(image.size, stored.size())));
    w.images.push_back(std::move(image));
}

Status walk(ByteView bytes, std::uint64_t base, const std::string& where, int depth, Walker& w);

// Each image of a SYCLBIN v1 described as found anywhere else, with where it sits in the SYCLBIN.
Status walkSyclbinV1(ByteView bytes, std::uint64_t base, const std::string& where, Walker& w) {
    auto images = readSyclbinV1(bytes);
    if (!images)
        return makeError(Errc::BadInput, located(where, images.error().message + " (file offset " +
                                                            hexOffset(base) + ")"));
    for (const auto& i : *images) {
        std::string here = where + ", SYCLBIN v1 abstract module " +
                           std::to_string(i.abstractModule) + (i.native ? " native" : " IR");
        auto image = describeImage(i.bytes);
        if (!image) return makeError(Errc::BadInput, located(here, image.error().message));
        image->properties["syclbin"] = i.native ? "native" : "ir";
        addImage(std::move(*image), here, base + i.offset, i.bytes, w);
    }
    return success();
}

// An OffloadBinary entry of image kind 7: a SYCLBIN v1 inside it, or a v2 entry (its role says
// whether it carries device code).
Status walkSyclbinEntry(const OffloadEntry& e, std::uint64_t base, const std::string& here,
                        Walker& w) {
    if (looksLikeSyclbinV1(e.image)) return walkSyclbinV1(e.image, base, here, w);
    auto code = syclbinV2Code(e);
    if (!code) return makeError(Errc::BadInput, located(here, code.error().message));
    if (!*code) return success(); // metadata, no device code
    auto image = describeImage(**code);
    if (!image) return makeError(Errc::BadInput, located(here, image.error().message));
    image->properties = e.strings;
    image->properties["syclbin"] = "v2 " + e.strings.at("role");
    image->compressed = image->compressed || e.compressed;
    addImage(std::move(*image), here, base, **code, w);
    return success();
}

// The file offset of `inner` when it lies inside `outer` (a view into the file at `base`); the
// container's own offset when it does not (its bytes were decompressed).
std::uint64_t offsetOf(ByteView inner, ByteView outer, std::uint64_t base) {
    bool inside = inner.data() >= outer.data() && inner.data() < outer.data() + outer.size();
    return inside ? base + static_cast<std::uint64_t>(inner.data() - outer.data()) : base;
}

// OpenMP offloading's IntelGT ELF: each image it holds, with the flags the Level Zero plugin
// builds it with. `properties` are the enclosing container's (triple, producer).
Status walkOpenmpImage(ByteView bytes, std::uint64_t base, const std::string& where,
                       const std::map<std::string, std::string>& properties, Walker& w) {
    auto images = readOpenmpImage(bytes);
    if (!images) return makeError(Errc::BadInput, located(where, images.error().message));
    for (const auto& i : *images) {
        std::string here = where + ", OpenMP image " + std::to_string(i.index);
        DeviceImage d = describeOr(
            i.bytes, i.format == 0 ? "other (native)" : "other (" + std::to_string(i.format) + ")");
        d.properties = properties;
        d.properties["container"] = "intelgt-openmp";
        d.properties["compile-options"] = i.compileOptions;
        d.properties["link-options"] = i.linkOptions;
        if (i.parts > 1) d.properties["parts"] = std::to_string(i.parts);
        if (d.kind == "spirv" && i.parts == 1)
            d.properties["openmp-build-flags"] = openmpLevelZeroBuildFlags(i);
        addImage(std::move(d), here, base + i.offset, i.bytes, w);
    }
    return success();
}

// One clang-offload-bundler entry: device code of any offload kind (host entries are the host
// object itself and are walked as such only when they hold more).
Status walkBundleEntry(const BundleEntry& e, std::uint64_t offset, const std::string& here,
                       int depth, Walker& w) {
    BundleId id = parseBundleId(e.id);
    if (id.kind == "host") return walk(e.bytes, offset, here, depth + 1, w);
    std::map<std::string, std::string> properties{
        {"producer", id.kind}, {"triple", id.triple}, {"bundle-id", e.id}};
    if (!id.arch.empty()) properties["arch"] = id.arch;
    if (looksLikeOpenmpImage(e.bytes)) return walkOpenmpImage(e.bytes, offset, here, properties, w);
    DeviceImage d = describeOr(e.bytes, looksLikeBitcode(e.bytes) ? "llvm-bitcode" : "other");
    if (auto producer = bitcodeProducer(e.bytes); d.kind == "llvm-bitcode" && producer)
        d.properties["llvm-producer"] = *producer;
    d.properties.insert(properties.begin(), properties.end());
    addImage(std::move(d), here, offset, e.bytes, w);
    return success();
}

// A bundle file (or several back to back, as HIP's .hip_fatbin sections hold them).
Status walkBundles(ByteView bytes, std::uint64_t base, const std::string& where, int depth,
                   Walker& w) {
    for (std::uint64_t at = 0; at < bytes.size() && looksLikeOffloadBundle(bytes.subspan(at));) {
        auto bundle = readOffloadBundle(bytes.subspan(at));
        if (!bundle)
            return makeError(Errc::BadInput,
                             located(where, bundle.error().message + " (file offset " +
                                                hexOffset(base + at) + ")"));
        if (bundle->inflated) w.inflated.push_back(bundle->inflated);
        for (const auto& e : bundle->entries) {
            std::string here = where + ", offload bundle entry '" + e.id + "'";
            std::uint64_t offset = bundle->compressed ? base + at : base + at + e.offset;
            if (auto st = walkBundleEntry(e, offset, here, depth, w); !st) return st;
        }
        at += std::max<std::uint64_t>(bundle->size, 1);
        while (at < bytes.size() && bytes[at] == 0) // alignment padding between bundles
            ++at;
    }
    return success();
}

Status walkOffloadBinaries(ByteView section, std::uint64_t base, const std::string& where,
                           Walker& w) {
    for (std::uint64_t at = 0; at + 32 <= section.size();) {
        if (!looksLikeOffloadBinary(section.subspan(at))) break;
        auto binary = readOffloadBinary(section.subspan(at));
        if (!binary)
            return makeError(Errc::BadInput, where + ": " + binary.error().message +
                                                 " (file offset " + hexOffset(base + at) + ")");
        for (std::size_t i = 0; i < binary->entries.size(); ++i) {
            const auto& e = binary->entries[i];
            std::string here = where + ", OffloadBinary v" + std::to_string(e.version) + " entry " +
                               std::to_string(i);
            if (e.imageKind == kImageKindSyclbin) {
                if (auto st = walkSyclbinEntry(e, base + at, here, w); !st) return st;
                continue;
            }
            if (looksLikeOpenmpImage(e.image)) { // OpenMP offloading to Intel GPUs
                auto properties = e.strings;
                properties["producer"] = offloadKindName(e.offloadKind);
                auto st =
                    walkOpenmpImage(e.image, offsetOf(e.image, section, base), here, properties, w);
                if (!st) return st;
                continue;
            }
            DeviceImage d =
                describeOr(e.image, std::string("other (") + imageKindName(e.imageKind) + ")");
            d.compressed = d.compressed || e.compressed;
            d.properties = e.strings;
            d.properties["offload-kind"] = offloadKindName(e.offloadKind);
            d.properties["producer"] = offloadKindName(e.offloadKind);
            d.properties["image-kind"] = imageKindName(e.imageKind);
            addImage(std::move(d), here, base + at, e.image, w);
        }
        at += (binary->size + 7) & ~7ull;
    }
    return success();
}

// Images that a linker or objcopy put into a section with no container around them: found by
// magic at their natural alignment (4 for SPIR-V, 8 for the others).
void scanSection(ByteView section, std::uint64_t base, const std::string& where, Walker& w) {
    std::uint64_t released = 0;
    for (std::uint64_t at = 0; at + 20 <= section.size();) {
        if (at - released >= kReleaseEvery) { // a 1 GB section must not stay resident
            w.release(section.subspan(released, at - released));
            released = at;
        }
        std::uint32_t first;
        std::memcpy(&first, section.data() + at, 4);
        if (!mayStartImage(first)) { // most of a section: one compare, not a full sniff
            at += 4;
            continue;
        }
        ByteView rest = section.subspan(at);
        ImageKind kind = sniff(rest);
        bool aligned = kind == ImageKind::Spirv ? at % 4 == 0 : at % 8 == 0 || at == 0;
        if (kind != ImageKind::None && aligned) {
            if (auto d = w.described.find(base + at); d != w.described.end()) {
                at += (d->second + 3) & ~3ull; // a descriptor's image, already reported with it
                continue;
            }
            auto image = describeImage(rest);
            if (image && image->size > 0) {
                addImage(std::move(*image), where, base + at, rest, w);
                at += (w.images.back().size + 3) & ~3ull;
                continue;
            }
        }
        at += 4;
    }
}

bool skipped(const ElfSection& s) {
    return s.bytes.empty() || s.type == SHT_SYMTAB || s.type == SHT_DYNSYM ||
           s.type == SHT_STRTAB || s.type == SHT_RELA || s.type == SHT_REL ||
           (s.flags & SHF_EXECINSTR) || s.name.starts_with(".debug") ||
           s.name.starts_with(".eh_frame") || s.name == ".dynamic";
}

// The images a DPC++ descriptor lists, with their target, options and kernel names.
void walkSyclDescriptors(ByteView bytes, const ElfFile& elf, std::uint64_t base,
                         const std::string& where, Walker& w) {
    for (auto& b : readSyclDescriptors(bytes, elf)) {
        std::string here =
            (where.empty() ? "" : where + ", ") +
            (b.upstream ? "SYCL descriptor (upstream clang) at " : "DPC++ descriptor at ") +
            hexOffset(b.descriptorAddress) + " image " + std::to_string(b.index);
        DeviceImage d = describeOr(b.image, "other (" + syclFormatName(b.format) + ")");
        d.properties["triple"] = b.target;
        d.properties["producer"] = b.upstream ? "sycl (upstream clang)" : "sycl (DPC++)";
        d.properties["format"] = syclFormatName(b.format);
        d.properties["compile-options"] = b.compileOptions;
        d.properties["link-options"] = b.linkOptions;
        d.properties["entries"] = std::to_string(b.entries.size());
        std::vector<std::string> sets;
        for (const auto& [name, properties] : b.propertySets)
            sets.push_back(name);
        if (!sets.empty()) d.properties["property-sets"] = join(sets, ", ");
        if (d.kind == "spirv") d.properties["sycl-build-flags"] = syclRuntimeBuildFlags(b);
        w.described[base + b.imageOffset] = b.image.size();
        addImage(std::move(d), here, base + b.imageOffset, b.image, w);
    }
}

Status walkElf(ByteView bytes, std::uint64_t base, const std::string& where, int depth, Walker& w) {
    auto elf = readElf(bytes);
    if (!elf) return makeError(Errc::BadInput, located(where, elf.error().message));
    walkSyclDescriptors(bytes, *elf, base, where, w);
    for (const auto& s : elf->sections) {
        if (skipped(s)) continue;
        std::string here = (where.empty() ? "" : where + ", ") + "section '" + s.name + "'";
        bool offloading = s.type == 0x6fff4c0b || s.name.starts_with(".llvm.offloading");
        if (offloading && looksLikeOffloadBinary(s.bytes)) { // SHT_LLVM_OFFLOADING
            if (auto st = walkOffloadBinaries(s.bytes, base + s.offset, here, w); !st) return st;
            continue;
        }
        if (s.name.starts_with(kBundleMagic)) { // a fat object's entry: the section is its bytes
            BundleEntry e{s.name.substr(kBundleMagic.size()), 0, s.bytes};
            if (auto st = walkBundleEntry(e, base + s.offset, here, depth, w); !st) return st;
            continue;
        }
        if (looksLikeOffloadBundle(s.bytes)) {
            if (auto st = walkBundles(s.bytes, base + s.offset, here, depth, w); !st) return st;
            continue;
        }
        // Upstream clang's SYCL (LLVM's new offloading driver) puts the linked SPIR-V itself into
        // .llvm.offloading: found by the scan like any image in a section.
        scanSection(s.bytes, base + s.offset, here, w);
    }
    return success();
}

// A static library (ar of host objects): each member is walked as a file.
Status walkStaticLibrary(ByteView b, std::uint64_t base, const std::string& where, int depth,
                         Walker& w) {
    auto ar = readArMembers(b);
    for (const auto& m : ar.members) {
        std::string here = (where.empty() ? "" : where + ", ") + "member '" + m.name + "'";
        if (auto st = walk(m.bytes, base + m.offset, here, depth + 1, w); !st) return st;
    }
    if (ar.malformed)
        return makeError(Errc::BadInput, located(where, "malformed archive member header at " +
                                                            hexOffset(base + *ar.malformed)));
    return success();
}

Status walk(ByteView bytes, std::uint64_t base, const std::string& where, int depth, Walker& w) {
    if (depth > kMaxDepth) return success();
    if (looksLikeOffloadBundle(bytes))
        return walkBundles(bytes, base, where.empty() ? "the file" : where, depth, w);
    if (looksLikeOpenmpImage(bytes))
        return walkOpenmpImage(bytes, base, where.empty() ? "the file" : where,
                               {{"producer", "openmp"}}, w);
    ImageKind kind = sniff(bytes);
    if (kind != ImageKind::None) {
        auto image = describeImage(bytes);
        if (!image && kind == ImageKind::AotpackArchive && where.empty()) {
            // The file is an aotpack archive: the archive tools' exit code (4) and its name.
            std::string message = image.error().message;
            const std::string embedded = "'<embedded archive>' ";
            if (message.starts_with(embedded))
                message = "the archive " + message.substr(embedded.size());
            return makeError(image.error().code, message);
        }
        if (!image) return makeError(Errc::BadInput, located(where, image.error().message));
        addImage(std::move(*image), where.empty() ? "the file" : where, base, bytes, w);
        return success();
    }
    if (looksLikeOffloadBinary(bytes))
        return walkOffloadBinaries(bytes, base, where.empty() ? "the file" : where, w);
    if (looksLikeSyclbinV1(bytes))
        return walkSyclbinV1(bytes, base, where.empty() ? "the file" : where, w);
    if (looksLikeElf(bytes)) return walkElf(bytes, base, where, depth, w);
    if (looksLikeAr(bytes)) return walkStaticLibrary(bytes, base, where, depth, w);
    return success();
}

} // namespace

std::string hexOffset(std::uint64_t offset) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(offset));
    return buf;
}

static Expected<Inspection> inspect(ByteView bytes, const std::string& name, Walker& w) {
    if (auto st = walk(bytes, 0, "", 0, w); !st)
        return makeError(st.error().code, "'" + name + "': " + st.error().message);
    return Inspection{name, std::move(w.images)};
}

Expected<Inspection> inspectBytes(ByteView bytes, const std::string& name) {
    Walker w;
    return inspect(bytes, name, w);
}

Expected<Inspection> inspectFile(const std::filesystem::path& path, const ImageVisitor& visit) {
    auto file = MappedFile::open(path, /*noFollow=*/false);
    if (!file) {
        std::error_code ec;
        bool exists = std::filesystem::exists(path, ec);
        return makeError(Errc::BadInput,
                         "cannot read '" + path.string() + "'" +
                             (exists ? " (empty or not a regular file)" : ": no such file"));
    }
    Walker w;
    w.release = [](ByteView scanned) { releaseMappedPages(scanned); };
    w.visit = visit;
    return inspect(file->bytes(), path.string(), w);
}

std::string summaryLine(const std::vector<Inspection>& inspections) {
    std::set<std::string> natives;
    bool spirv = false, bitcode = false;
    for (const auto& i : inspections)
        for (const auto& d : i.images) {
            spirv = spirv || d.kind == "spirv" || d.properties.count("spirv"); // ocloc AR's IR
            auto triple = d.properties.find("triple");
            bitcode = bitcode || (d.kind == "llvm-bitcode" && triple != d.properties.end() &&
                                  triple->second.starts_with("spir"));
            for (const auto& t : d.targets)
                natives.insert(t.ip.empty() ? t.name : t.name + " (" + t.ip + ")");
        }
    std::string line = natives.empty()
                           ? "no native code"
                           : "natively for " + join({natives.begin(), natives.end()}, ", ");
    std::string every = natives.empty() ? "every" : "every other";
    if (spirv)
        line += "; " + every + " Intel GPU JIT-compiles the SPIR-V";
    else if (bitcode)
        line += "; LLVM bitcode for SPIR-V targets: capture translates it (llvm-spirv)";
    else
        line += "; no SPIR-V, so other GPUs cannot run it";
    return line;
}

} // namespace aotpack::foreign
