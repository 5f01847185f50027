// `aotpack inspect`: the device code inside other tools' binaries (src/foreign).
#include "cli/commands.h"
#include "cli/table.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "foreign/inspect.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {

namespace {

std::string targetsText(const foreign::DeviceImage& d) {
    std::vector<std::string> names;
    for (const auto& t : d.targets)
        names.push_back(t.ip.empty() ? t.name : t.name + " (" + t.ip + ")");
    return names.empty() ? "-" : join(names, ", ");
}

nlohmann::json imageJson(const foreign::DeviceImage& d) {
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : d.targets)
        targets.push_back({{"name", t.name}, {"ip", t.ip}});
    return {{"where", d.where},   {"offset", d.offset},
            {"kind", d.kind},     {"compressed", d.compressed},
            {"size", d.size},     {"kernels", d.kernels},
            {"targets", targets}, {"properties", d.properties}};
}

std::string property(const foreign::DeviceImage& d, const char* key) {
    auto it = d.properties.find(key);
    return it == d.properties.end() || it->second.empty() ? "" : it->second;
}

// "spir64", "amdgcn-amd-amdhsa gfx90a", "spir64_gen pvc": where the image is meant to run.
std::string tripleText(const foreign::DeviceImage& d) {
    std::string triple = property(d, "triple"), arch = property(d, "arch");
    std::string text = triple + (!triple.empty() && !arch.empty() ? " " : "") + arch;
    return text.empty() ? "-" : text;
}

void printTable(const std::vector<foreign::Inspection>& all) {
    for (const auto& i : all) {
        std::cout << printable(i.file) << ": "
                  << countOf(i.images.size(), "device image", "device images") << "\n";
        if (i.images.empty()) continue;
        Table table(
            {"OFFSET", "KIND", "SIZE", "KERNELS", "TARGETS", "PRODUCER", "TRIPLE", "WHERE"});
        for (const auto& d : i.images) {
            std::string producer = property(d, "producer");
            bool counted = d.kind == "spirv" || d.kind == "zebin" || d.kind == "ocloc-ar";
            table.add({foreign::hexOffset(d.offset), d.kind + (d.compressed ? " (zstd)" : ""),
                       humanBytes(d.size), counted ? std::to_string(d.kernels) : "-",
                       targetsText(d), producer.empty() ? "-" : producer, tripleText(d),
                       printable(d.where)});
        }
        table.print(std::cout);
    }
}

} // namespace

void addInspectCommand(CommandRegistry& registry) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto asJson = std::make_shared<bool>(false);
    CLI::App* sub = registry.app.add_subcommand(
        "inspect", "The device code inside binaries: which GPUs they run on natively");
    sub->add_option("files", *files,
                    "ELF executables, shared libraries, objects, static libraries, "
                    "OffloadBinary files, ocloc fat binaries, zebins, SPIR-V, aotpack archives")
        ->required();
    sub->add_flag("--json", *asJson, "Print JSON");
    sub->footer("Exits with 9 when no file holds device code (docs/FOREIGN_BINARIES.md).\n"
                "Example:\n  aotpack inspect $(python3 -c 'import torch,os; "
                "print(os.path.dirname(torch.__file__))')/lib/libtorch_xpu.so");
    registry.add(sub, [files, asJson] {
        std::vector<foreign::Inspection> all;
        for (const auto& f : *files) {
            auto i = foreign::inspectFile(f);
            if (!i) return diag::fail(i.error());
            all.push_back(std::move(*i));
        }
        std::size_t images = 0;
        for (const auto& i : all)
            images += i.images.size();
        if (*asJson) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& i : all) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& d : i.images)
                    list.push_back(imageJson(d));
                out.push_back({{"file", i.file}, {"images", list}});
            }
            std::cout
                << nlohmann::json{{"files", out}, {"summary", foreign::summaryLine(all)}}.dump(2)
                << "\n";
        } else {
            printTable(all);
            if (images) std::cout << foreign::summaryLine(all) << "\n";
        }
        if (images == 0)
            return diag::fail(makeError(Errc::NotFound, "no device code in " + join(*files, ", ")));
        return 0;
    });
}

} // namespace aotpack::cli
