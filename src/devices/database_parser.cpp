// Parser of the devlist format (see the header of devlists/intel-gpus.devlist). Every error names
// file:line, because the database is edited by hand whenever Intel ships a GPU.
#include "common/text.h"
#include "devices/database.h"

#include <map>

namespace aotpack::devices {

namespace {

struct Record {
    std::vector<std::string> words;            // positional words, kind first
    std::map<std::string, std::string> fields; // key=value
};

// Splits a line into words; "quoted text" is one word; '#' starts a comment.
Expected<Record> tokenize(std::string_view line, const std::string& where) {
    Record rec;
    std::size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            ++i;
            continue;
        }
        if (line[i] == '#') break;
        std::string word;
        bool quoted = false;
        std::size_t firstQuote = std::string::npos; // key="quoted value" is still a field
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            if (line[i] == '"') {
                if (firstQuote == std::string::npos) firstQuote = word.size();
                auto end = line.find('"', i + 1);
                if (end == std::string_view::npos)
                    return makeError(Errc::BadInput, where + ": unterminated quote");
                word += line.substr(i + 1, end - i - 1);
                quoted = true;
                i = end + 1;
            } else {
                word += line[i++];
            }
        }
        auto eq = word.find('=');
        if (eq != std::string::npos && eq > 0 && (!quoted || eq < firstQuote))
            rec.fields[word.substr(0, eq)] = word.substr(eq + 1);
        else
            rec.words.push_back(word);
    }
    return rec;
}

} // namespace

class DatabaseParser {
  public:
    DatabaseParser(Database& db, std::string origin) : db_(db), origin_(std::move(origin)) {}

    Status parse(std::string_view text) {
        auto lines = split(text, '\n');
        bool sawHeader = false;
        for (std::size_t n = 0; n < lines.size(); ++n) {
            where_ = origin_ + ":" + std::to_string(n + 1);
            auto rec = tokenize(lines[n], where_);
            if (!rec) return rec.error();
            if (rec->words.empty()) continue;
            if (!sawHeader) {
                if (auto st = checkHeader(*rec); !st) return st;
                sawHeader = true;
                continue;
            }
            if (auto st = parseRecord(*rec); !st) return st;
        }
        if (!sawHeader) return fail("empty file, expected 'aotpack-devlist 1'");
        return resolveReferences();
    }

  private:
    Database& db_;
    std::string origin_;
    std::string where_;

    Error fail(const std::string& what) const {
        return makeError(Errc::BadInput, where_ + ": " + what);
    }

    Status checkHeader(const Record& rec) {
        if (rec.words.size() != 2 || rec.words[0] != "aotpack-devlist")
            return fail("expected the header 'aotpack-devlist 1'");
        if (rec.words[1] != "1")
            return fail("devlist format version " + rec.words[1] +
                        " is not supported (this aotpack reads 1)");
        return success();
    }

    Status parseRecord(const Record& rec) {
        const std::string& kind = rec.words[0];
        if (kind == "family") return parseFamily(rec);
        if (kind == "release") return parseRelease(rec);
        if (kind == "device") return parseDevice(rec);
        if (kind == "stepping") return parseStepping(rec);
        if (kind == "pci") return parsePci(rec);
        if (kind == "compat") return parseCompat(rec);
        if (kind == "preset") return parsePreset(rec);
        return fail("unknown record kind '" + kind + "'");
    }

    Expected<std::string> field(const Record& rec, const std::string& key) const {
        auto it = rec.fields.find(key);
        if (it == rec.fields.end() || it->second.empty())
            return fail("'" + rec.words[0] + "' record needs " + key + "=");
        return it->second;
    }

    Expected<IpVersion> ipField(const Record& rec) const {
        auto text = field(rec, "ip");
        if (!text) return text.error();
        auto ip = parseIpVersion(*text);
        if (!ip)
            return fail("malformed IP version '" + *text + "' (expected major.minor.revision)");
        return *ip;
    }

    Expected<std::uint32_t> revField(const Record& rec) const {
        auto text = field(rec, "rev");
        if (!text) return text.error();
        auto rev = parseUnsigned(*text);
        if (!rev || *rev > 255) return fail("malformed PCI revision '" + *text + "'");
        return static_cast<std::uint32_t>(*rev);
    }

    std::vector<std::string> aliases(const Record& rec) const {
        auto it = rec.fields.find("aliases");
        return it == rec.fields.end() ? std::vector<std::string>{} : split(it->second, ',');
    }

    Status checkArity(const Record& rec, std::size_t words) const {
        if (rec.words.size() != words)
            return fail("'" + rec.words[0] + "' record takes " + std::to_string(words - 1) +
                        " name(s)");
        return success();
    }

    Status claimName(const std::string& name, std::size_t deviceIndex) {
        std::string key = normaliseName(name);
        if (key.empty()) return fail("empty name");
        if (db_.deviceByName_.count(key) || db_.findRelease(name) || db_.findFamily(name))
            return fail("name '" + name + "' is defined twice");
        db_.deviceByName_[key] = deviceIndex;
        return success();
    }

    Status parseFamily(const Record& rec) {
        if (auto st = checkArity(rec, 2); !st) return st;
        if (db_.findFamily(rec.words[1]))
            return fail("family '" + rec.words[1] + "' is defined twice");
        db_.families_.push_back(
            {rec.words[1], aliases(rec), static_cast<int>(db_.families_.size())});
        return success();
    }

