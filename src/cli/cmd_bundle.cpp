// `aotpack bundle`: a relocatable toolchain tarball (src/bundle).
#include "bundle/bundle.h"
#include "capture/launch.h"
#include "cli/commands.h"
#include "common/diagnostics.h"
#include "common/text.h"
#include "toolchain/store.h"

#include <iostream>

namespace aotpack::cli {

void addBundleCommand(CommandRegistry& registry) {
    auto output = std::make_shared<std::string>();
    auto noStrip = std::make_shared<bool>(false);
    auto noOpenClC = std::make_shared<bool>(false);
    auto toolchains = std::make_shared<std::vector<std::string>>();
    CLI::App* sub = registry.app.add_subcommand(
        "bundle", "Write a relocatable toolchain (aotpack, ocloc, libocloc, IGC, their libraries)");
    sub->add_option("-o,--output", *output, "Tarball to write (.tar.xz, .tar.gz or .tar.zst)")
        ->required();
    sub->add_flag("--no-strip", *noStrip, "Keep debug information (a bundle several times larger)");
    sub->add_flag("--no-opencl-c", *noOpenClC,
                  "Leave out the OpenCL C frontend (libclang-cpp, opencl-clang): a smaller bundle "
                  "that builds SPIR-V only");
    sub->add_option("--toolchain", *toolchains,
                    "Carry this store toolchain (id or ocloc version; repeatable; default: every "
                    "toolchain in the store, 'none' for none)")
        ->allow_extra_args(false);
    sub->footer(
        "Unpacked anywhere on x86-64 Linux with a glibc at least as new as this machine's,\n"
        "toolchain/bin/aotpack builds with the bundled ocloc (docs/DISTRIBUTED.md).\n"
        "Example:\n  aotpack bundle -o toolchain.tar.xz\n"
        "  tar xf toolchain.tar.xz && toolchain/bin/aotpack build -d pvc k.cl -o k.aotpack");
    registry.add(sub, [output, noStrip, noOpenClC, toolchains] {
        std::string whyNoPreload;
        bundle::BundleOptions options{
            capture::findPreloadLibrary(whyNoPreload), !*noStrip, !*noOpenClC, {}};
        toolchain::ToolchainStore store(toolchain::ToolchainStore::defaultDir());
        if (toolchains->empty()) options.toolchains = store.installed();
        for (const auto& choice : *toolchains) {
            if (choice == "none") continue;
            auto t = store.find(choice);
            if (!t) return diag::fail(t.error());
            options.toolchains.push_back(std::move(*t));
        }
        auto result = bundle::writeBundle(*output, options);
        if (!result) return diag::fail(result.error());
        for (const auto& w : result->warnings)
            diag::warning(w);
        diag::note("wrote '" + *output + "': " + std::to_string(result->files.size()) + " files, " +
                   humanBytes(result->bytes));
        return 0;
    });
}

} // namespace aotpack::cli
