// Archive commands: list, size, extract, verify, merge, remove-targets, export-ar, embed.
#include "archive/shards.h"
#include "archive/signing.h"
#include "archive/tools.h"
#include "cli/archive_view.h"
#include "cli/commands.h"
#include "common/diagnostics.h"
#include "common/hash.h"
#include "common/text.h"
#include "delivery/split.h"
#include "devices/device_list.h"
#include "runtime/native_fetch.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <set>

namespace aotpack::cli {
using namespace archive;
using delivery::isSplitPiece, delivery::mergeSplitPieces, delivery::splitArchive, delivery::SplitBy,
    delivery::SplitOptions;

namespace {

struct ArchiveArgs {
    std::string archive, output, module, target, devices, symbol;
    std::vector<std::string> inputs, trusted, signKeys;
    bool json = false, targetsOnly = false, nativesOnly = false;
};

// Writes the archive, then signs it with `signKeys` (private key files) if any.
int writeWith(const std::string& output, const ArchiveWriter& writer,
              const std::vector<std::string>& signKeys = {}) {
    auto keys = archive::loadSigningKeys(signKeys);
    if (!keys) return diag::fail(keys.error()); // before writing anything
    if (auto st = writeArchiveFile(output, writer, {}, *keys); !st) return diag::fail(st.error());
    return 0;
}

void addList(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub = r.app.add_subcommand("list", "List an archive's modules, targets and kernels");
    sub->footer("Example:\n  aotpack list app.aotpack\n  aotpack list --targets app.aotpack\n  "
                "aotpack list --json app.aotpack");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_flag("--targets", a->targetsOnly, "Print only the target list (one per line)");
    sub->add_flag("--json", a->json, "Print JSON");
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        if (a->targetsOnly && !a->json) {
            for (auto ip : in->targets())
                std::cout << targetName(ip) << "\n";
        } else if (a->json) {
            auto j = listJson(*in);
            std::cout << (a->targetsOnly ? j["targets"] : j).dump(2) << "\n";
        } else {
            printList(*in);
        }
        return 0;
    });
}

void addSize(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub = r.app.add_subcommand("size", "Bytes per target and per module, compressed and raw");
    sub->footer("Example:\n  aotpack size app.aotpack\n  aotpack size --json app.aotpack");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_flag("--json", a->json, "Print JSON");
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        if (a->json)
            std::cout << sizeJson(*in).dump(2) << "\n";
        else
            printSize(*in);
        return 0;
    });
}

void addExtract(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub =
        r.app.add_subcommand("extract", "Write an archive's .spv and .bin files into a directory");
    sub->footer("Example:\n  aotpack extract app.aotpack -o out/\n  aotpack extract app.aotpack "
                "--module vector_ops --target pvc -o out/");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_option("--module", a->module, "Only this module");
    sub->add_option("--target", a->target, "Only binaries for this target");
    sub->add_option("-o,--output", a->output, "Directory")->required();
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        ExtractFilter filter;
        if (!a->module.empty()) filter.module = a->module;
        if (!a->target.empty()) {
            auto ip = singleTargetIp(a->target, "--target");
            if (!ip) return diag::fail(ip.error());
            filter.targetIp = *ip;
        }
        auto written = extract(*in, filter, a->output);
        if (!written) return diag::fail(written.error());
        for (const auto& p : *written)
            std::cout << p.string() << "\n";
        return 0;
    });
}

// --trusted: which trusted key signed the archive, and every entry is what it signed.
Expected<std::string> verifySigner(const ArchiveReader& in, const std::vector<std::string>& keys) {
    std::vector<crypto::Ed25519Key> trusted;
    for (const auto& path : keys) {
        auto key = crypto::Ed25519Key::loadPublic(path);
        if (!key) return key.error();
        trusted.push_back(std::move(*key));
    }
    auto verified = archive::VerifiedArchive::check(in, trusted);
    if (!verified) return verified.error();
    for (const auto& e : in.entries())
        if (auto st = verified->checkEntry(in, e); !st) return st.error();
    return verified->signer();
}

// The ids of the keys that signed the archive (unchecked: --trusted checks them).
std::vector<std::string> signatureKeyIds(const ArchiveReader& in) {
    std::vector<std::string> ids;
    if (auto block = archive::readSignatureBlock(in); block && *block)
        for (const auto& s : (*block)->signatures)
            ids.push_back(toHex(std::span<const std::uint8_t>(s.keyId.data(), 8)));
    return ids;
}

