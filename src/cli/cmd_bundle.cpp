// `aotpack bundle`: a relocatable toolchain tarball (src/bundle).
#include "bundle/bundle.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "common/text.h"

#include <iostream>

namespace aotpack::cli {

void addBundleCommand(CommandRegistry& registry) {
    auto output = std::make_shared<std::string>();
    CLI::App* sub = registry.app.add_subcommand(
        "bundle", "Write a relocatable toolchain (aotpack, ocloc, libocloc, IGC, their libraries)");
    sub->add_option("-o,--output", *output, "Tarball to write (.tar.xz, .tar.gz or .tar.zst)")
        ->required();
    sub->footer(
        "Unpacked anywhere on x86-64 Linux with a glibc at least as new as this machine's,\n"
        "toolchain/bin/aotpack builds with the bundled ocloc (docs/DISTRIBUTED.md).\n"
        "Example:\n  aotpack bundle -o toolchain.tar.xz\n"
        "  tar xf toolchain.tar.xz && toolchain/bin/aotpack build -d pvc k.cl -o k.aotpack");
    registry.add(sub, [output] {
        auto result = bundle::writeBundle(*output);
        if (!result) return fail(result.error());
        note("wrote '" + *output + "': " + std::to_string(result->files.size()) + " files, " +
             humanBytes(result->bytes));
        return 0;
    });
}

} // namespace aotpack::cli
