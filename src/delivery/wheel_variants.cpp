#include "delivery/wheel_variants.h"

#include "archive/reader.h"
#include "archive/signing.h"
#include "crypto/sha256.h"
#include "delivery/slim.h"
#include "delivery/wheel.h"
#include "devices/ip_version.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace aotpack::delivery {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One archive of the wheel, cut: its piece per target group, and what the null variant gets.
struct CutArchive {
    std::size_t entry = 0; // index into the wheel's entries
    std::map<std::string, Bytes> pieces;
    Bytes null;
    bool signedOriginal = false; // the wheel's archive was signed
};

// "acm-g10+acm-g11" -> "acm_g10_acm_g11"; a name PEP 825 cannot take as a label (over 16
// characters, or "null") gets "g" and 12 hex digits of its SHA-256: unique, stable, valid.
std::string labelFor(const std::string& piece) {
    std::string label;
    for (char c : piece)
        label += std::isalnum(static_cast<unsigned char>(c)) || c == '.'
                     ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                     : '_';
    if (!isVariantLabel(label) || label == "null") label = "g" + sha256Hex(piece).substr(0, 12);
    return label;
}

// A variant's archive, signed with the keys the options name.
Expected<Bytes> finishSigned(archive::ArchiveWriter& writer, const std::string& name,
                             const VariantOptions& o) {
    auto bytes = writer.finish();
    if (!bytes || o.signKeys.empty()) return bytes;
    return archive::signArchiveBytes(*bytes, name, o.signKeys);
}

Expected<CutArchive> cut(const WheelEntry& e, std::size_t index, const VariantOptions& o) {
    auto reader = archive::ArchiveReader::openMemory(e.data, e.name);
    if (!reader) return reader.error();
    auto pieces = delivery::splitArchive(*reader, {o.by, false});
    if (!pieces) return pieces.error();
    CutArchive out{index, {}, {}, !reader->signatureBlock().empty()};
    for (auto& p : *pieces) {
        auto bytes = finishSigned(p.writer, e.name, o);
        if (!bytes) return bytes.error();
        (p.name == "spirv" ? out.null : out.pieces[p.name]) = std::move(*bytes);
    }
    if (!o.nativesUrl.empty()) {
        auto slim = delivery::slimArchive(*reader, o.nativesUrl);
        if (!slim) return slim.error();
        auto bytes = finishSigned(*slim, e.name, o);
        if (!bytes) return bytes.error();
        out.null = std::move(*bytes);
    }
    return out;
}

std::vector<std::string> ipsOf(const Bytes& piece) {
    std::vector<std::string> ips;
    if (auto r = archive::ArchiveReader::openMemory(piece, "piece"))
        for (auto ip : r->targets())
            ips.push_back(devices::IpVersion::fromValue(ip).str());
    return ips;
}

json variantsJson(const std::map<std::string, std::vector<std::string>>& labels) {
    json variants = json::object();
    for (const auto& [label, ips] : labels)
        variants[label] = ips.empty() ? json::object() : json{{"intel", {{"device_ip", ips}}}};
    return {{"$schema", kVariantSchema},
            {"default-priorities", {{"namespace", {"intel"}}}},
            {"variants", variants}};
}

// The wheel for one piece name ("" for the null variant), with its variant.json.
Status writeVariant(const std::vector<WheelEntry>& entries, const std::vector<CutArchive>& cuts,
                    const std::string& piece, const VariantWheel& v, const std::string& info) {
    std::vector<WheelEntry> out = entries;
    std::time_t mtime = 0;
    for (const auto& c : cuts) {
        auto it = c.pieces.find(piece);
        out[c.entry].data = piece.empty() || it == c.pieces.end() ? c.null : it->second;
        mtime = std::max(mtime, out[c.entry].mtime);
    }
    std::string text = variantsJson({{v.label, v.ips}}).dump(2) + "\n";
    out.push_back({info + "variant.json", Bytes(text.begin(), text.end()), mtime});
    return writeWheel(v.path, std::move(out));
}

