#include "devices/device_list.h"

#include "common/text.h"

#include <algorithm>
#include <set>

namespace aotpack::devices {

std::vector<std::string> DeviceList::names() const {
    std::vector<std::string> out;
    for (const auto& t : targets)
        out.push_back(t.name);
    return out;
}

std::string DeviceList::canonical() const {
    return aotDisabled ? "none" : join(names(), ",");
}

namespace {

struct Candidate {
    TargetInfo info;
    std::string reason;
};

// One end of a range, classified: ranges must have ends of one kind.
struct Endpoint {
    enum Kind { Point, Release, Family } kind = Point;
    IpVersion ip;  // Point
    int order = 0; // Release/Family
    std::string label;
};

class ListParser {
  public:
    ListParser(const Database& db, std::string_view text) : db_(db), text_(text) {}

    Expected<DeviceList> run() {
        DeviceList list;
        list.input = std::string(text_);
        std::string body = std::string(trim(text_));
        if (body.empty()) return usage("empty device list (write 'none' to build SPIR-V only)");
        if (toLower(body) == "none") {
            list.aotDisabled = true;
            return list;
        }
        std::vector<Candidate> found;
        if (auto st = expandList(body, found, 0); !st) return st.error();
        collapse(found, list);
        return list;
    }

  private:
    const Database& db_;
    std::string_view text_;

    // The message, and the whole list unless the message already quotes it (a one-item list).
    Error usage(const std::string& what) const {
        std::string quoted = "'" + std::string(text_) + "'";
        if (what.find(quoted) != std::string::npos) return makeError(Errc::Usage, what);
        return makeError(Errc::Usage, what + " in device list " + quoted);
    }

    Status expandList(std::string_view body, std::vector<Candidate>& out, int depth) {
        auto items = split(body, ',');
        for (std::size_t i = 0; i < items.size(); ++i) {
            std::string item(trim(items[i]));
            if (item.empty()) return usage("empty item at position " + std::to_string(i + 1));
            if (toLower(item) == "none")
                return usage("'none' cannot be combined with other devices");
            if (auto st = expandItem(item, out, depth); !st) return st;
        }
        return success();
    }

    Status expandItem(const std::string& item, std::vector<Candidate>& out, int depth) {
        if (item[0] == '@') return expandPreset(item.substr(1), out, depth);
        if (toLower(item).starts_with("8086:") && !isLspciId(item))
            return usage("malformed PCI id '" + item +
                         "' (lspci -n prints Intel's as 8086:NNNN, e.g. 8086:56c0)");
        if (isLspciId(item)) { // 8086:56c0, as `lspci -n` prints it: Intel's vendor id, a PCI id
            auto single = resolvePoint("0x" + item.substr(5));
            if (!single) return single.error();
            out.push_back({*single, "'" + item + "' is " + single->name()});
            return success();
        }
        auto colon = item.find(':');
        if (colon != std::string::npos) return expandRange(item, colon, out);
        if (const Release* r = db_.findRelease(item)) return expandGroup(item, r->name, "", out);
        if (const Family* f = db_.findFamily(item)) return expandGroup(item, "", f->name, out);
        auto single = resolvePoint(item);
        if (!single) return single.error();
        out.push_back({*single, describe(item, *single)});
        return success();
    }

    Status expandGroup(const std::string& item, const std::string& release,
                       const std::string& family, std::vector<Candidate>& out) const {
        for (const auto& d : db_.devices())
            if ((!release.empty() && d.release == release) ||
                (!family.empty() && d.family == family))
                out.push_back({TargetInfo{&d, &d.current},
                               "member of " +
                                   std::string(release.empty() ? "family " : "release ") + "'" +
                                   item + "'"});
        return success();
    }

    Status expandPreset(const std::string& name, std::vector<Candidate>& out, int depth) {
        auto it = db_.presets().find(toLower(name));
        if (it == db_.presets().end()) {
            std::vector<std::string> known;
            for (const auto& [preset, list] : db_.presets())
                known.push_back("@" + preset);
            return usage("unknown preset '@" + name + "' (known: " + join(known, ", ") + ")");
        }
        if (depth > 8) return usage("preset '@" + name + "' refers to itself");
        std::vector<Candidate> inner;
        if (auto st = expandList(it->second, inner, depth + 1); !st) return st;
        for (auto& c : inner)
            c.reason = "preset @" + it->first + ": " + c.reason;
        out.insert(out.end(), inner.begin(), inner.end());
        return success();
    }

