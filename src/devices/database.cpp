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

// Product names compare without case, spaces, '-' and '_': "arc a770" is "Arc A770".
static std::string productKey(std::string_view name) {
    std::string key;
    for (char c : name)
        if (c != ' ' && c != '-' && c != '_')
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

const PciId* Database::findProduct(std::string_view name) const {
    std::string wanted = productKey(name);
    for (const auto& pci : pciIds_)
        if (!pci.product.empty() && productKey(pci.product) == wanted) return &pci;
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
