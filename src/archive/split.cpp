#include "archive/split.h"

#include "archive/signing.h"
#include "archive/tools.h"
#include "common/hash.h"
#include "common/sha256.h"
#include "common/text.h"
#include "devices/database.h"

#include <algorithm>
#include <map>

namespace aotpack::archive {
namespace {

Error conflict(const std::string& message) {
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
void setPieceMetadata(const ArchiveReader& in, ArchiveWriter& w, const std::string& targets,
                      const std::string& piece, std::size_t index, std::size_t count,
                      const std::string& of) {
    for (const auto& [k, v] : in.archiveMetadata()) {
        w.setArchiveMetadata(std::string(k), std::string(v));
        w.setArchiveMetadata(kSplitMetaPrefix + std::string(k), std::string(v));
    }
    w.setArchiveMetadata("devices.expanded", targets);
    w.setArchiveMetadata(kSplitOf, of);
    w.setArchiveMetadata(kSplitIndex, std::to_string(index));
    w.setArchiveMetadata(kSplitCount, std::to_string(count));
    w.setArchiveMetadata(kSplitPiece, piece);
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

Expected<std::vector<SplitPiece>> splitArchive(const ArchiveReader& in,
                                               const SplitOptions& options) {
    if (isSplitPiece(in))
        return makeError(Errc::Usage, "'" + in.name() + "' is already a piece of a split archive");
    auto targets = in.targets();
    std::map<std::uint32_t, std::vector<std::uint32_t>> groups; // group key -> its targets
    for (auto [ip, key] : groupsOf(targets, options.by))
        groups[key].push_back(ip);
    std::string of = sha256Hex(in.fileBytes());
    std::vector<SplitPiece> pieces;
    std::size_t count = groups.size() + 1, index = 0;
    for (const auto& [key, ips] : groups) {
        std::vector<std::string> names;
        for (auto ip : ips)
            names.push_back(devices::targetName(ip));
        SplitPiece piece{join(names, "+"), {}};
        if (auto st = fillPiece(in, piece.writer, ips, options.nativesOnly); !st) return st.error();
        setPieceMetadata(in, piece.writer, join(names, ","), piece.name, ++index, count, of);
        pieces.push_back(std::move(piece));
    }
    SplitPiece spirv{"spirv", {}};
    if (auto st = fillPiece(in, spirv.writer, {}, false); !st) return st.error();
    setPieceMetadata(in, spirv.writer, "", "spirv", ++index, count, of);
    pieces.push_back(std::move(spirv));
    return pieces;
}

namespace {

// The whole archive's writer from its pieces' entries and their copy of its metadata.
Expected<ArchiveWriter> mergeEntries(const std::vector<const ArchiveReader*>& pieces) {
    std::string of(pieces.front()->archiveMeta(kSplitOf).value_or(""));
    auto count = parseUnsigned(pieces.front()->archiveMeta(kSplitCount).value_or(""));
    std::map<std::uint64_t, std::string> seen;
    ArchiveWriter w;
    for (const auto* in : pieces) {
        auto index = parseUnsigned(in->archiveMeta(kSplitIndex).value_or(""));
        if (!isSplitPiece(*in) || in->archiveMeta(kSplitOf) != of || !index || !count ||
            parseUnsigned(in->archiveMeta(kSplitCount).value_or("")) != count)
            return conflict("'" + in->name() + "' is not a piece of the same split archive as '" +
                            pieces.front()->name() + "'");
        if (auto [it, fresh] = seen.emplace(*index, in->name()); !fresh)
            return conflict("piece " + std::to_string(*index) + " is given twice: '" + it->second +
                            "' and '" + in->name() + "'");
        if (auto st = copyEntriesAsStored(*in, w); !st) return st.error();
    }
    std::vector<std::string> missing;
    for (std::uint64_t i = 1; count && i <= *count; ++i)
        if (!seen.count(i)) missing.push_back(std::to_string(i));
    if (!missing.empty())
        return conflict("piece(s) " + join(missing, ",") + " of " + std::to_string(*count) +
                        " missing (split of " + of.substr(0, 12) + ")");
    std::string prefix = kSplitMetaPrefix;
    for (const auto& [k, v] : pieces.front()->archiveMetadata())
        if (k.starts_with(prefix))
            w.setArchiveMetadata(std::string(k.substr(prefix.size())), std::string(v));
    return w;
}

// A signed original's signature block, as its pieces carry it (empty when it was unsigned).
Expected<Bytes> originalSignature(const ArchiveReader& anyPiece) {
    auto hex = anyPiece.archiveMeta(kSplitSignature);
    if (!hex) return Bytes{};
    auto block = fromHex(*hex);
    if (!block) return conflict("'" + anyPiece.name() + "': its copy of the signature is damaged");
    return std::move(*block);
}

} // namespace

Expected<Bytes> mergeSplitPieces(const std::vector<const ArchiveReader*>& pieces) {
    auto writer = mergeEntries(pieces);
    if (!writer) return writer.error();
    auto merged = writer->finish();
    if (!merged) return merged.error();
    auto signature = originalSignature(*pieces.front());
    if (!signature) return signature.error();
    if (!signature->empty()) *merged = withSignatureBlock(*merged, *signature);
    std::string of(pieces.front()->archiveMeta(kSplitOf).value_or(""));
    if (sha256Hex(*merged) == of) return merged;
    return conflict("the pieces merge into an archive that is not the one they were split from "
                    "(SHA-256 " +
                    sha256Hex(*merged).substr(0, 12) + ", expected " + of.substr(0, 12) +
                    "): written by another aotpack version?");
}

} // namespace aotpack::archive
