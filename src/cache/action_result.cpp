#include "cache/action_result.h"

#include "crypto/sha256.h"

namespace aotpack::cache {
namespace {

enum WireType : std::uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void putVarint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
}

void putTag(Bytes& out, unsigned field, WireType type) {
    putVarint(out, (field << 3) | type);
}

void putBytes(Bytes& out, unsigned field, ByteView bytes) {
    putTag(out, field, kLengthDelimited);
    putVarint(out, bytes.size());
    out.insert(out.end(), bytes.begin(), bytes.end());
}

void putString(Bytes& out, unsigned field, const std::string& s) {
    putBytes(out, field, ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// One field of a message: its number and, for length-delimited fields, its bytes.
struct Field {
    unsigned number = 0;
    WireType type = kVarint;
    std::uint64_t value = 0;
    ByteView bytes;
};

class Parser {
  public:
    explicit Parser(ByteView data) : data_(data) {}
    bool done() const { return pos_ == data_.size(); }
    std::optional<Field> next() {
        auto tag = varint();
        if (!tag || (*tag >> 3) == 0 || (*tag >> 3) > 0xffffffffu) return std::nullopt;
        Field f{static_cast<unsigned>(*tag >> 3), static_cast<WireType>(*tag & 7), 0, {}};
        switch (f.type) {
        case kVarint:
            if (auto v = varint()) return f.value = *v, f;
            return std::nullopt;
        case kFixed64:
            return skip(8) ? std::optional(f) : std::nullopt;
        case kFixed32:
            return skip(4) ? std::optional(f) : std::nullopt;
        case kLengthDelimited: {
            auto n = varint();
            if (!n || *n > data_.size() - pos_) return std::nullopt;
            f.bytes = data_.subspan(pos_, *n);
            pos_ += *n;
            return f;
        }
        }
        return std::nullopt; // groups and reserved wire types: not in these messages
    }

  private:
    std::optional<std::uint64_t> varint() {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
            std::uint8_t b = data_[pos_++];
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        return std::nullopt;
    }
    bool skip(std::size_t n) {
        if (n > data_.size() - pos_) return false;
        pos_ += n;
        return true;
    }
    ByteView data_;
    std::size_t pos_ = 0;
};

std::string text(ByteView b) {
    return std::string(b.begin(), b.end());
}

std::optional<BlobDigest> parseDigest(ByteView bytes) {
    BlobDigest d;
    Parser p(bytes);
    while (!p.done()) {
        auto f = p.next();
        if (!f) return std::nullopt;
        if (f->number == 1 && f->type == kLengthDelimited) d.sha256 = text(f->bytes);
        if (f->number == 2 && f->type == kVarint) d.size = f->value;
    }
    if (!isSha256Hex(d.sha256)) return std::nullopt;
    return d;
}

std::optional<OutputRecord> parseOutputFile(ByteView bytes) {
    OutputRecord out;
    std::optional<BlobDigest> digest;
    Parser p(bytes);
    while (!p.done()) {
        auto f = p.next();
        if (!f) return std::nullopt;
        if (f->number == 1 && f->type == kLengthDelimited) out.name = text(f->bytes);
        if (f->number == 2 && f->type == kLengthDelimited && !(digest = parseDigest(f->bytes)))
            return std::nullopt;
    }
    if (out.name.empty() || !digest) return std::nullopt;
    out.digest = *digest;
    return out;
}

} // namespace

Bytes encodeActionResult(const std::vector<OutputRecord>& outputs, const std::string& worker) {
    Bytes result;
    for (const auto& o : outputs) {
        Bytes digest;
        putString(digest, 1, o.digest.sha256);
        if (o.digest.size) { // proto3: a zero is not written
            putTag(digest, 2, kVarint);
            putVarint(digest, o.digest.size);
        }
        Bytes file;
        putString(file, 1, o.name);
        putBytes(file, 2, digest);
        putBytes(result, 2, file);
    }
    if (!worker.empty()) {
        Bytes metadata;
        putString(metadata, 1, worker);
        putBytes(result, 9, metadata);
    }
    return result;
}

std::string actionResultWorker(ByteView bytes) {
    Parser p(bytes);
    while (!p.done()) {
        auto f = p.next();
        if (!f) return "";
        if (f->number != 9 || f->type != kLengthDelimited) continue;
        Parser metadata(f->bytes);
        while (!metadata.done()) {
            auto m = metadata.next();
            if (!m) return "";
            if (m->number == 1 && m->type == kLengthDelimited) return text(m->bytes);
        }
    }
    return "";
}

std::optional<std::vector<OutputRecord>> decodeActionResult(ByteView bytes) {
    std::vector<OutputRecord> outputs;
    Parser p(bytes);
    while (!p.done()) {
        auto f = p.next();
        if (!f) return std::nullopt;
        if (f->number == 4 && f->type == kVarint && f->value != 0) return std::nullopt;
        if (f->number != 2 || f->type != kLengthDelimited) continue;
        auto file = parseOutputFile(f->bytes);
        if (!file) return std::nullopt;
        outputs.push_back(*file);
    }
    if (outputs.empty()) return std::nullopt;
    return outputs;
}

} // namespace aotpack::cache
