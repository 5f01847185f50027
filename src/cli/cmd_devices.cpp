// `aotpack devices [LIST] [--json]`: the device table, or what a device list expands to and why.
#include "cli/commands.h"
#include "cli/table.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "devices/device_list.h"
#include "toolchain/routing.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {
using namespace devices;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct DevicesOptions {
    std::string list;
    bool json = false;
};

// Who builds what: the host's ocloc and the store's toolchains (toolchain/routing.h).
struct Builders {
    std::vector<toolchain::Toolchain> toolchains; // newest first
    Expected<toolchain::CompilerSupport> host = makeError(Errc::Unsupported, "");
    bool any() const { return !toolchains.empty(); }
    bool supports(IpVersion ip) const {
        return toolchain::defaultToolchainFor(toolchains, ip.value()).has_value();
    }
    std::string builder(IpVersion ip) const {
        auto i = toolchain::defaultToolchainFor(toolchains, ip.value());
        return i ? toolchains[*i].id : "-";
    }
    std::string versions() const {
        std::vector<std::string> v;
        for (const auto& t : toolchains)
            v.push_back(t.oclocVersion);
        return join(v, ", ");
    }
};

Builders findBuilders(const Database& db) {
    Builders b;
    toolchain::ToolchainStore store(toolchain::ToolchainStore::defaultDir());
    b.toolchains = toolchain::availableToolchains(db, store, {});
    b.host = toolchain::probeCompiler(
        db, {}, store.installed().empty() ? fs::path() : store.dir() / "host-facts");
    return b;
}

std::string supportText(const Builders& compiler, IpVersion ip) {
    if (!compiler.any()) return "?";
    return compiler.supports(ip) ? "yes" : "no";
}

json targetJson(const Device& d, const Stepping& s, const Builders& compiler) {
    json j = {{"name", s.ip == d.current.ip ? d.name : d.name + "@" + s.name},
              {"device", d.name},
              {"aliases", d.aliases},
              {"ip", s.ip.str()},
              {"ip_value", s.ip.value()},
              {"stepping", s.name},
              {"pci_revision", s.pciRevision},
              {"release", d.release},
              {"family", d.family},
              {"fp64", d.fp64},
              {"products", Database::builtin().productsOf(d.name)}};
    j["supported_by_ocloc"] = compiler.any() ? json(compiler.supports(s.ip)) : json(nullptr);
    j["toolchain"] = compiler.supports(s.ip) ? json(compiler.builder(s.ip)) : json(nullptr);
    return j;
}

json compilerJson(const Builders& b) {
    json toolchains = json::array();
    for (const auto& t : b.toolchains)
        toolchains.push_back({{"id", t.id}, {"ocloc_version", t.oclocVersion}});
    json host = b.host ? json{{"available", true},
                              {"path", b.host->ocloc.string()},
                              {"version", b.host->version}}
                       : json{{"available", false}, {"error", b.host.error().message}};
    host["toolchains"] = toolchains;
    return host;
}

