// `aotpack add-targets`: compile the SPIR-V an archive already carries for more targets and write a
// new archive with the old entries plus the new binaries. No sources needed: this is how a shipped
// package gains support for a GPU that appeared after it was built.
#include "archive/format.h"
#include "archive/reader.h"
#include "archive/tools.h"
#include "capture/from_binary.h"
#include "common/mapped_file.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "compile/driver_internal.h"
#include "compile/inputs.h"
#include "toolchain/translator.h"

#include <cstring>

#include <set>

namespace aotpack::compile {

namespace {

// The archive's SPIR-V, as modules the build phases can take. Options recorded with the module
// are reused, so the new binaries are built like the old ones.
PreparedModules modulesOf(const BuildSetup& setup, const archive::ArchiveReader& in) {
    PreparedModules out;
    std::error_code ec; // the scratch SPIR-V is written only for jobs that compile (and checked)
    std::filesystem::create_directories(setup.scratch() / "spirv", ec);
    for (auto name : in.modules()) {
        auto e = in.find(name, archive::EntryKind::Spirv);
        if (!e) continue;
        std::string module(name);
        auto spirv = in.payload(*e);
        auto info = spirv ? inspectSpirv(*spirv, "module '" + module + "'")
                          : Expected<SpirvInfo>(spirv.error());
        if (!info) {
            out.errors.push_back(info.error().message);
            continue;
        }
        ModuleInput input{module, std::string(in.meta(*e, "source").value_or(module + ".spv")),
                          SourceKind::Spirv, std::string(in.meta(*e, "options").value_or(""))};
        PreparedModule m{
            input, std::move(*spirv), *info, {}, setup.scratch() / "spirv" / (module + ".spv")};
        m.spirvHash = hash128(m.spirv);
        out.modules.push_back(std::move(m));
    }
    return out;
}

// Targets every module already has are not compiled again.
void dropPresentTargets(BuildSetup& setup, const archive::ArchiveReader& in,
                        const std::vector<PreparedModule>& modules, const std::string& input,
                        BuildObserver& observer) {
    std::erase_if(setup.targets.targets, [&](const devices::ResolvedTarget& t) {
        for (const auto& m : modules)
            if (!in.find(m.input.name, archive::EntryKind::Native, t.ip.value())) return false;
        observer.warning("target " + t.name + " is already in '" + input + "'");
        return true;
    });
}

std::string grownDeviceInput(const archive::ArchiveReader& in, const std::string& added) {
    for (const auto& [k, v] : in.archiveMetadata())
        if (k == "devices.input" && !v.empty()) return std::string(v) + " + " + added;
    return added;
}

// The archive rule (archive/tools.h): the input's metadata with the device list grown; then what
// this build records of itself (tool, compiler, options, policies) and how the list grew.
archive::Metadata grownMetadata(const BuildSetup& setup, const archive::ArchiveReader& in,
                                const CompiledJobs& compiled) {
    std::vector<std::uint32_t> ips = in.targets();
    for (const auto& t : setup.targets.targets)
        ips.push_back(t.ip.value());
    archive::Metadata meta = archive::rewrittenMetadata({&in}, ips).meta;
    for (auto& [key, value] : archiveMetadata(setup, compiled))
        if (key != "devices.expanded") meta[key] = value;
    meta["devices.input"] = grownDeviceInput(in, setup.targets.input);
    return meta;
}

bool storesNativesRaw(const BuildSetup& setup, const archive::ArchiveReader& in) {
    for (const auto& [k, v] : in.archiveMetadata())
        if (k == archive::kCompressionKey && v == archive::kFastLoad) return true;
    return setup.output.uncompressedNatives;
}

bool isAotpackArchive(const std::filesystem::path& path) {
    auto file = MappedFile::open(path, /*noFollow=*/false);
    return !file ||
           (file->bytes().size() >= sizeof archive::kMagic &&
            std::memcmp(file->bytes().data(), archive::kMagic, sizeof archive::kMagic) == 0);
}

// A SYCL executable or library (no aotpack archive): its SPIR-V images, captured as the SYCL
// runtime would create them, built for the targets into a new archive (docs/FOREIGN_BINARIES.md).
BuildOutcome addTargetsToForeignBinary(const AddTargetsRequest& request, BuildObserver& observer) {
    TempDir scratch;
    if (scratch.path().empty())
        return {{}, makeError(Errc::Output, "cannot create a temporary directory")};
    auto captured = capture::captureFromBinaries({request.input}, scratch.path(),
                                                 toolchain::localBitcodeTranslator());
    if (!captured) return {{}, captured.error()};
    for (const auto& s : captured->untranslated)
        observer.warning("LLVM bitcode not captured: " + s);
    auto modules = collectInputs({scratch.path().string()});
    if (!modules) return {{}, modules.error()};
    BuildRequest build = request.build;
    build.modules = std::move(*modules);
    return runBuild(build, observer);
}

// An archive whose SPIR-V stays on a natives server (slim --remote-spirv) has nothing to compile
// here; without this check every target looked "already in" it and nothing was built.
Status checkHasSpirv(const archive::ArchiveReader& in) {
    for (const auto& e : in.entries())
        if (e.kind == archive::EntryKind::RemoteSpirv)
            return makeError(Errc::Usage, "'" + in.name() +
                                              "' keeps its SPIR-V on the natives server (slim "
                                              "--remote-spirv): add targets to the archive it "
                                              "was slimmed from, then publish and slim that");
    return success();
}

} // namespace

BuildOutcome addTargets(const AddTargetsRequest& request, BuildObserver& observer) {
    if (!isAotpackArchive(request.input)) return addTargetsToForeignBinary(request, observer);
    auto in = archive::ArchiveReader::openFile(request.input);
    if (!in) return {{}, in.error()};
    if (auto st = checkHasSpirv(*in); !st) return {{}, st.error()};
    auto setup = setUpBuild(request.build, observer);
    if (!setup) return {{}, setup.error()};
    auto caches = openCaches(request.build, observer);
    if (!caches) return {{}, caches.error()};
    auto prepared = modulesOf(*setup, *in);
    dropPresentTargets(*setup, *in, prepared.modules, request.input.string(), observer);
    BackgroundWork background(setup->jobs, writerOptions(*setup, prepared.modules.size()),
                              !storesNativesRaw(*setup, *in));
    keepStoredPayloads(*caches, background); // compresses each new binary as it arrives
    auto compiled = compileAll(*setup, *caches, prepared.modules, {}, background, observer);
    std::erase_if(compiled.binaries, [&](const CompiledBinary& b) {
        return in->find(b.module, archive::EntryKind::Native, b.ip).has_value();
    });
    archive::ArchiveWriter writer;
    auto meta = grownMetadata(*setup, *in, compiled);
    if (auto missing = missingJobs(compiled, prepared.modules, setup->skippedTargets);
        !missing.empty())
        meta["missing"] = missing;
    auto finished = finishBuild(
        *setup, *caches, std::nullopt, prepared, compiled,
        [&]() -> Status {
            if (auto st = archive::copyEntries(*in, writer); !st) return st;
            return writeArchive(*setup, writer, compiled.binaries, meta, background);
        },
        observer);
    BuildOutcome out{makeReport(*setup, *caches, prepared, std::move(compiled), finished),
                     finished.error};
    out.report.deviceListExpanded = meta["devices.expanded"];
    out.report.deviceListInput = meta["devices.input"];
    return out;
}

} // namespace aotpack::compile