    Status parseRelease(const Record& rec) {
        if (auto st = checkArity(rec, 2); !st) return st;
        auto family = field(rec, "family");
        if (!family) return family.error();
        if (!db_.findFamily(*family)) return fail("release names unknown family '" + *family + "'");
        if (db_.findRelease(rec.words[1]))
            return fail("release '" + rec.words[1] + "' is defined twice");
        db_.releases_.push_back(
            {rec.words[1], *family, aliases(rec), static_cast<int>(db_.releases_.size())});
        return success();
    }

    Status parseDevice(const Record& rec) {
        if (auto st = checkArity(rec, 2); !st) return st;
        Device d;
        d.name = rec.words[1];
        auto ip = ipField(rec);
        auto rev = revField(rec);
        auto stepping = field(rec, "stepping");
        auto release = field(rec, "release");
        auto fp64 = field(rec, "fp64");
        for (const Error* e :
             {ip ? nullptr : &ip.error(), rev ? nullptr : &rev.error(),
              stepping ? nullptr : &stepping.error(), release ? nullptr : &release.error(),
              fp64 ? nullptr : &fp64.error()})
            if (e) return *e;
        const Release* rel = db_.findRelease(*release);
        if (!rel) return fail("device '" + d.name + "' names unknown release '" + *release + "'");
        if (*fp64 != "yes" && *fp64 != "no")
            return fail("fp64 must be yes or no, not '" + *fp64 + "'");
        if (db_.findIp(*ip)) return fail("IP version " + ip->str() + " is defined twice");
        d.release = rel->name;
        d.family = rel->family;
        d.fp64 = *fp64 == "yes";
        if (auto it = rec.fields.find("product-family"); it != rec.fields.end()) {
            auto family = it->second.rfind("0x", 0) == 0 ? parseUnsigned(it->second.substr(2), 16)
                                                         : std::nullopt;
            if (!family || *family == 0 || *family > 0xffff)
                return fail("malformed product-family '" + it->second + "' (expected 0xN)");
            d.productFamily = static_cast<std::uint32_t>(*family);
        }
        d.current = Stepping{*stepping, *ip, *rev};
        d.aliases = aliases(rec);
        std::size_t index = db_.devices_.size();
        if (auto st = claimName(d.name, index); !st) return st;
        for (const auto& alias : d.aliases)
            if (auto st = claimName(alias, index); !st) return st;
        db_.devices_.push_back(std::move(d));
        return success();
    }

    Status parseStepping(const Record& rec) {
        if (auto st = checkArity(rec, 3); !st) return st;
        auto it = db_.deviceByName_.find(normaliseName(rec.words[1]));
        if (it == db_.deviceByName_.end())
            return fail("stepping names unknown device '" + rec.words[1] + "'");
        auto ip = ipField(rec);
        if (!ip) return ip.error();
        auto rev = revField(rec);
        if (!rev) return rev.error();
        if (db_.findIp(*ip)) return fail("IP version " + ip->str() + " is defined twice");
        db_.devices_[it->second].older.push_back(Stepping{rec.words[2], *ip, *rev});
        return success();
    }

    Status parsePci(const Record& rec) {
        if (rec.words.size() < 3 || rec.words.size() > 4)
            return fail("'pci' record takes an id, a device and an optional product name");
        const std::string& text = rec.words[1];
        auto id = text.rfind("0x", 0) == 0 ? parseUnsigned(text.substr(2), 16) : std::nullopt;
        if (!id || *id > 0xffff) return fail("malformed PCI id '" + text + "' (expected 0xNNNN)");
        if (!db_.findDevice(rec.words[2]))
            return fail("pci id names unknown device '" + rec.words[2] + "'");
        if (db_.findPci(static_cast<std::uint32_t>(*id)))
            return fail("PCI id " + text + " is listed twice");
        db_.pciIds_.push_back({static_cast<std::uint32_t>(*id), db_.findDevice(rec.words[2])->name,
                               rec.words.size() == 4 ? rec.words[3] : ""});
        return success();
    }

    Status parseCompat(const Record& rec) {
        if (auto st = checkArity(rec, 2); !st) return st;
        auto key = parseIpVersion(rec.words[1]);
        if (!key) return fail("malformed IP version '" + rec.words[1] + "'");
        auto served = field(rec, "serves");
        if (!served) return served.error();
        for (const auto& text : split(*served, ',')) {
            auto ip = parseIpVersion(text);
            if (!ip) return fail("malformed IP version '" + text + "'");
            db_.compat_[*key].push_back(*ip);
        }
        return success();
    }

    Status parsePreset(const Record& rec) {
        if (auto st = checkArity(rec, 3); !st) return st;
        if (db_.presets_.count(rec.words[1]))
            return fail("preset '" + rec.words[1] + "' is defined twice");
        db_.presets_[rec.words[1]] = rec.words[2];
        if (auto tracks = rec.fields.find("tracks"); tracks != rec.fields.end())
            db_.presetTracks_[rec.words[1]] = tracks->second;
        return success();
    }

    // Compat entries may name IPs defined later in the file; check them once everything is read.
    Status resolveReferences() {
        for (const auto& [key, served] : db_.compat_) {
            if (!db_.findIp(key))
                return makeError(Errc::BadInput,
                                 origin_ + ": compat key " + key.str() + " is not a known IP");
            for (const auto& ip : served)
                if (!db_.findIp(ip))
                    return makeError(Errc::BadInput,
                                     origin_ + ": compat entry " + ip.str() + " is not a known IP");
        }
        return success();
    }
};

Expected<Database> Database::parse(std::string_view text, const std::string& origin) {
    Database db;
    DatabaseParser parser(db, origin);
    if (auto st = parser.parse(text); !st) return st.error();
    return db;
}

} // namespace aotpack::devices
