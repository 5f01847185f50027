#include "delivery/wheel.h"

#include "common/text.h"
#include "crypto/sha256.h"

#include <algorithm>
#include <regex>
#include <zip.h>

namespace aotpack::delivery {

namespace fs = std::filesystem;

std::string WheelName::str() const {
    std::string s = distribution + "-" + version + (build.empty() ? "" : "-" + build) + "-" +
                    python + "-" + abi + "-" + platform + (label.empty() ? "" : "-" + label);
    return s + ".whl";
}

bool isVariantLabel(const std::string& label) {
    static const std::regex pattern("[0-9a-z_.]{1,16}");
    return std::regex_match(label, pattern);
}

Expected<WheelName> parseWheelName(const std::string& fileName) {
    auto bad = [&](const std::string& why) {
        return makeError(Errc::Usage, "'" + fileName + "' is not a wheel file name (" + why + ")");
    };
    if (!fileName.ends_with(".whl")) return bad("no .whl");
    auto parts = split(fileName.substr(0, fileName.size() - 4), '-');
    // 5 parts; 6 with a build tag (starts with a digit) or a variant label; 7 with both.
    if (parts.size() < 5 || parts.size() > 7) return bad("not 5 to 7 dash-separated parts");
    WheelName n;
    n.distribution = parts[0];
    n.version = parts[1];
    std::size_t next = 2;
    // A build tag starts with a digit; a python tag never does.
    bool hasBuild = parts.size() == 7 || (parts.size() == 6 && !parts[2].empty() &&
                                          std::isdigit(static_cast<unsigned char>(parts[2][0])));
    if (hasBuild) n.build = parts[next++];
    n.python = parts[next++];
    n.abi = parts[next++];
    n.platform = parts[next++];
    if (next < parts.size()) n.label = parts[next++];
    if (!n.label.empty() && !isVariantLabel(n.label)) return bad("a bad variant label");
    return n;
}

namespace {

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

std::string zipError(int code) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    std::string text = zip_error_strerror(&e);
    zip_error_fini(&e);
    return text;
}

Expected<WheelEntry> readEntry(zip_t* z, zip_uint64_t i, const fs::path& path) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, i, 0, &st) != 0)
        return makeError(Errc::BadInput, "'" + path.string() + "': " + zip_strerror(z));
    WheelEntry e{st.name, Bytes(st.size), st.mtime};
    zip_file_t* f = zip_fopen_index(z, i, 0);
    zip_int64_t n = f ? zip_fread(f, e.data.data(), e.data.size()) : -1;
    if (f) zip_fclose(f);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size)
        return makeError(Errc::BadInput, "'" + path.string() + "': cannot read '" + e.name + "'");
    return e;
}

// As RECORD spells a digest.
std::string recordDigest(ByteView data) {
    return "sha256=" + base64UrlNoPadding(sha256(data));
}

} // namespace

Expected<std::vector<WheelEntry>> readWheel(const fs::path& path) {
    int error = 0;
    ZipHandle z(zip_open(path.c_str(), ZIP_RDONLY, &error));
    if (!z)
        return makeError(Errc::BadInput, "cannot read '" + path.string() + "': " + zipError(error));
    std::vector<WheelEntry> entries;
    zip_int64_t count = zip_get_num_entries(z.get(), 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        auto e = readEntry(z.get(), static_cast<zip_uint64_t>(i), path);
        if (!e) return e.error();
        if (!e->name.ends_with("/")) entries.push_back(std::move(*e));
    }
    return entries;
}

Expected<std::string> distInfoDir(const std::vector<WheelEntry>& entries) {
    for (const auto& e : entries)
        if (e.name.ends_with(".dist-info/WHEEL") &&
            std::count(e.name.begin(), e.name.end(), '/') == 1)
            return e.name.substr(0, e.name.size() - 5);
    return makeError(Errc::BadInput, "the wheel has no .dist-info/WHEEL");
}

Status writeWheel(const fs::path& path, std::vector<WheelEntry> entries) {
    auto info = distInfoDir(entries);
    if (!info) return info.error();
    std::string record = *info + "RECORD";
    std::erase_if(entries, [&](const WheelEntry& e) { return e.name == record; });
    std::time_t newest = 0;
    std::string lines;
    for (const auto& e : entries) {
        newest = std::max(newest, e.mtime);
        lines += e.name + "," + recordDigest(e.data) + "," + std::to_string(e.data.size()) + "\n";
    }
    lines += record + ",,\n";
    entries.push_back({record, Bytes(lines.begin(), lines.end()), newest});
    fs::path tmp = path;
    tmp += ".tmp";
    int error = 0;
    ZipHandle z(zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error));
    if (!z)
        return makeError(Errc::Output, "cannot write '" + tmp.string() + "': " + zipError(error));
    for (const auto& e : entries) {
        zip_source_t* src = zip_source_buffer(z.get(), e.data.data(), e.data.size(), 0);
        zip_int64_t i = src ? zip_file_add(z.get(), e.name.c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
        if (i < 0) {
            if (src) zip_source_free(src);
            return makeError(Errc::Output, "cannot add '" + e.name + "' to '" + path.string() +
                                               "': " + zip_strerror(z.get()));
        }
        zip_set_file_compression(z.get(), i, ZIP_CM_DEFLATE, 6);
        zip_file_set_mtime(z.get(), i, e.mtime, 0);
    }
    if (zip_close(z.get()) != 0) {
        std::string why = zip_strerror(z.get());
        std::error_code ec;
        fs::remove(tmp, ec);
        return makeError(Errc::Output, "cannot write '" + path.string() + "': " + why);
    }
    (void)z.release(); // closed
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return makeError(Errc::Output, "cannot write '" + path.string() + "': " + ec.message());
    return success();
}

} // namespace aotpack::delivery