void addVerify(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub =
        r.app.add_subcommand("verify", "Check every checksum and structural rule of an archive");
    sub->footer("Example:\n  aotpack verify app.aotpack\n  aotpack verify --json app.aotpack");
    sub->add_option("archive", a->archive, "Archive to check")->required();
    sub->add_flag(
        "--json", a->json,
        "Print {archive, ok, entries, payloads, signer, error} (the exit code is the same)");
    sub->add_option("--trusted", a->trusted,
                    "Public key (KEY.pub) whose signature is required; repeat for several (exit 4 "
                    "when none of them signed the archive, or an entry is not what was signed)");
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive); // checks header, index and layout
        Status st = in ? in->verifyPayloads() : Status(in.error());
        std::string signer;
        if (st && !a->trusted.empty()) {
            auto who = verifySigner(*in, a->trusted);
            if (who)
                signer = *who;
            else
                st = who.error();
        }
        if (a->json) {
            nlohmann::json out = {
                {"archive", a->archive},
                {"ok", st.ok()},
                {"entries", in ? in->entryCount() : std::size_t{0}},
                {"payloads", in ? in->blobCount() : std::size_t{0}},
                {"signer", signer},
                {"signatures", in ? signatureKeyIds(*in) : std::vector<std::string>{}},
                {"error", st ? "" : st.error().message}};
            std::cout << out.dump(2) << "\n";
        }
        if (!st) return diag::fail(st.error());
        if (!a->json)
            std::cout << a->archive << ": OK (" << in->entryCount() << " entries, "
                      << in->blobCount() << " payloads"
                      << (signer.empty() ? "" : "; signed by trusted key " + signer) << ")\n";
        if (auto ids = signatureKeyIds(*in); signer.empty() && !ids.empty())
            diag::note("signed by key(s) " + join(ids, ", ") +
                       "; not checked (give --trusted KEY.pub)");
        return 0;
    });
}

std::vector<const ArchiveReader*> pointersTo(const std::vector<ArchiveReader>& readers) {
    std::vector<const ArchiveReader*> out;
    for (const auto& in : readers)
        out.push_back(&in);
    return out;
}

// The partial archives of one sharded build: the one-machine build's archive (archive/shards.h).
int mergeShardArchives(const std::vector<ArchiveReader>& readers, const std::string& output,
                       const std::vector<std::string>& signKeys) {
    auto merged = mergeShards(pointersTo(readers));
    if (!merged) return diag::fail(merged.error());
    auto keys = archive::loadSigningKeys(signKeys);
    if (!keys) return diag::fail(keys.error());
    if (auto st = writeArchiveFile(output, merged->writer, merged->options, *keys); !st)
        return diag::fail(st.error());
    return 0;
}

// The pieces of `aotpack split`: the original archive, byte for byte (checked before writing).
int mergeSplit(const std::vector<ArchiveReader>& readers, const std::string& output,
               const std::vector<std::string>& signKeys, bool partial) {
    auto keys = archive::loadSigningKeys(signKeys);
    if (!keys) return diag::fail(keys.error());
    auto bytes = mergeSplitPieces(pointersTo(readers), partial);
    if (!bytes) return diag::fail(bytes.error());
    if (!keys->empty()) {
        auto signed_ = archive::signArchiveBytes(*bytes, output, *keys);
        if (!signed_) return diag::fail(signed_.error());
        *bytes = std::move(*signed_);
    }
    if (auto st = writeFileAtomic(output, *bytes); !st) return diag::fail(st.error());
    return 0;
}

