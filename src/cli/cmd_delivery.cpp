// Delivery commands (docs/DELIVERY.md): publish natives by hash, slim archives whose natives are
// fetched on use, PEP 825 variant wheels. `split`/`merge` are archive commands (cmd_archive.cpp),
// `fetch` and `device-ips` runtime ones (cmd_runtime.cpp).
#include "archive/signing.h"
#include "cli/archive_view.h"
#include "cli/commands.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "delivery/publish.h"
#include "delivery/server_check.h"
#include "delivery/slim.h"
#include "delivery/wheel_variants.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace aotpack::cli {

namespace {

struct SlimArgs {
    std::string archive, output;
    std::vector<std::string> signKeys;
    bool remoteSpirv = false, json = false;
};

void addPublish(CommandRegistry& r) {
    auto archive = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    auto* sub = r.app.add_subcommand(
        "publish", "Upload an archive's native binaries to a server, each under its SHA-256");
    sub->footer("Example:\n  aotpack publish app.aotpack --to https://natives.example/app\n"
                "  (writes URL/cas/<sha256>; token: $AOTPACK_REMOTE_CACHE_TOKEN, never printed)");
    sub->add_option("archive", *archive, "Archive whose natives to publish")->required();
    sub->add_option("--to", *to, "http(s)://HOST/PATH (PUT, e.g. nginx WebDAV) or file:///DIR")
        ->required();
    auto spirv = std::make_shared<bool>(false);
    sub->add_flag("--spirv", *spirv,
                  "Each module's SPIR-V too, for archives slimmed with --remote-spirv");
    auto asJson = std::make_shared<bool>(false);
    sub->add_flag("--json", *asJson, "Print {archive, uploaded, bytes_uploaded, already_there}");
    r.add(sub, [archive, to, spirv, asJson] {
        auto in = archive::ArchiveReader::openFile(*archive);
        if (!in) return diag::fail(in.error());
        auto report = delivery::publishNatives(*in, *to, *spirv);
        if (!report) return diag::fail(report.error());
        if (*asJson) {
            std::cout << nlohmann::json{{"archive", *archive},
                                        {"uploaded", report->uploaded},
                                        {"bytes_uploaded", report->bytesUploaded},
                                        {"already_there", report->alreadyThere}}
                             .dump(2)
                      << "\n";
            return 0;
        }
        std::cout << "published " << report->uploaded << (*spirv ? " payload(s), " : " native(s), ")
                  << humanBytes(report->bytesUploaded) << "; " << report->alreadyThere
                  << " already there\n";
        return 0;
    });
}

void addSlim(CommandRegistry& r) {
    auto a = std::make_shared<SlimArgs>();
    auto url = std::make_shared<std::string>();
    auto* sub = r.app.add_subcommand(
        "slim", "An archive with all SPIR-V and only the hashes of its natives (fetched on use)");
    sub->footer("Example:\n  aotpack publish app.aotpack --to https://natives.example/app\n"
                "  aotpack slim app.aotpack --natives-url https://natives.example/app "
                "-o app.slim.aotpack\n(docs/DELIVERY.md)");
    sub->add_option("archive", a->archive, "Archive to slim")->required();
    sub->add_option("--natives-url", *url,
                    "Where `aotpack publish` put the natives (URL/cas/<sha256>; no credentials)")
        ->required();
    sub->add_option("-o,--output", a->output, "Archive to write")->required();
    sub->add_option("--sign", a->signKeys, "Sign it with this private key (repeat for several)");
    sub->add_flag("--remote-spirv", a->remoteSpirv,
                  "Keep the SPIR-V on the server too (publish it with --spirv): a GPU with "
                  "natives downloads only those; one without needs the server to JIT "
                  "(format 1.4)");
    sub->add_flag("--json", a->json,
                  "Print {archive, output, bytes, natives_url, remote_spirv, warnings}");
    r.add(sub, [a, url] {
        auto in = archive::ArchiveReader::openFile(a->archive);
        if (!in) return diag::fail(in.error());
        auto keys = archive::loadSigningKeys(a->signKeys);
        if (!keys) return diag::fail(keys.error());
        auto slim = delivery::slimArchive(*in, *url, a->remoteSpirv);
        if (!slim) return diag::fail(slim.error());
        if (auto st = archive::writeArchiveFile(a->output, *slim, {}, *keys); !st)
            return diag::fail(st.error());
        auto written = archive::ArchiveReader::openFile(a->output);
        auto warnings = written ? delivery::missingOnServer(*written) : std::vector<std::string>{};
        for (const auto& warning : warnings)
            diag::warning(warning);
        if (a->json)
            std::cout << nlohmann::json{{"archive", a->archive},
                                        {"output", a->output},
                                        {"bytes", written ? written->fileBytes().size() : 0},
                                        {"natives_url", *url},
                                        {"remote_spirv", a->remoteSpirv},
                                        {"warnings", warnings}}
                             .dump(2)
                      << "\n";
        return 0;
    });
}

void addWheelVariants(CommandRegistry& r) {
    auto wheel = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto by = std::make_shared<std::string>("target");
    auto url = std::make_shared<std::string>();
    auto signKeys = std::make_shared<std::vector<std::string>>();
    auto* sub = r.app.add_subcommand(
        "wheel-variants", "PEP 825 variant wheels, one per GPU, from a wheel that ships archives");
    sub->footer("Example:\n  aotpack wheel-variants dist/pkg-1.0-cp311-cp311-linux_x86_64.whl "
                "-o variants/\n  (pkg-...-pvc.whl, ...-null.whl, pkg-1.0-variants.json; the "
                "property intel :: device_ip :: <ip>; docs/DELIVERY.md)");
    sub->add_option("wheel", *wheel, "Wheel whose .aotpack files to split per GPU")->required();
    sub->add_option("-o,--output", *out, "Directory for the wheels and the index")->required();
    addSplitByOption(sub, *by, "wheel");
    sub->add_option("--natives-url", *url,
                    "The null variant ships slim archives whose natives are fetched from here "
                    "(aotpack publish); default: SPIR-V only");
    sub->add_option("--sign", *signKeys,
                    "Sign every archive of every variant with this private key (repeat)");
    r.add(sub, [wheel, out, by, url, signKeys] {
        auto keys = archive::loadSigningKeys(*signKeys);
        if (!keys) return diag::fail(keys.error());
        delivery::VariantOptions options{splitBy(*by), *url, std::move(*keys)};
        auto set = delivery::writeWheelVariants(*wheel, *out, options);
        if (!set) return diag::fail(set.error());
        for (const auto& warning : set->warnings)
            diag::warning(warning);
        for (const auto& w : set->wheels)
            std::cout << w.path.string() << "\n";
        std::cout << set->index.string() << "\n" << set->plain.string() << "\n";
        return 0;
    });
}

} // namespace

void addDeliveryCommands(CommandRegistry& registry) {
    addPublish(registry);
    addSlim(registry);
    addWheelVariants(registry);
}

} // namespace aotpack::cli
