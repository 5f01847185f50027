// Builds an archive in memory. The output depends only on the content added, never on the order it
// was added in, the time, the user or paths: entries are sorted, equal payloads are stored once and
// compression runs per payload with fixed parameters.
#pragma once

#include "archive/format.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/hash.h"

#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace aotpack::archive {

using Metadata = std::map<std::string, std::string>;

struct WriterOptions {
    int zstdLevel = 19;   // chosen by measurement: see bench/ and README ("Archive size")
    unsigned threads = 0; // 0: hardware concurrency; does not change the output
};

class ArchiveWriter {
  public:
    void setArchiveMetadata(const std::string& key, const std::string& value) {
        archiveMeta_[key] = value;
    }
    Status addSpirv(const std::string& module, Bytes spirv, Metadata meta);
    Status addNative(const std::string& module, std::uint32_t targetIp, Bytes zebin, Metadata meta);
    Expected<Bytes> finish(const WriterOptions& options = {}) const;
    std::size_t entryCount() const { return entries_.size(); }

  private:
    using Key = std::tuple<std::string, std::uint16_t, std::uint32_t>;
    struct Entry {
        Hash128 payload;
        Metadata meta;
    };
    Status add(Key key, Bytes data, Metadata meta);

    std::map<Key, Entry> entries_;
    std::map<Hash128, std::shared_ptr<const Bytes>> payloads_;
    Metadata archiveMeta_;
};

Status writeArchiveFile(const std::filesystem::path& path, const ArchiveWriter& writer,
                        const WriterOptions& options = {});

} // namespace aotpack::archive