void addSplit(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto by = std::make_shared<std::string>("target");
    auto* sub = r.app.add_subcommand(
        "split", "One archive per target (its binaries + all SPIR-V) and a SPIR-V-only one");
    sub->footer("Example:\n  aotpack split app.aotpack -o pieces/\n"
                "  aotpack merge pieces/*.aotpack -o app.aotpack   # the original, byte for byte");
    sub->add_option("archive", a->archive, "Archive to split")->required();
    sub->add_option("-o,--output", a->output, "Directory for the pieces (created if needed)")
        ->required();
    addSplitByOption(sub, *by, "piece");
    sub->add_option("--sign", a->signKeys, "Sign every piece with this private key (repeat)");
    sub->add_flag("--natives-only", a->nativesOnly,
                  "Target pieces without SPIR-V: smallest, but they cannot JIT (the SPIR-V piece "
                  "still has it all)");
    sub->add_flag("--json", a->json, "Print [{path, piece, targets, bytes}] instead of the paths");
    r.add(sub, [a, by] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        auto keys = archive::loadSigningKeys(a->signKeys);
        if (!keys) return diag::fail(keys.error());
        SplitOptions options{splitBy(*by), a->nativesOnly};
        auto pieces = splitArchive(*in, options);
        if (!pieces) return diag::fail(pieces.error());
        std::error_code ec;
        std::filesystem::create_directories(a->output, ec);
        std::string stem = std::filesystem::path(a->archive).stem().string();
        nlohmann::json written = nlohmann::json::array();
        for (auto& piece : *pieces) {
            auto path = std::filesystem::path(a->output) / (stem + "." + piece.name + ".aotpack");
            if (auto st = writeArchiveFile(path, piece.writer, {}, *keys); !st)
                return diag::fail(st.error());
            written.push_back({{"path", path.string()},
                               {"piece", piece.name},
                               {"targets", piece.name == "spirv" ? std::vector<std::string>{}
                                                                 : split(piece.name, '+')},
                               {"bytes", std::filesystem::file_size(path, ec)}});
            if (!a->json) std::cout << path.string() << "\n";
        }
        if (a->json) std::cout << written.dump(2) << "\n";
        return 0;
    });
}

void addMerge(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub = r.app.add_subcommand(
        "merge",
        "Union of archives; the same module and target with different contents is an error");
    sub->footer("Example:\n  aotpack merge pvc.aotpack atsm.aotpack -o both.aotpack");
    sub->add_option("archives", a->inputs,
                    "Archives to merge (or the partial archives of a sharded build)")
        ->required();
    sub->add_option("-o,--output", a->output, "Archive to write")->required();
    sub->add_option("--sign", a->signKeys,
                    "Sign the merged archive with this private key (repeat for several)");
    auto partial = std::make_shared<bool>(false);
    sub->add_flag("--partial", *partial,
                  "Pieces of a split archive: merge only those given (a subset of its targets), "
                  "not the original");
    r.add(sub, [a, partial] {
        std::vector<ArchiveReader> readers;
        for (const auto& path : a->inputs) {
            auto in = ArchiveReader::openFile(path);
            if (!in) return diag::fail(in.error());
            readers.push_back(std::move(*in));
        }
        if (std::any_of(readers.begin(), readers.end(),
                        [](const ArchiveReader& in) { return isSplitPiece(in); }))
            return mergeSplit(readers, a->output, a->signKeys, *partial);
        if (std::any_of(readers.begin(), readers.end(),
                        [](const ArchiveReader& in) { return in.archiveMeta(kShardPlan); }))
            return mergeShardArchives(readers, a->output, a->signKeys);
        ArchiveWriter writer;
        std::vector<std::string> inputs;
        std::vector<const ArchiveReader*> all;
        std::vector<std::uint32_t> targets;
        for (const auto& in : readers) {
            if (auto st = copyEntriesAsStored(in, writer); !st) return diag::fail(st.error());
            inputs.push_back(std::filesystem::path(in.name()).filename().string());
            all.push_back(&in);
            auto t = in.targets();
            targets.insert(targets.end(), t.begin(), t.end());
        }
        auto merged = rewrittenMetadata(all, targets);
        for (const auto& [k, v] : merged.meta)
            writer.setArchiveMetadata(k, v);
        writer.setArchiveMetadata("merged_from", join(inputs, ","));
        if (merged.compilersDiffer)
            diag::warning("the inputs were built by different compilers (" +
                          merged.meta["compiler"] + "); each binary records its own");
        return writeWith(a->output, writer, a->signKeys);
    });
}

void addRemoveTargets(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub = r.app.add_subcommand(
        "remove-targets", "Write a copy of an archive without some targets (like nvprune)");
    sub->footer("Example:\n  aotpack remove-targets app.aotpack -d pvc -o app-no-pvc.aotpack");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_option("-d,--devices", a->devices, "Targets to remove (device list)")->required();
    sub->add_option("-o,--output", a->output, "Archive to write")->required();
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        auto list = devices::parseDeviceList(devices::Database::builtin(), a->devices);
        if (!list) return diag::fail(list.error());
        std::set<std::uint32_t> drop;
        auto have = in->targets();
        for (const auto& t : list->targets) {
            drop.insert(t.ip.value());
            if (std::find(have.begin(), have.end(), t.ip.value()) == have.end()) {
                std::vector<std::string> names;
                for (auto ip : have)
                    names.push_back(targetName(ip));
                return diag::fail(
                    makeError(Errc::NotFound, "target " + t.name + " is not in '" + a->archive +
                                                  "' (targets: " + join(names, ", ") + ")"));
            }
        }
        ArchiveWriter writer;
        auto keep = [&](const EntryView& e) {
            return e.kind != EntryKind::Native || !drop.count(e.targetIp);
        };
        if (auto st = copyEntriesAsStored(*in, writer, keep); !st) return diag::fail(st.error());
        std::vector<std::uint32_t> kept;
        for (auto ip : in->targets())
            if (!drop.count(ip)) kept.push_back(ip);
        auto meta = rewrittenMetadata({&*in}, kept).meta;
        // What was removed is part of the record, as add-targets records "+ LIST".
        std::string before(in->archiveMeta("devices.input").value_or(""));
        meta["devices.input"] = (before.empty() ? "" : before + " ") + "- " + a->devices;
        for (const auto& [k, v] : meta)
            writer.setArchiveMetadata(k, v);
        return writeWith(a->output, writer);
    });
}

