// `aotpack wheel-variants` (docs/DELIVERY.md): a wheel that ships aotpack archives
// becomes PEP 825 variant wheels - one per target (its archives split to that target: its natives
// and all SPIR-V) labelled with the property `intel :: device_ip :: <ip>` that wheelnext's
// intel-variant-provider detects, a null variant (SPIR-V only, or a slim archive whose natives are
// fetched by hash), and the `{name}-{version}-variants.json` index. Read from PEP 825 and the
// provider's README (docs/DELIVERY.md cites them).
#pragma once

#include "common/error.h"
#include "crypto/ed25519.h"
#include "delivery/split.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::delivery {

// The draft schema PEP 825's examples use (a draft version: PEP 825 is a draft).
inline constexpr const char* kVariantSchema = "https://variants-schema.wheelnext.dev/v0.0.3.json";

struct VariantOptions {
    delivery::SplitBy by = delivery::SplitBy::Target;
    std::string nativesUrl;                   // non-empty: the null variant ships slim archives
    std::vector<crypto::Ed25519Key> signKeys; // every archive of every variant signed with these
};

struct VariantWheel {
    std::string label;            // "pvc", "acm_g10_acm_g11", "null"
    std::vector<std::string> ips; // the device_ip values; none for null
    std::filesystem::path path;
};

struct VariantSet {
    std::vector<VariantWheel> wheels;
    std::filesystem::path index; // {name}-{version}-variants.json
    std::filesystem::path plain; // the null variant's content without a label, for old installers
    std::vector<std::string> warnings; // a signed archive whose variants are not signed
};

// Errors: not a wheel, or one with a label already (Usage); no .aotpack file in it (Usage); an
// archive that does not read (BadArchive); the output cannot be written (Output).
Expected<VariantSet> writeWheelVariants(const std::filesystem::path& wheel,
                                        const std::filesystem::path& outDir,
                                        const VariantOptions& options);

} // namespace aotpack::delivery
