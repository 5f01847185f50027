// A payload as an archive stores it (archive::CompressedPayload), kept in the build cache beside
// the raw zebin, so that a build whose jobs are all cache hits copies compressed bytes into the
// new archive instead of compressing every zebin again at zstd 19 (most of a warm build's time).
// Decoding checks the entry against the raw bytes it claims to hold (it decompresses and compares
// checksums), so a damaged or substituted entry is refused, never written into an archive.
#pragma once

#include "archive/writer.h"

#include <optional>

namespace aotpack::archive {

Bytes encodeStoredPayload(const CompressedPayload& payload);
// The payload, if `bytes` is a well-formed entry that decompresses to exactly `raw` (with
// `dictionary` when it was stored with one: the dictionary a build uses for it now).
std::optional<CompressedPayload>
decodeStoredPayload(ByteView bytes, ByteView raw,
                    std::shared_ptr<const Dictionary> dictionary = nullptr);

} // namespace aotpack::archive
