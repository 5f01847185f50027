#include "foreign/bitcode_producer.h"

#include "common/bytes_at.h"

#include <vector>

namespace aotpack::foreign {

namespace {

constexpr std::uint32_t kRawMagic = 0xDEC04342, kWrapperMagic = 0x0B17C0DE;
constexpr std::uint64_t kIdentificationBlock = 13, kStringRecord = 1;
constexpr unsigned kEnterSubblock = 1, kEndBlock = 0, kDefineAbbrev = 2, kUnabbrevRecord = 3;
constexpr std::size_t kMaxOperands = 256; // the block holds a short string and an epoch

// LSB-first bits of a little-endian stream; reading past the end sets `failed`.
class BitReader {
  public:
    explicit BitReader(ByteView b) : b_(b) {}
    std::uint64_t fixed(unsigned width) {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < width; ++i, ++bit_) {
            if (bit_ / 8 >= b_.size()) return failed = true, 0;
            v |= std::uint64_t((b_[bit_ / 8] >> (bit_ % 8)) & 1) << i;
        }
        return v;
    }
    std::uint64_t vbr(unsigned width) {
        std::uint64_t v = 0;
        for (unsigned shift = 0; shift < 64 && !failed; shift += width - 1) {
            std::uint64_t piece = fixed(width), high = 1ull << (width - 1);
            v |= (piece & (high - 1)) << shift;
            if (!(piece & high)) return v;
        }
        return failed = true, 0;
    }
    void align32() { bit_ = (bit_ + 31) / 32 * 32; }
    bool failed = false;

  private:
    ByteView b_;
    std::uint64_t bit_ = 0;
};

struct Operand {
    int encoding = 0; // 0 literal, 1 fixed, 2 vbr, 3 array, 4 char6 (the bitstream's own numbers)
    std::uint64_t value = 0;
};
using Abbrev = std::vector<Operand>;

char char6(std::uint64_t v) {
    static const char table[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._";
    return table[v & 63];
}

std::uint64_t scalar(BitReader& r, const Operand& op) {
    switch (op.encoding) {
    case 1:
        return r.fixed(static_cast<unsigned>(op.value));
    case 2:
        return r.vbr(static_cast<unsigned>(op.value));
    case 4:
        return static_cast<unsigned char>(char6(r.fixed(6)));
    default:
        return op.value;
    }
}

Abbrev readAbbrev(BitReader& r) {
    Abbrev a;
    for (std::uint64_t n = r.vbr(5); n > 0 && !r.failed && a.size() < kMaxOperands; --n) {
        Operand op;
        if (r.fixed(1)) {
            op.value = r.vbr(8);
        } else {
            op.encoding = static_cast<int>(r.fixed(3));
            if (op.encoding == 1 || op.encoding == 2) op.value = r.vbr(5);
            if (op.encoding < 1 || op.encoding > 4 || op.value > 64) r.failed = true;
        }
        a.push_back(op);
    }
    return a;
}

// The values of one record read with `a`: [code, operands...].
std::vector<std::uint64_t> readRecord(BitReader& r, const Abbrev& a) {
    std::vector<std::uint64_t> values;
    for (std::size_t i = 0; i < a.size() && !r.failed; ++i) {
        if (a[i].encoding != 3) {
            values.push_back(scalar(r, a[i]));
            continue;
        }
        if (i + 1 >= a.size()) return r.failed = true, values;
        std::uint64_t n = r.vbr(6);
        for (std::uint64_t k = 0; k < n && k < kMaxOperands && !r.failed; ++k)
            values.push_back(scalar(r, a[i + 1]));
        ++i; // the element operand
    }
    return values;
}

} // namespace

std::optional<std::string> bitcodeProducer(ByteView b) {
    if (b.size() >= 20 && load<std::uint32_t>(b, 0) == kWrapperMagic) {
        auto offset = load<std::uint32_t>(b, 8), size = load<std::uint32_t>(b, 12);
        if (!fits(b, offset, size)) return std::nullopt;
        b = b.subspan(offset, size);
    }
    if (b.size() < 8 || load<std::uint32_t>(b, 0) != kRawMagic) return std::nullopt;
    BitReader r(b.subspan(4));
    if (r.fixed(2) != kEnterSubblock || r.vbr(8) != kIdentificationBlock) return std::nullopt;
    auto width = static_cast<unsigned>(r.vbr(4));
    r.align32();
    r.fixed(32); // the block's length in words
    if (width < 2 || width > 32) return std::nullopt;
    std::vector<Abbrev> abbrevs;
    while (!r.failed && abbrevs.size() < kMaxOperands) {
        auto id = r.fixed(width);
        if (id == kEndBlock || id == kEnterSubblock) return std::nullopt;
        std::vector<std::uint64_t> record;
        if (id == kDefineAbbrev) {
            abbrevs.push_back(readAbbrev(r));
            continue;
        }
        if (id == kUnabbrevRecord) {
            record.push_back(r.vbr(6));
            for (std::uint64_t n = r.vbr(6); n > 0 && n <= kMaxOperands && !r.failed; --n)
                record.push_back(r.vbr(6));
        } else if (id - 4 < abbrevs.size()) {
            record = readRecord(r, abbrevs[id - 4]);
        } else {
            return std::nullopt;
        }
        if (!r.failed && !record.empty() && record[0] == kStringRecord)
            return std::string(record.begin() + 1, record.end());
    }
    return std::nullopt;
}

std::optional<int> llvmMajorOf(const std::string& producer) {
    if (!producer.starts_with("LLVM")) return std::nullopt;
    int major = 0;
    std::size_t i = 4;
    for (; i < producer.size() && i < 8 && producer[i] >= '0' && producer[i] <= '9'; ++i)
        major = major * 10 + (producer[i] - '0');
    return i > 4 ? std::optional(major) : std::nullopt;
}

} // namespace aotpack::foreign
