#include "archive/dictionary.h"

#include <mutex>
#include <zstd.h>

namespace aotpack::archive {

struct Dictionary::Digested {
    std::once_flag once;
    ZSTD_DDict* ddict = nullptr;
    ~Digested() { ZSTD_freeDDict(ddict); }
};

Dictionary::~Dictionary() = default;

Expected<std::shared_ptr<const Dictionary>> Dictionary::fromBytes(Bytes content,
                                                                  const std::string& origin) {
    // ZSTD_getDictID_fromDict returns 0 for anything that is not a zstd dictionary (raw-content
    // dictionaries have no id: a frame could not name them).
    unsigned id = ZSTD_getDictID_fromDict(content.data(), content.size());
    if (id == 0)
        return makeError(Errc::BadArchive,
                         origin + " is not a zstd dictionary (no dictionary header and id)");
    std::shared_ptr<Dictionary> d(new Dictionary());
    d->content_ = std::move(content);
    d->id_ = id;
    d->digested_ = std::make_unique<Digested>();
    return std::shared_ptr<const Dictionary>(std::move(d));
}

const ZSTD_DDict_s* Dictionary::forDecompression() const {
    std::call_once(digested_->once, [this] {
        digested_->ddict = ZSTD_createDDict(content_.data(), content_.size());
    });
    return digested_->ddict;
}

std::uint32_t frameDictionaryId(ByteView stored) {
    return ZSTD_getDictID_fromFrame(stored.data(), stored.size());
}

} // namespace aotpack::archive