void addExportAr(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub = r.app.add_subcommand(
        "export-ar", "Write one module as an ocloc-compatible fat binary (AR) for NEO");
    sub->footer("The same bytes as ocloc's fat binary when ocloc was given --format zebin, the\n"
                "devices in IP order and no -options (NEO loads either the same way).\n"
                "Example:\n  aotpack export-ar app.aotpack --module vector_ops -o vector_ops.ar");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_option("--module", a->module, "Module whose native binaries become the fat binary")
        ->required();
    sub->add_option("-o,--output", a->output, "ocloc fat binary (AR) to write")->required();
    r.add(sub, [a] {
        auto in = ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        // A slim archive's natives and SPIR-V are fetched from its server and checked against
        // the digests it pins, as a load would.
        auto fetch = [&](const archive::EntryView& e) -> Expected<Bytes> {
            auto fetched = runtime::obtainRemoteNative(*in, e, nullptr);
            if (!fetched)
                return makeError(fetched.error().code,
                                 "module '" + a->module + "': its " +
                                     (e.kind == archive::EntryKind::RemoteSpirv
                                          ? std::string("SPIR-V")
                                          : "binary for " + targetName(e.targetIp)) +
                                     " did not come from the natives server (" +
                                     fetched.error().message + ")");
            return std::move(fetched->bytes);
        };
        auto ar = exportAr(*in, a->module, fetch);
        if (!ar) return diag::fail(ar.error());
        if (auto st = writeFileAtomic(a->output, *ar); !st) return diag::fail(st.error());
        return 0;
    });
}

bool isCIdentifier(const std::string& name) {
    auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
    return !name.empty() && letter(name[0]) && std::all_of(name.begin(), name.end(), [&](char c) {
        return letter(c) || std::isdigit(static_cast<unsigned char>(c));
    });
}

void addEmbed(CommandRegistry& r) {
    auto a = std::make_shared<ArchiveArgs>();
    auto* sub =
        r.app.add_subcommand("embed", "Turn an archive into a linkable symbol (.c, .S or .o)");
    sub->add_option("archive", a->archive, "Archive to read")->required();
    sub->add_option("-o,--output", a->output, "FILE.c, FILE.S or FILE.o")->required();
    sub->add_option("--symbol", a->symbol, "Symbol name (default: aotpack_archive_<output name>)");
    sub->footer("The symbol NAME (64-byte aligned bytes) and NAME_size (size_t) are defined;\n"
                "open it with aotpack_archive_open_memory(NAME, NAME_size, ...).");
    r.add(sub, [a] {
        std::string symbol = a->symbol.empty() ? defaultSymbolName(a->output) : a->symbol;
        if (!isCIdentifier(symbol))
            return diag::fail(
                makeError(Errc::Usage, "--symbol '" + symbol +
                                           "' is not a C identifier (letters, digits and "
                                           "'_', not starting with a digit)"));
        auto in = ArchiveReader::openFile(a->archive); // embed only valid archives, every payload
        if (!in) return diag::fail(in.error());
        if (auto st = in->verifyPayloads(); !st) return diag::fail(st.error());
        auto bytes = readFile(a->archive);
        if (!bytes) return diag::fail(bytes.error());
        if (auto st = embed(*bytes, a->output, symbol); !st) return diag::fail(st.error());
        return 0;
    });
}

} // namespace

void addArchiveCommands(CommandRegistry& registry) {
    addList(registry);
    addSize(registry);
    addExtract(registry);
    addVerify(registry);
    addMerge(registry);
    addSplit(registry);
    addRemoveTargets(registry);
    addExportAr(registry);
    addEmbed(registry);
}

} // namespace aotpack::cli
