#include "delivery/split.h"

#include "archive/signing.h"
#include "archive/tools.h"
#include "common/hash.h"
#include "common/text.h"
#include "crypto/sha256.h"
#include "devices/database.h"

#include <algorithm>
#include <map>

namespace aotpack::delivery {

using namespace archive; // the format this writes: readers, writers, entries, metadata keys
namespace {

Error splitConflict(const std::string& message) {
    return makeError(Errc::Conflict, message);
}

// The piece each target goes to: itself, or with --by compat the compatibility key whose binary
// serves it (when that key is a target of the archive too).
std::map<std::uint32_t, std::uint32_t> groupsOf(const std::vector<std::uint32_t>& targets,
                                                SplitBy by) {
    std::map<std::uint32_t, std::uint32_t> group;
    const auto& db = devices::Database::builtin();
    for (auto ip : targets) {
        group[ip] = ip;
        if (by != SplitBy::Compat) continue;
        for (auto key : db.keysServing(devices::IpVersion::fromValue(ip)))
            if (std::find(targets.begin(), targets.end(), key.value()) != targets.end())
                group[ip] = std::min(group[ip], key.value());
    }
    return group;
}

// A piece's archive metadata: the original's, its own targets as devices.expanded, split.*.
struct PieceIdentity {
    std::string name, of, all; // split.piece, split.of, split.pieces
    std::size_t index = 0, count = 0;
};

void setPieceMetadata(const ArchiveReader& in, ArchiveWriter& w, const std::string& targets,
                      const PieceIdentity& id) {
    for (const auto& [k, v] : in.archiveMetadata()) {
        w.setArchiveMetadata(std::string(k), std::string(v));
        w.setArchiveMetadata(kSplitMetaPrefix + std::string(k), std::string(v));
    }
    w.setArchiveMetadata("devices.expanded", targets);
    w.setArchiveMetadata(kSplitOf, id.of);
    w.setArchiveMetadata(kSplitIndex, std::to_string(id.index));
    w.setArchiveMetadata(kSplitCount, std::to_string(id.count));
    w.setArchiveMetadata(kSplitPiece, id.name);
    w.setArchiveMetadata(kSplitPieces, id.all);
    if (!in.signatureBlock().empty())
        w.setArchiveMetadata(kSplitSignature, toHex(in.signatureBlock()));
}

// The piece's entries: every SPIR-V (and entry of a kind this version does not know) unless
// `nativesOnly`, and the natives of `ips` (none for the SPIR-V piece).
Status fillPiece(const ArchiveReader& in, ArchiveWriter& w, const std::vector<std::uint32_t>& ips,
                 bool nativesOnly) {
    auto keep = [&](const EntryView& e) {
        if (e.kind != EntryKind::Native) return !nativesOnly;
        return std::find(ips.begin(), ips.end(), e.targetIp) != ips.end();
    };
    if (auto st = copyEntriesAsStored(in, w, keep); !st) return st;
    return success();
}

} // namespace

bool isSplitPiece(const ArchiveReader& in) {
    return in.archiveMeta(kSplitOf).has_value();
}

namespace {

// The pieces in index order: each group of targets (named "acm-g10+acm-g11"), then "spirv".
std::vector<std::pair<std::string, std::vector<std::uint32_t>>>
pieceTargets(const std::vector<std::uint32_t>& targets, SplitBy by) {
    std::map<std::uint32_t, std::vector<std::uint32_t>> groups; // group key -> its targets
    for (auto [ip, key] : groupsOf(targets, by))
        groups[key].push_back(ip);
    std::vector<std::pair<std::string, std::vector<std::uint32_t>>> named;
    for (const auto& [key, ips] : groups) {
        std::vector<std::string> names;
        for (auto ip : ips)
            names.push_back(devices::targetName(ip));
        named.emplace_back(join(names, "+"), ips);
    }
    named.emplace_back("spirv", std::vector<std::uint32_t>{});
    return named;
}

} // namespace

Expected<std::vector<SplitPiece>> splitArchive(const ArchiveReader& in,
                                               const SplitOptions& options) {
    if (isSplitPiece(in))
        return makeError(Errc::Usage, "'" + in.name() + "' is already a piece of a split archive");
    auto named = pieceTargets(in.targets(), options.by);
    std::vector<std::string> all;
    for (const auto& n : named)
        all.push_back(n.first);
    std::string of = sha256Hex(in.fileBytes());
    std::vector<SplitPiece> pieces;
    for (std::size_t i = 0; i < named.size(); ++i) {
        const auto& [name, ips] = named[i];
        SplitPiece piece{name, {}};
        bool spirvPiece = ips.empty();
        if (auto st = fillPiece(in, piece.writer, ips, options.nativesOnly && !spirvPiece); !st)
            return st.error();
        std::string expanded = spirvPiece ? "" : name;
        std::replace(expanded.begin(), expanded.end(), '+', ',');
        setPieceMetadata(in, piece.writer, expanded,
                         {name, of, join(all, ","), i + 1, named.size()});
        pieces.push_back(std::move(piece));
    }
    return pieces;
}

namespace {

// A missing piece as the user knows it: its targets and, where the given pieces have split's
// file names (<stem>.<piece>.aotpack), its file.
std::string describeMissing(const ArchiveReader& given, std::uint64_t index) {
    auto all = split(std::string(given.archiveMeta(kSplitPieces).value_or("")), ',');
    if (index == 0 || index > all.size()) return "piece " + std::to_string(index);
    const std::string& name = all[index - 1];
    std::string file = given.name();
    std::string suffix =
        "." + std::string(given.archiveMeta(kSplitPiece).value_or("")) + ".aotpack";
    if (file.size() > suffix.size() && file.ends_with(suffix))
        return file.substr(0, file.size() - suffix.size()) + "." + name + ".aotpack (" + name + ")";
    return "the " + name + " piece";
}

// The pieces not given, as describeMissing names them, after checking that each given one is a
// piece of the same split archive, given once.
Expected<std::vector<std::string>> missingPieces(const std::vector<const ArchiveReader*>& pieces) {
    std::string of(pieces.front()->archiveMeta(kSplitOf).value_or(""));
    auto count = parseUnsigned(pieces.front()->archiveMeta(kSplitCount).value_or(""));
    std::map<std::uint64_t, const ArchiveReader*> byIndex;
    for (const auto* in : pieces) {
        auto index = parseUnsigned(in->archiveMeta(kSplitIndex).value_or(""));
        if (!isSplitPiece(*in) || in->archiveMeta(kSplitOf) != of || !index || !count ||
            parseUnsigned(in->archiveMeta(kSplitCount).value_or("")) != count)
            return splitConflict("'" + in->name() +
                                 "' is not a piece of the same split archive as '" +
                                 pieces.front()->name() + "'");
        if (auto [it, fresh] = byIndex.emplace(*index, in); !fresh)
            return splitConflict("piece " + std::to_string(*index) + " is given twice: '" +
                                 it->second->name() + "' and '" + in->name() + "'");
    }
    std::vector<std::string> missing;
    for (std::uint64_t i = 1; i <= *count; ++i)
        if (!byIndex.count(i)) missing.push_back(describeMissing(*pieces.front(), i));
    return missing;
}

// The original's archive metadata, which every piece carries as split.meta.*; a partial merge's
// devices.expanded names only the given pieces' targets.
void restoreMetadata(const std::vector<const ArchiveReader*>& pieces, ArchiveWriter& w,
                     bool partial) {
    std::string prefix = kSplitMetaPrefix;
    for (const auto& [k, v] : pieces.front()->archiveMetadata())
        if (k.starts_with(prefix))
            w.setArchiveMetadata(std::string(k.substr(prefix.size())), std::string(v));
    if (!partial) return;
    std::vector<std::string> targets;
    for (const auto* in : pieces)
        if (auto t = in->archiveMeta("devices.expanded"); t && !t->empty())
            targets.emplace_back(*t);
    w.setArchiveMetadata("devices.expanded", join(targets, ","));
}

Expected<ArchiveWriter> mergeEntries(const std::vector<const ArchiveReader*>& pieces,
                                     bool partial) {
    auto missing = missingPieces(pieces);
    if (!missing) return missing.error();
    if (!missing->empty() && !partial)
        return splitConflict(std::to_string(missing->size()) + " of " +
                             std::string(pieces.front()->archiveMeta(kSplitCount).value_or("?")) +
                             " pieces missing: " + join(*missing, ", ") +
                             " (merge --partial merges only the pieces given)");
    ArchiveWriter w;
    for (const auto* in : pieces)
        if (auto st = copyEntriesAsStored(*in, w); !st) return st.error();
    restoreMetadata(pieces, w, partial);
    return w;
}

// A signed original's signature block, as its pieces carry it (empty when it was unsigned).
Expected<Bytes> originalSignature(const ArchiveReader& anyPiece) {
    auto hex = anyPiece.archiveMeta(kSplitSignature);
    if (!hex) return Bytes{};
    auto block = fromHex(*hex);
    if (!block)
        return splitConflict("'" + anyPiece.name() + "': its copy of the signature is damaged");
    return std::move(*block);
}

} // namespace

Expected<Bytes> mergeSplitPieces(const std::vector<const ArchiveReader*>& pieces, bool partial) {
    auto writer = mergeEntries(pieces, partial);
    if (!writer) return writer.error();
    auto merged = writer->finish();
    if (!merged || partial) return merged;
    auto signature = originalSignature(*pieces.front());
    if (!signature) return signature.error();
    if (!signature->empty()) *merged = withSignatureBlock(*merged, *signature);
    std::string of(pieces.front()->archiveMeta(kSplitOf).value_or(""));
    if (sha256Hex(*merged) == of) return merged;
    return splitConflict(
        "the pieces merge into an archive that is not the one they were split from "
        "(SHA-256 " +
        sha256Hex(*merged).substr(0, 12) + ", expected " + of.substr(0, 12) +
        "): written by another aotpack version?");
}

} // namespace aotpack::delivery