int printDatabase(const Database& db, const Builders& compiler, bool asJson) {
    if (asJson) {
        json out = {{"ocloc", compilerJson(compiler)},
                    {"devices", json::array()},
                    {"presets", db.presets()}};
        for (const auto& d : db.devices())
            out["devices"].push_back(targetJson(d, d.current, compiler));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    Table table({"NAME", "ALIASES", "IP", "RELEASE", "FAMILY", "FP64", "OCLOC", "PRODUCTS"});
    for (const auto& d : db.devices())
        table.add({d.name, join(d.aliases, ","), d.current.ip.str(), d.release, d.family,
                   d.fp64 ? "yes" : "no", supportText(compiler, d.current.ip),
                   join(db.productsOf(d.name), ", ")});
    table.print(std::cout);
    std::cout << "\npresets:";
    for (const auto& [name, list] : db.presets())
        std::cout << " @" << name;
    std::cout << "\n";
    if (compiler.any())
        std::cout << "OCLOC: can an installed compiler toolchain (ocloc " << compiler.versions()
                  << ") build it\n";
    else
        diag::warning(compiler.host.error().message);
    return 0;
}

// "@torch-xpu-linux: PyTorch 2.10 ...": what each preset in the list mirrors.
std::vector<std::string> presetNotes(const std::string& input) {
    std::vector<std::string> notes;
    for (const auto& item : split(input, ','))
        if (auto name = std::string(trim(item)); name.size() > 1 && name[0] == '@')
            if (auto tracks = Database::builtin().presetTracks(toLower(name.substr(1)));
                !tracks.empty())
                notes.push_back(name + " mirrors " + tracks);
    return notes;
}

// An explanation, not a build: targets the installed ocloc cannot build are one summary line
// (the OCLOC column names them), and the exit code is 0.
void printSupportSummary(const DeviceList& list, const Builders& compiler) {
    if (!compiler.any()) return;
    std::vector<std::string> unsupported;
    std::set<std::string> hints;
    for (const auto& t : list.targets)
        if (!compiler.supports(t.ip)) {
            unsupported.push_back(t.name);
            hints.insert("'" + toolchain::toolchainAddHint(t.ip) + "'");
        }
    if (unsupported.empty()) return;
    diag::note(std::to_string(unsupported.size()) + " of " + std::to_string(list.targets.size()) +
               " target(s) cannot be built by the installed ocloc " + compiler.versions() + " (" +
               join(unsupported, ", ") +
               "): " + join(std::vector<std::string>(hints.begin(), hints.end()), " and ") +
               " adds a compiler toolchain that builds them (or 'aotpack build "
               "--skip-unsupported')");
}

int printExpansion(const DeviceList& list, const Builders& compiler, bool asJson) {
    if (asJson) {
        json out = {{"input", list.input},
                    {"aot", !list.aotDisabled},
                    {"canonical", list.canonical()},
                    {"ocloc", compilerJson(compiler)},
                    {"targets", json::array()}};
        for (const auto& t : list.targets) {
            json j = targetJson(*t.info.device, *t.info.stepping, compiler);
            j["reasons"] = t.reasons;
            out["targets"].push_back(j);
        }
        out["presets"] = presetNotes(list.input);
        std::cout << out.dump(2) << "\n";
        return 0;
    } else if (list.aotDisabled) {
        std::cout
            << "none: no native targets; archives carry SPIR-V only and every GPU JIT-compiles\n";
    } else {
        Table table({"TARGET", "IP", "RELEASE", "OCLOC", "TOOLCHAIN", "WHY"});
        for (const auto& t : list.targets)
            table.add({t.name, t.ip.str(), t.info.device->release, supportText(compiler, t.ip),
                       compiler.builder(t.ip), join(t.reasons, "; ")});
        table.print(std::cout);
    }
    for (const auto& line : presetNotes(list.input))
        diag::note(line);
    printSupportSummary(list, compiler);
    return 0;
}

} // namespace

void addDevicesCommand(CommandRegistry& registry) {
    auto opts = std::make_shared<DevicesOptions>();
    CLI::App* sub = registry.app.add_subcommand(
        "devices", "Show known GPU targets, or what a device list expands to");
    CLI::Option* listOption =
        sub->add_option("list", opts->list,
                        "Device list, e.g. 'ats-m150,pvc', 'xe-hpg:xe-hpc', '0x56c0', '8086:56c0', "
                        "'@ipex-default'");
    sub->add_flag("--json", opts->json, "Print JSON");
    sub->footer(
        "Examples:\n  aotpack devices\n  aotpack devices ats-m150,pvc --json\n  aotpack "
        "devices 'dg1:acm-g11'\n"
        "The OCLOC column says whether an installed compiler can build a target, TOOLCHAIN\n"
        "which one builds it ('aotpack toolchain list'); 'aotpack build' fails on a target\n"
        "none can build; this command only explains, and exits 0.");
    registry.add(sub, [opts, listOption] {
        const Database& db = Database::builtin();
        Builders compiler = findBuilders(db);
        // `aotpack devices ''` is an empty list (an error), not a request for the whole table.
        if (listOption->count() == 0) return printDatabase(db, compiler, opts->json);
        auto list = parseDeviceList(db, opts->list);
        if (!list) return diag::fail(list.error());
        return printExpansion(*list, compiler, opts->json);
    });
}

} // namespace aotpack::cli