    static bool isLspciId(const std::string& item) {
        return item.size() == 9 && toLower(item.substr(0, 5)) == "8086:" &&
               std::all_of(item.begin() + 5, item.end(),
                           [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    }

    std::string describe(const std::string& item, const TargetInfo& t) const {
        std::string canonical = t.name();
        if (normaliseName(item) == normaliseName(canonical)) return "'" + item + "'";
        return "'" + item + "' is " + canonical;
    }

    // A single target: a device name or alias (optionally @stepping), an IP, a decimal IP value or
    // a PCI id (optionally @revision).
    Expected<TargetInfo> resolvePoint(const std::string& item) const {
        std::string base = item, suffix;
        bool hasSuffix = false;
        if (auto at = item.find('@'); at != std::string::npos) {
            base = item.substr(0, at);
            suffix = item.substr(at + 1);
            hasSuffix = true;
            if (suffix.empty()) return usage("missing stepping after '@' in '" + item + "'");
        }
        if (base.rfind("0x", 0) == 0 || base.rfind("0X", 0) == 0)
            return resolvePci(item, base, suffix, hasSuffix);
        if (hasSuffix) return resolveNamedStepping(item, base, suffix);
        if (std::all_of(base.begin(), base.end(),
                        [](char c) { return std::isdigit((unsigned char)c) || c == '.'; }))
            return resolveNumericIp(item);
        if (const Device* d = db_.findDevice(base)) return TargetInfo{d, &d->current};
        if (const PciId* product = db_.findProduct(base)) {
            const Device* d = db_.findDevice(product->device);
            return TargetInfo{d, &d->current};
        }
        return unknownName(base);
    }

    Expected<TargetInfo> resolveNumericIp(const std::string& item) const {
        std::optional<IpVersion> ip;
        if (item.find('.') != std::string::npos) {
            ip = parseIpVersion(item);
            auto parts = split(item, '.');
            bool threeNumbers =
                parts.size() == 3 &&
                std::none_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); });
            if (!ip && threeNumbers) // digits only, so a part is too large
                return usage("IP version '" + item +
                             "' is out of range (major <= 1023, minor <= 255, revision <= 63)");
            if (!ip)
                return usage("malformed IP version '" + item +
                             "' (expected major.minor.revision, e.g. 12.60.7)");
        } else {
            auto value = parseUnsigned(item);
            if (!value || *value > 0xffffffffULL) return usage("malformed IP value '" + item + "'");
            ip = IpVersion::fromValue(static_cast<std::uint32_t>(*value));
        }
        auto t = db_.findIp(*ip);
        if (!t) return usage("unknown IP version " + ip->str() + " ('" + item + "')");
        return *t;
    }

    Expected<TargetInfo> resolvePci(const std::string& item, const std::string& base,
                                    const std::string& suffix, bool hasSuffix) const {
        auto id = parseUnsigned(base.substr(2), 16);
        if (!id || *id > 0xffff) return usage("malformed PCI id '" + base + "' (expected 0xNNNN)");
        const PciId* pci = db_.findPci(static_cast<std::uint32_t>(*id));
        if (!pci) return usage("unknown PCI id '" + base + "'");
        const Device* d = db_.findDevice(pci->device);
        if (!hasSuffix) return TargetInfo{d, &d->current};
        return resolveNamedStepping(item, d->name, suffix);
    }

    // NAME@STEPPING where STEPPING is a stepping name (b0) or a PCI revision number (4).
    Expected<TargetInfo> resolveNamedStepping(const std::string& item, const std::string& base,
                                              const std::string& suffix) const {
        const Device* d = db_.findDevice(base);
        if (!d) return unknownName(base);
        auto rev = parseUnsigned(suffix);
        auto matches = [&](const Stepping& s) {
            return rev ? s.pciRevision == *rev : toLower(suffix) == s.name;
        };
        if (matches(d->current)) return TargetInfo{d, &d->current};
        for (const auto& s : d->older)
            if (matches(s)) return TargetInfo{d, &s};
        std::vector<std::string> known{d->current.name + " (rev " +
                                       std::to_string(d->current.pciRevision) + ")"};
        for (const auto& s : d->older)
            known.push_back(s.name + " (rev " + std::to_string(s.pciRevision) + ")");
        return usage("unknown stepping '" + suffix + "' of " + d->name + " in '" + item +
                     "' (known: " + join(known, ", ") + ")");
    }

