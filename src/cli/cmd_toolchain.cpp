// `aotpack toolchain add|list|remove|lock|publish`: the store of pinned compiler toolchains
// (src/toolchain/store.h, docs/GUIDE.md "Toolchains").
#include "cli/commands.h"
#include "cli/table.h"
#include "common/diagnostics.h"
#include "common/file_io.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "toolchain/add.h"
#include "toolchain/routing.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {

namespace {

using nlohmann::json;
using toolchain::Toolchain;

struct ToolchainArgs {
    std::string source, output, server;
    std::vector<std::string> ids;
    toolchain::SourceOptions options;
    bool json = false;
};

toolchain::ToolchainStore store() {
    return toolchain::ToolchainStore(toolchain::ToolchainStore::defaultDir());
}

std::string kindOf(const Toolchain& t) {
    if (t.isTranslator()) return "translator";
    return t.host() ? "host"
                    : std::string(t.legacy ? "legacy" : "current") +
                          (t.spirvOnly ? ", SPIR-V only" : "");
}

// What a toolchain does, in a line: the IPs an ocloc builds, the bitcode a translator reads.
std::string capabilityOf(const Toolchain& t) {
    if (t.isTranslator())
        return "LLVM bitcode of LLVM <= " + std::to_string(t.translatorLlvm) + " -> SPIR-V";
    return "builds " + toolchain::describeIpRanges(t.ipValues);
}

json toolchainJson(const Toolchain& t) {
    std::vector<std::string> ips;
    for (auto ip : t.ipValues)
        ips.push_back(devices::IpVersion::fromValue(ip).str());
    json out = toolchain::describeJson(t);
    if (t.isTranslator())
        out["translator"] = t.translator.string();
    else
        out["ocloc"] = t.ocloc.string();
    out["ips"] = ips;
    out["ip_ranges"] = toolchain::describeIpRanges(t.ipValues);
    return out;
}

// The device names of the database a toolchain builds ("tgllp, dg2, ...").
std::string targetsOf(const Toolchain& t) {
    std::vector<std::string> names;
    for (const auto& d : devices::Database::builtin().devices())
        if (t.supports(d.current.ip.value())) names.push_back(d.name);
    return join(names, ",");
}

int list(const ToolchainArgs& a) {
    const auto& db = devices::Database::builtin();
    auto all = toolchain::availableToolchains(db, store(), {});
    for (auto& t : store().translators())
        all.push_back(std::move(t));
    if (a.json) {
        json out = json::array();
        for (const auto& t : all) {
            out.push_back(toolchainJson(t));
            out.back()["targets"] = split(targetsOf(t), ',');
        }
        std::cout << json{{"store", store().dir().string()}, {"toolchains", out}}.dump(2) << "\n";
        return 0;
    }
    Table table({"ID", "TOOL", "IGC", "KIND", "SIZE", "IPS", "SOURCE"});
    for (const auto& t : all)
        table.add({t.id, t.isTranslator() ? "llvm-spirv " + t.translatorVersion : t.oclocVersion,
                   t.igcVersion.empty() ? "-" : t.igcVersion, kindOf(t), humanBytes(t.sizeBytes),
                   t.isTranslator() ? "-" : toolchain::describeIpRanges(t.ipValues), t.source});
    table.print(std::cout);
    std::cout << "store: " << store().dir().string() << "\n";
    return 0;
}

void addAdd(CommandRegistry& r, CLI::App* parent) {
    auto a = std::make_shared<ToolchainArgs>();
    auto* sub = parent->add_subcommand(
        "add", "Add a compiler toolchain (or an LLVM-to-SPIR-V translator) to the store");
    sub->add_option("source", a->source,
                    "debian:SUITE, apt:'deb URL SUITE COMPONENT', a directory of .debs, or a lock "
                    "file")
        ->required();
    auto* legacy = sub->add_flag(
        "--legacy", a->options.legacy,
        "intel-ocloc-legacy: Intel's compiler for gen8-gen11 (Broadwell to Jasper Lake)");
    auto* spirvOnly = sub->add_flag(
        "--spirv-only", a->options.spirvOnly,
        "Leave out the OpenCL C frontend (libigdfcl): SPIR-V inputs only, half the size");
    sub->add_option("--translator", a->options.translator,
                    "llvm-spirv-N instead of a compiler: translates LLVM bitcode of LLVM <= N to "
                    "SPIR-V (capture --from-binary, add-targets)")
        ->check(CLI::Range(10, 99))
        ->excludes(legacy)
        ->excludes(spirvOnly);
    sub->add_option("--mirror", a->options.mirror,
                    "debian:SUITE from this Debian mirror (default: the one this machine's apt "
                    "sources name)");
    sub->add_option("--server", a->server,
                    "A lock's .debs from this server first (URL/toolchains/<sha256>.deb, "
                    "'aotpack toolchain publish'); default $AOTPACK_TOOLCHAIN_SERVER");
    sub->footer("Examples:\n  aotpack toolchain add debian:sid\n"
                "  aotpack toolchain add debian:sid --legacy\n"
                "  aotpack toolchain add debian:sid --translator 22\n"
                "  aotpack toolchain add ./compute-runtime-debs/\n"
                "  aotpack toolchain add aotpack-toolchains.lock");
    r.add(sub, [a] {
        toolchain::AddRequest request{a->source, a->options, a->server};
        if (request.server.empty()) request.server = envOr("AOTPACK_TOOLCHAIN_SERVER", "");
        auto added = toolchain::addToolchains(store(), request, devices::Database::builtin());
        if (!added) return diag::fail(added.error());
        for (const auto& t : added->toolchains)
            std::cout << t.id << ": "
                      << (t.isTranslator()
                              ? "llvm-spirv " + t.translatorVersion
                              : "ocloc " + t.oclocVersion + " (IGC " + t.igcVersion + ")")
                      << ", " << humanBytes(t.sizeBytes) << ", " << capabilityOf(t) << "\n";
        const auto& f = added->fetched; // a lock: where its .debs came from
        if (f.store + f.server + f.origin)
            diag::note("packages: " + std::to_string(f.store) + " from the store, " +
                       std::to_string(f.server) + " from the server, " + std::to_string(f.origin) +
                       " from their URLs");
        return 0;
    });
}

void addList(CommandRegistry& r, CLI::App* parent) {
    auto a = std::make_shared<ToolchainArgs>();
    auto* sub = parent->add_subcommand("list", "List the compiler toolchains (the host's too)");
    sub->add_flag("--json", a->json, "Print JSON (with every target and IP each builds)");
    r.add(sub, [a] { return list(*a); });
}

void addRemove(CommandRegistry& r, CLI::App* parent) {
    auto a = std::make_shared<ToolchainArgs>();
    auto* sub = parent->add_subcommand("remove", "Remove toolchains from the store");
    sub->add_option("id", a->ids, "Toolchain id (or a unique prefix, or an ocloc version)")
        ->required();
    r.add(sub, [a] {
        for (const auto& id : a->ids)
            if (auto st = store().remove(id); !st) return diag::fail(st.error());
        return 0;
    });
}

// The store's toolchains `ids` name (all of them when empty).
Expected<std::vector<Toolchain>> chosen(const std::vector<std::string>& ids) {
    if (ids.empty()) return store().everything();
    std::vector<Toolchain> out;
    for (const auto& id : ids) {
        auto t = store().find(id);
        if (!t) return t.error();
        out.push_back(std::move(*t));
    }
    return out;
}

void addLock(CommandRegistry& r, CLI::App* parent) {
    auto a = std::make_shared<ToolchainArgs>();
    auto* sub = parent->add_subcommand(
        "lock", "Write the exact packages of toolchains to a lock file ('toolchain add FILE')");
    sub->add_option("id", a->ids, "Toolchains to lock (default: every one in the store)");
    sub->add_option("-o,--output", a->output, "Lock file to write")->required();
    r.add(sub, [a] {
        auto toolchains = chosen(a->ids);
        if (!toolchains) return diag::fail(toolchains.error());
        if (toolchains->empty())
            return diag::fail(makeError(Errc::Usage, "the toolchain store " +
                                                         store().dir().string() +
                                                         " is empty: nothing to lock"));
        if (auto st = writeFileAtomic(a->output, toolchain::lockText(*toolchains)); !st)
            return diag::fail(st.error());
        std::cout << a->output << ": " << toolchains->size() << " toolchain(s)\n";
        return 0;
    });
}

void addPublish(CommandRegistry& r, CLI::App* parent) {
    auto a = std::make_shared<ToolchainArgs>();
    auto* sub = parent->add_subcommand(
        "publish", "Upload toolchains' .debs to a server by SHA-256 (for 'toolchain add LOCK')");
    sub->add_option("url", a->server, "Server base URL (writes URL/toolchains/<sha256>.deb)")
        ->required();
    sub->add_option("id", a->ids, "Toolchains to publish (default: every one in the store)");
    sub->footer("The token comes from $AOTPACK_REMOTE_CACHE_TOKEN and is never printed.");
    r.add(sub, [a] {
        auto toolchains = chosen(a->ids);
        if (!toolchains) return diag::fail(toolchains.error());
        auto sent = toolchain::publishToolchains(store(), *toolchains, a->server);
        if (!sent) return diag::fail(sent.error());
        std::cout << "published " << *sent << " package(s) of " << toolchains->size()
                  << " toolchain(s)\n";
        return 0;
    });
}

} // namespace

void addToolchainCommands(CommandRegistry& registry) {
    auto* sub = registry.app.add_subcommand(
        "toolchain", "Pinned compiler toolchains: each target built by an ocloc that can");
    sub->require_subcommand(1);
    sub->footer("Store: $AOTPACK_TOOLCHAINS, else <cache root>/toolchains. See docs/GUIDE.md "
                "\"Toolchains\".");
    addAdd(registry, sub);
    addList(registry, sub);
    addRemove(registry, sub);
    addLock(registry, sub);
    addPublish(registry, sub);
}

} // namespace aotpack::cli
