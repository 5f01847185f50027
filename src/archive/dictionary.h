// Trained zstd dictionaries (format 1.4, docs/FORMAT.md "Dictionaries"). Small zebins share most
// of their bytes with every other zebin of their GPU architecture (ELF and section headers, note
// records, the same instruction sequences), which a 32 KB module alone cannot exploit; a
// dictionary trained ahead of time on real zebins of that architecture (data/dictionaries,
// scripts/train-dictionaries.sh) stores piglit's natives ~25% smaller. An archive carries each
// dictionary it uses once, as an entry, so any reader of format 1.4 decompresses it without
// knowing the dictionary beforehand; a build never trains (that would wait for the last compile).
#pragma once

#include "common/error.h"
#include "common/file_io.h"

#include <cstdint>
#include <memory>

struct ZSTD_DDict_s; // zstd.h

namespace aotpack::archive {

class Dictionary {
  public:
    // A zstd dictionary ("zstd --train" output: magic 0xEC30A437, a non-zero id); `origin` names
    // it in the error.
    static Expected<std::shared_ptr<const Dictionary>> fromBytes(Bytes content,
                                                                 const std::string& origin);
    std::uint32_t id() const { return id_; }
    ByteView bytes() const { return content_; }
    // Digested once for decompression (thread-safe); null if zstd cannot (out of memory).
    const ZSTD_DDict_s* forDecompression() const;
    ~Dictionary();

  private:
    Dictionary() = default;
    Bytes content_;
    std::uint32_t id_ = 0;
    struct Digested;
    std::unique_ptr<Digested> digested_;
};

// The dictionary id a stored zstd frame names; 0 when it names none (or is not a frame).
std::uint32_t frameDictionaryId(ByteView stored);

} // namespace aotpack::archive