    Error unknownName(const std::string& name) const {
        std::string best;
        std::size_t bestDistance = 3, bestLengthGap = 0;
        std::string wanted = productKey(name);
        for (const auto& candidate : db_.allNames()) {
            // The distance is at least the length difference: skip the quadratic work for names
            // that cannot win (fuzzing showed long unknown names dominating parse time).
            std::string known = productKey(candidate);
            std::size_t shorter = std::min(wanted.size(), known.size());
            std::size_t gap = std::max(wanted.size(), known.size()) - shorter;
            if (gap >= bestDistance) continue;
            std::size_t d = editDistance(wanted, known);
            // Equally close: the one of the same length (a swap, not a dropped letter).
            if (d < bestDistance || (d == bestDistance && !best.empty() && gap < bestLengthGap)) {
                bestDistance = d;
                bestLengthGap = gap;
                best = candidate;
            }
        }
        std::string msg = "unknown device '" + name + "'";
        if (trim(text_) != name) msg += " in device list '" + std::string(text_) + "'";
        auto asPci = parseUnsigned(name, 16);
        if (name.size() == 4 && asPci && db_.findPci(static_cast<std::uint32_t>(*asPci)))
            msg += " (a PCI id is written with 0x: did you mean '0x" + name + "'?)";
        else if (!best.empty())
            msg += " (did you mean '" + best + "'?)";
        return makeError(Errc::Usage, msg);
    }

    Expected<Endpoint> classify(const std::string& end) const {
        if (end.empty()) return Endpoint{};
        if (const Family* f = db_.findFamily(end))
            return Endpoint{Endpoint::Family, {}, f->order, f->name};
        if (const Release* r = db_.findRelease(end))
            return Endpoint{Endpoint::Release, {}, r->order, r->name};
        auto point = resolvePoint(end);
        if (!point) return point.error();
        return Endpoint{Endpoint::Point, point->stepping->ip, 0, point->name()};
    }

    Status expandRange(const std::string& item, std::size_t colon, std::vector<Candidate>& out) {
        std::string lo(trim(item.substr(0, colon))), hi(trim(item.substr(colon + 1)));
        if (hi.find(':') != std::string::npos)
            return usage("range '" + item + "' has more than one ':'");
        if (lo.empty() && hi.empty()) return usage("range ':' has no ends");
        auto a = classify(lo);
        if (!a) return a.error();
        auto b = classify(hi);
        if (!b) return b.error();
        if (!lo.empty() && !hi.empty() && a->kind != b->kind)
            return usage("range '" + item +
                         "' mixes kinds; both ends must be devices, releases or families");
        auto kind = lo.empty() ? b->kind : a->kind;
        if (!lo.empty() && !hi.empty()) {
            bool reversed = kind == Endpoint::Point ? b->ip < a->ip : b->order < a->order;
            if (reversed)
                return usage("reversed range '" + item + "': " + a->label + " is newer than " +
                             b->label + " (write '" + hi + ":" + lo + "')");
        }
        for (const auto& d : db_.devices()) {
            if (!inRange(d, kind, lo.empty() ? nullptr : &*a, hi.empty() ? nullptr : &*b)) continue;
            out.push_back({TargetInfo{&d, &d.current}, "in range '" + item + "'"});
        }
        addSteppingEnds(item, lo.empty() ? nullptr : &*a, hi.empty() ? nullptr : &*b, out);
        return success();
    }

    bool inRange(const Device& d, Endpoint::Kind kind, const Endpoint* lo,
                 const Endpoint* hi) const {
        if (kind == Endpoint::Point)
            return (!lo || d.current.ip >= lo->ip) && (!hi || d.current.ip <= hi->ip);
        int order = kind == Endpoint::Release ? db_.findRelease(d.release)->order
                                              : db_.findFamily(d.family)->order;
        return (!lo || order >= lo->order) && (!hi || order <= hi->order);
    }

    // `acm-g10@b0:pvc` includes its older-stepping end itself, which no device's current IP equals.
    void addSteppingEnds(const std::string& item, const Endpoint* lo, const Endpoint* hi,
                         std::vector<Candidate>& out) const {
        for (const Endpoint* e : {lo, hi})
            if (e && e->kind == Endpoint::Point)
                if (auto t = db_.findIp(e->ip); t && t->stepping != &t->device->current)
                    out.push_back({*t, "end of range '" + item + "'"});
    }

    // Orders by IP and keeps one target per IP; every repeat becomes a note on the kept target.
    void collapse(const std::vector<Candidate>& found, DeviceList& list) const {
        std::vector<Candidate> sorted = found;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Candidate& a, const Candidate& b) {
            return a.info.stepping->ip < b.info.stepping->ip;
        });
        for (const auto& c : sorted) {
            if (!list.targets.empty() && list.targets.back().ip == c.info.stepping->ip) {
                list.targets.back().reasons.push_back(c.reason + " (duplicate, kept once)");
                continue;
            }
            list.targets.push_back({c.info, c.info.stepping->ip, c.info.name(), {c.reason}});
        }
    }
};

} // namespace

Expected<DeviceList> parseDeviceList(const Database& db, std::string_view text) {
    return ListParser(db, text).run();
}

} // namespace aotpack::devices
