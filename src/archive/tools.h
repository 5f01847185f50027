// Operations on whole archives, used by the CLI commands of the same names.
#pragma once

#include "archive/reader.h"
#include "archive/writer.h"
#include "common/subprocess.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::archive {

// Copies entries for which `keep` is true (all when empty) into `out`. An entry already in `out`
// with the same contents is skipped; with different contents it is a Conflict naming both sources.
// Their payloads are compressed again as `out` is written (add-targets: one compression setting).
Status copyEntries(const ArchiveReader& in, ArchiveWriter& out,
                   const std::function<bool(const EntryView&)>& keep = {});

// The same, handing `out` each payload in the form `in` stores it (level, dictionary, fast-load),
// so that the writer copies those bytes instead of compressing again: merge, remove-targets,
// split, slim, shards (a merge of shards or split pieces is then byte-identical to the archive
// they came from).
Status copyEntriesAsStored(const ArchiveReader& in, ArchiveWriter& out,
                           const std::function<bool(const EntryView&)>& keep = {});

// The one rule for the archive metadata of an archive rewritten from others (merge,
// remove-targets, add-targets), holding `targets`:
// - devices.expanded: those targets in IP order, by name (as a build writes it);
// - devices.input: every input's device list items, each once, in input order;
// - compiler: each input's, once ("; " between them when they differ: `compilersDiffer`); every
//   native entry also keeps its own;
// - tool: this aotpack; compression=fast-load only if every input has it;
// - any other key: kept if every input has it with the same value.
struct RewrittenMetadata {
    Metadata meta;
    bool compilersDiffer = false; // the inputs were built by different compilers
};
RewrittenMetadata rewrittenMetadata(const std::vector<const ArchiveReader*>& inputs,
                                    const std::vector<std::uint32_t>& targets);

// extract: <module>.spv and <module>.<M.m.r>.bin files into `dir` (created if needed). Names are
// validated module names and IP numbers, so nothing can be written outside `dir`.
struct ExtractFilter {
    std::optional<std::string> module;
    std::optional<std::uint32_t> targetIp; // set: binaries for this target only, no SPIR-V
};
Expected<std::vector<std::filesystem::path>>
extract(const ArchiveReader& in, const ExtractFilter& filter, const std::filesystem::path& dir);

// The bytes of a slim archive's RemoteNative or RemoteSpirv entry, from wherever they live (the
// natives server: runtime/native_fetch.h); archive/ itself does no network.
using RemotePayload = std::function<Expected<Bytes>(const EntryView&)>;

// export-ar: an ocloc-compatible fat binary for one module: members "64.<M.m.r>" and "generic_ir"
// (the SPIR-V in an OpenCL ELF, with the module's build options), 8-byte aligned, no symbol table.
// A slim archive's natives and SPIR-V come through `remote`; without it they are an error (they
// must not vanish from the fat binary silently).
Expected<Bytes> exportAr(const ArchiveReader& in, std::string_view module,
                         const RemotePayload& remote = {});

// ocloc's fat-binary AR (intel-gpu-facts §3.1): the members in the given order, each one's data
// 8-byte aligned by "pad_N" members, no symbol table. Names must be at most 15 characters.
struct ArMember {
    std::string name;
    ByteView data;
};
Bytes encodeOclocAr(const std::vector<ArMember>& members);

// The OpenCL ELF ocloc uses for generic_ir (byte-identical to ocloc's when `options` is empty).
Bytes makeSpirvElf(ByteView spirv, std::string_view options);

// embed: the archive as a linkable symbol. Kinds by extension: .c (C array), .S (assembly),
// .o (assembled with $CC, default cc). Defines `symbol` (64-byte aligned) and `symbol`_size.
Status embed(ByteView archive, const std::filesystem::path& output, const std::string& symbol,
             ProcessRunner& runner = systemProcesses());
std::string defaultSymbolName(const std::filesystem::path& output);

} // namespace aotpack::archive
