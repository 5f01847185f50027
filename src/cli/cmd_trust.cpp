// keygen and sign: Ed25519 keys and signed archives (archive/signing.h, docs/TRUST.md). `verify
// --trusted` is in cmd_archive.cpp beside the integrity check it extends.
#include "archive/signing.h"
#include "cli/commands.h"
#include "common/diagnostics.h"

#include <iostream>
#include <memory>

namespace aotpack::cli {

namespace {

struct TrustArgs {
    std::string output, archive;
    std::vector<std::string> keys;
};

void addKeygen(CommandRegistry& r) {
    auto a = std::make_shared<TrustArgs>();
    auto* sub = r.app.add_subcommand(
        "keygen", "Make an Ed25519 key pair for signing archives (KEY, mode 0600, and KEY.pub)");
    sub->footer("Example:\n  aotpack keygen -o release.key   # writes release.key and "
                "release.key.pub\n  aotpack sign app.aotpack --key release.key");
    sub->add_option("-o,--output", a->output, "Private key file to write (never overwritten)")
        ->required();
    r.add(sub, [a] {
        if (auto st = crypto::Ed25519Key::generate(a->output); !st) return diag::fail(st.error());
        auto key = crypto::Ed25519Key::loadPrivate(a->output);
        if (!key) return diag::fail(key.error());
        std::cout << "key " << key->idHex() << ": private " << a->output << ", public " << a->output
                  << ".pub\n";
        return 0;
    });
}

void addSign(CommandRegistry& r) {
    auto a = std::make_shared<TrustArgs>();
    auto* sub = r.app.add_subcommand(
        "sign", "Sign an archive (payloads unchanged; several signatures may be added)");
    sub->footer("Example:\n  aotpack sign app.aotpack --key release.key\n"
                "  aotpack verify app.aotpack --trusted release.key.pub");
    sub->add_option("archive", a->archive, "Archive to sign")->required();
    sub->add_option("--key", a->keys, "Private key (repeat for several signatures)")->required();
    sub->add_option("-o,--output", a->output, "Write the signed archive here (default: in place)");
    r.add(sub, [a] {
        auto keys = archive::loadSigningKeys(a->keys);
        if (!keys) return diag::fail(keys.error());
        if (auto st = archive::signArchiveFile(a->archive, *keys, a->output); !st)
            return diag::fail(st.error());
        for (const auto& key : *keys)
            std::cout << (a->output.empty() ? a->archive : a->output) << ": signed by key "
                      << key.idHex() << "\n";
        return 0;
    });
}

} // namespace

void addTrustCommands(CommandRegistry& registry) {
    addKeygen(registry);
    addSign(registry);
}

} // namespace aotpack::cli