Status writePlain(const std::vector<WheelEntry>& entries, const std::vector<CutArchive>& cuts,
                  const fs::path& path) {
    std::vector<WheelEntry> out = entries;
    for (const auto& c : cuts)
        out[c.entry].data = c.null;
    return writeWheel(path, std::move(out));
}

// Every .aotpack file of the wheel split per target; a warning for each signed one whose
// variants go out unsigned.
Expected<std::vector<CutArchive>> cutAll(const std::vector<WheelEntry>& entries,
                                         const VariantOptions& options,
                                         std::vector<std::string>& warnings) {
    std::vector<CutArchive> cuts;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].name.ends_with(".aotpack")) continue;
        auto c = cut(entries[i], i, options);
        if (!c) return c.error();
        if (c->signedOriginal && options.signKeys.empty())
            warnings.push_back("'" + entries[i].name +
                               "' is signed, its variants are not (they are new files): give "
                               "--sign KEY");
        cuts.push_back(std::move(*c));
    }
    return cuts;
}

} // namespace

Expected<VariantSet> writeWheelVariants(const fs::path& wheel, const fs::path& outDir,
                                        const VariantOptions& options) {
    if (std::error_code ec; !fs::is_regular_file(wheel, ec)) // before its name is judged
        return makeError(Errc::BadInput, "'" + wheel.string() + "' does not exist");
    auto name = parseWheelName(wheel.filename().string());
    if (!name) return name.error();
    if (!name->label.empty())
        return makeError(Errc::Usage, "'" + wheel.string() + "' is a variant wheel already");
    auto entries = readWheel(wheel);
    if (!entries) return entries.error();
    auto info = distInfoDir(*entries);
    if (!info)
        return makeError(Errc::BadInput, "'" + wheel.string() + "': " + info.error().message);
    std::vector<std::string> warnings;
    auto cuts = cutAll(*entries, options, warnings);
    if (!cuts) return cuts.error();
    std::set<std::string> pieceNames;
    for (const auto& c : *cuts)
        for (const auto& [piece, bytes] : c.pieces)
            pieceNames.insert(piece);
    if (cuts->empty())
        return makeError(Errc::Usage, "'" + wheel.string() + "' ships no .aotpack archive");
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (fs::equivalent(outDir, wheel.parent_path().empty() ? "." : wheel.parent_path(), ec))
        return makeError(Errc::Usage, "write the variants into another directory than '" +
                                          wheel.string() + "' (its plain wheel is rewritten)");
    VariantSet set;
    set.warnings = std::move(warnings);
    std::map<std::string, std::vector<std::string>> labels;
    for (const std::string& piece : pieceNames) {
        WheelName n = *name;
        n.label = labelFor(piece);
        std::vector<std::string> ips;
        for (const auto& c : *cuts)
            if (auto it = c.pieces.find(piece); it != c.pieces.end())
                for (auto& ip : ipsOf(it->second))
                    if (std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
        VariantWheel v{n.label, ips, outDir / n.str()};
        if (auto st = writeVariant(*entries, *cuts, piece, v, *info); !st) return st.error();
        labels[v.label] = ips;
        set.wheels.push_back(std::move(v));
    }
    WheelName null = *name;
    null.label = "null";
    VariantWheel v{"null", {}, outDir / null.str()};
    if (auto st = writeVariant(*entries, *cuts, "", v, *info); !st) return st.error();
    labels["null"] = {};
    set.wheels.push_back(std::move(v));
    // Installers that do not know variants (pip 23) cannot take a labelled file name: the null
    // variant's content also goes out as the plain wheel (without variant.json), which PEP 825
    // lets sit beside the variants.
    set.plain = outDir / name->str();
    if (auto st = writePlain(*entries, *cuts, set.plain); !st) return st.error();
    set.index = outDir / (name->distribution + "-" + name->version + "-variants.json");
    if (auto st = writeFileAtomic(set.index, variantsJson(labels).dump(2) + "\n"); !st)
        return st.error();
    return set;
}

} // namespace aotpack::delivery
