// The device database: every Intel GPU target aotpack knows, loaded from a devlists/ file.
// It is data, not code, so a new GPU is a new line in devlists/intel-gpus.devlist.
#pragma once

#include "common/error.h"
#include "devices/ip_version.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::devices {

// One buildable configuration: a device at one stepping.
struct Stepping {
    std::string name; // "c0"
    IpVersion ip;     // 12.55.8
    std::uint32_t pciRevision = 0;
};

struct Device {
    std::string name;                 // canonical acronym, "acm-g10"
    std::vector<std::string> aliases; // "dg2-g10", "ats-m150", "dg2"
    std::string release;              // "xe-hpg"
    std::string family;               // "xe"
    bool fp64 = false;
    std::uint32_t productFamily = 0; // IGC's PRODUCT_FAMILY in older zebins' notes; 0: unknown
    Stepping current;                // the stepping products ship with; the default target
    std::vector<Stepping> older;     // older steppings, selectable with NAME@STEPPING
};

struct PciId {
    std::uint32_t id = 0;
    std::string device;
    std::string product;
};

struct Release {
    std::string name;
    std::string family;
    std::vector<std::string> aliases;
    int order = 0;
};

struct Family {
    std::string name;
    std::vector<std::string> aliases;
    int order = 0;
};

// A target resolved to one IP, with the names it is known by.
struct TargetInfo {
    const Device* device = nullptr;
    const Stepping* stepping = nullptr;
    std::string name() const; // "acm-g10", or "acm-g10@b0" for an older stepping
};

class Database {
  public:
    // Parses devlist text; `origin` names the file in file:line errors.
    static Expected<Database> parse(std::string_view text, const std::string& origin);
    static Expected<Database> load(const std::filesystem::path& path);
    // The database compiled into aotpack (a copy of devlists/intel-gpus.devlist at build time).
    static const Database& builtin();

    const std::vector<Device>& devices() const { return devices_; }
    const std::vector<Release>& releases() const { return releases_; }
    const std::vector<Family>& families() const { return families_; }
    const std::map<std::string, std::string>& presets() const { return presets_; }
    // What a preset mirrors ("PyTorch 2.10 ..."), from its tracks= field; empty if not given.
    std::string presetTracks(const std::string& preset) const {
        auto it = presetTracks_.find(preset);
        return it == presetTracks_.end() ? std::string() : it->second;
    }
    const std::vector<PciId>& pciIds() const { return pciIds_; }

    // Lookups by normalised name (case-, '-' and '_'-insensitive).
    const Device* findDevice(std::string_view name) const;
    const Release* findRelease(std::string_view name) const;
    const Family* findFamily(std::string_view name) const;
    const PciId* findPci(std::uint32_t id) const;
    // A product name from the pci records ("Arc A770"), compared without case and spaces.
    const PciId* findProduct(std::string_view name) const;
    // The product names of a device, in devlist order.
    std::vector<std::string> productsOf(const std::string& device) const;
    std::optional<TargetInfo> findIp(IpVersion ip) const;
    // IPs that a newer driver also serves with a binary built for `key` (compatibility table).
    std::vector<IpVersion> servedBy(IpVersion key) const;
    // The compatibility-table key whose binary serves `ip`, if any.
    std::vector<IpVersion> keysServing(IpVersion ip) const;
    // Every name a user may type, for did-you-mean suggestions.
    std::vector<std::string> allNames() const;

  private:
    friend class DatabaseParser;
    std::vector<Device> devices_;
    std::vector<Release> releases_;
    std::vector<Family> families_;
    std::vector<PciId> pciIds_;
    std::map<std::string, std::string> presets_;
    std::map<std::string, std::string> presetTracks_;
    std::map<IpVersion, std::vector<IpVersion>> compat_;
    std::map<std::string, std::size_t> deviceByName_; // normalised name -> index
};

// Lower-cases and drops '-' and '_': "ATS_M150" and "ats-m150" both become "atsm150".
std::string normaliseName(std::string_view name);
// A product name as compared: without case, spaces, '-', '_', "Intel", "(R)", "(TM)", "Data
// Center GPU" and a trailing "Graphics", so the spellings clinfo, sycl-ls and lspci print match.
std::string productKey(std::string_view name);

// A target's name for messages and metadata: "acm-g10", or the IP ("12.99.0") when the
// database does not know it.
std::string targetName(std::uint32_t ip);

} // namespace aotpack::devices
