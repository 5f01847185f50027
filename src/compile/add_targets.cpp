// `aotpack add-targets`: compile the SPIR-V an archive already carries for more targets and write a
// new archive with the old entries plus the new binaries. No sources needed: this is how a shipped
// package gains support for a GPU that appeared after it was built.
#include "archive/reader.h"
#include "archive/tools.h"
#include "common/text.h"
#include "compile/driver_internal.h"

#include <set>

namespace aotpack::compile {

namespace {

// The archive's SPIR-V, as modules the build phases can take. Options recorded with the module
// are reused, so the new binaries are built like the old ones.
std::vector<PreparedModule> modulesOf(BuildContext& ctx, const archive::ArchiveReader& in,
                                      BuildReport& report) {
    std::vector<PreparedModule> modules;
    std::filesystem::create_directories(ctx.scratch->path() / "spirv");
    for (auto name : in.modules()) {
        auto e = in.find(name, archive::EntryKind::Spirv);
        if (!e) continue;
        std::string module(name);
        auto spirv = in.payload(*e);
        auto info = spirv ? inspectSpirv(*spirv, "module '" + module + "'")
                          : Expected<SpirvInfo>(spirv.error());
        if (!info) {
            report.moduleErrors.push_back(info.error().message);
            continue;
        }
        ModuleInput input{module, std::string(in.meta(*e, "source").value_or(module + ".spv")),
                          SourceKind::Spirv, std::string(in.meta(*e, "options").value_or(""))};
        PreparedModule m{
            input, std::move(*spirv), *info, {}, ctx.scratch->path() / "spirv" / (module + ".spv")};
        m.spirvHash = hash128(m.spirv);
        modules.push_back(std::move(m));
    }
    return modules;
}

} // namespace

BuildOutcome addTargets(const AddTargetsRequest& request, BuildObserver& observer) {
    BuildOutcome out;
    BuildContext ctx(request.build, observer);
    auto in = archive::ArchiveReader::openFile(request.input);
    if (!in) return {out.report, in.error()};
    if (auto st = setUpBuild(ctx, out.report); !st) return {out.report, st.error()};
    auto modules = modulesOf(ctx, *in, out.report);
    for (const auto& m : modules)
        ctx.moduleNames.push_back(m.input.name);
    // Targets every module already has are not compiled again.
    std::erase_if(ctx.targets.targets, [&](const devices::ResolvedTarget& t) {
        for (const auto& m : modules)
            if (!in->find(m.input.name, archive::EntryKind::Native, t.ip.value())) return false;
        observer.warning("target " + t.name + " is already in '" + request.input.string() + "'");
        return true;
    });
    bool fastLoad = request.build.uncompressedNatives;
    for (const auto& [k, v] : in->archiveMetadata())
        if (k == archive::kCompressionKey && v == archive::kFastLoad) fastLoad = true;
    BackgroundWork background(ctx.jobs, writerOptions(ctx), !fastLoad);
    ctx.background = &background;
    keepStoredPayloads(ctx); // compresses each new binary as it arrives
    auto binaries = compileAll(ctx, modules, out.report);
    std::erase_if(binaries, [&](const CompiledBinary& b) {
        return in->find(b.module, archive::EntryKind::Native, b.ip).has_value();
    });
    archive::ArchiveWriter writer;
    if (auto st = archive::copyEntries(*in, writer); !st) return {out.report, st.error()};
    // The archive rule (archive/tools.h); the build then records its own compiler and options,
    // and how the device list grew.
    std::vector<std::uint32_t> ips = in->targets();
    for (const auto& t : ctx.targets.targets)
        ips.push_back(t.ip.value());
    auto meta = archive::rewrittenMetadata({&*in}, ips).meta;
    for (const auto& [k, v] : meta)
        writer.setArchiveMetadata(k, v);
    out.report.deviceListExpanded = meta["devices.expanded"];
    std::string before;
    for (const auto& [k, v] : in->archiveMetadata())
        if (k == "devices.input") before = std::string(v);
    out.report.deviceListInput =
        before.empty() ? request.build.deviceList : before + " + " + request.build.deviceList;
    finishBuild(ctx, out, writer, binaries);
    out.report.seconds = ctx.elapsed();
    return out;
}

} // namespace aotpack::compile
