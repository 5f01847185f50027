#include "devices/database.h"

#include "common/file_io.h"
#include "common/text.h"

#include <algorithm>

namespace aotpack::devices {

std::string normaliseName(std::string_view name) {
    std::string out;
    for (char c : toLower(trim(name)))
        if (c != '-' && c != '_') out += c;
    return out;
}

std::string TargetInfo::name() const {
    if (!device) return stepping ? stepping->ip.str() : "";
    if (stepping == &device->current) return device->name;
    return device->name + "@" + stepping->name;
}

const Device* Database::findDevice(std::string_view name) const {
    auto it = deviceByName_.find(normaliseName(name));
    return it == deviceByName_.end() ? nullptr : &devices_[it->second];
}

template <class T> static const T* findNamed(const std::vector<T>& items, std::string_view name) {
    std::string key = normaliseName(name);
    for (const auto& item : items) {
        if (normaliseName(item.name) == key) return &item;
        for (const auto& alias : item.aliases)
            if (normaliseName(alias) == key) return &item;
    }
    return nullptr;
}

const Release* Database::findRelease(std::string_view name) const {
    return findNamed(releases_, name);
}
const Family* Database::findFamily(std::string_view name) const {
    return findNamed(families_, name);
}

const PciId* Database::findPci(std::uint32_t id) const {
    for (const auto& pci : pciIds_)
        if (pci.id == id) return &pci;
    return nullptr;
}

// Product names compare without case, spaces, '-', '_' and the words tools add around them:
// "arc a770", "Intel Arc A770" and sycl-ls's "Intel(R) Arc(TM) A770 Graphics" are all "Arc A770";
// "Max 1550" and the driver's "Intel(R) Data Center GPU Max 1550" are "Data Center GPU Max 1550".
std::string productKey(std::string_view name) {
    std::string key;
    for (char c : name)
        if (c != ' ' && c != '-' && c != '_')
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* noise : {"(r)", "(tm)", "\u00ae", "\u2122", "intelcorporation"})
        for (auto at = key.find(noise); at != std::string::npos; at = key.find(noise))
            key.erase(at, std::string_view(noise).size());
    for (const char* prefix : {"intel", "datacentergpu"})
        if (key.starts_with(prefix)) key.erase(0, std::string_view(prefix).size());
    if (key.ends_with("graphics") && key.size() > 8 && !key.starts_with("arcgraphics") &&
        key.find("graphics(") == std::string::npos)
        key.erase(key.size() - 8);
    return key;
}

// `lspci` shows the product in brackets ("Intel Corporation DG2 [Arc A770] (rev 08)").
static std::vector<std::string_view> productCandidates(std::string_view name) {
    std::vector<std::string_view> out{name};
    for (auto open = name.find('['); open != std::string_view::npos;
         open = name.find('[', open + 1))
        if (auto close = name.find(']', open); close != std::string_view::npos)
            out.push_back(name.substr(open + 1, close - open - 1));
    return out;
}

const PciId* Database::findProduct(std::string_view name) const {
    for (auto candidate : productCandidates(name)) {
        std::string wanted = productKey(candidate);
        if (wanted.empty()) continue;
        for (const auto& pci : pciIds_)
            if (!pci.product.empty() && productKey(pci.product) == wanted) return &pci;
    }
    return nullptr;
}

std::vector<std::string> Database::productsOf(const std::string& device) const {
    std::vector<std::string> products;
    for (const auto& pci : pciIds_)
        if (pci.device == device && !pci.product.empty() &&
            std::find(products.begin(), products.end(), pci.product) == products.end())
            products.push_back(pci.product);
    return products;
}

std::optional<TargetInfo> Database::findIp(IpVersion ip) const {
    for (const auto& device : devices_) {
        if (device.current.ip == ip) return TargetInfo{&device, &device.current};
        for (const auto& s : device.older)
            if (s.ip == ip) return TargetInfo{&device, &s};
    }
    return std::nullopt;
}

std::vector<IpVersion> Database::servedBy(IpVersion key) const {
    auto it = compat_.find(key);
    return it == compat_.end() ? std::vector<IpVersion>{} : it->second;
}

std::vector<IpVersion> Database::keysServing(IpVersion ip) const {
    std::vector<IpVersion> keys;
    for (const auto& [key, served] : compat_)
        if (std::find(served.begin(), served.end(), ip) != served.end()) keys.push_back(key);
    return keys;
}

std::vector<std::string> Database::allNames() const {
    std::vector<std::string> names;
    for (const auto& d : devices_) {
        names.push_back(d.name);
        names.insert(names.end(), d.aliases.begin(), d.aliases.end());
    }
    for (const auto& r : releases_) {
        names.push_back(r.name);
        names.insert(names.end(), r.aliases.begin(), r.aliases.end());
    }
    for (const auto& pci : pciIds_)
        if (!pci.product.empty()) names.push_back(pci.product);
    for (const auto& f : families_)
        names.push_back(f.name);
    for (const auto& [preset, list] : presets_)
        names.push_back("@" + preset);
    return names;
}

Expected<Database> Database::load(const std::filesystem::path& path) {
    auto text = readTextFile(path);
    if (!text) return text.error();
    return parse(*text, path.string());
}

std::string targetName(std::uint32_t ip) {
    auto v = IpVersion::fromValue(ip);
    auto known = Database::builtin().findIp(v);
    return known ? known->name() : v.str();
}

} // namespace aotpack::devices
