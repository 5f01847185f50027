// The device-list language: what users write after -d (`ats-m150,pvc`, `xe-hpg:xe-hpc`, `0x56c0`,
// `@ipex-default`, `none`). Grammar in docs/DEVICES.md. The result is deduplicated and IP-ordered:
// aliases and repeats collapse into one target with a note, never a second copy.
#pragma once

#include "common/error.h"
#include "devices/database.h"

#include <string>
#include <vector>

namespace aotpack::devices {

struct ResolvedTarget {
    TargetInfo info;
    IpVersion ip;
    std::string name;                 // canonical: "acm-g10", "acm-g10@b0"
    std::vector<std::string> reasons; // why it is in the list: "'ats-m150': alias of acm-g10"
};

struct DeviceList {
    std::string input;                   // as the user wrote it
    std::vector<ResolvedTarget> targets; // IP order, one per IP
    bool aotDisabled = false;            // the list was `none`: SPIR-V only
    std::vector<std::string> names() const;
    std::string canonical() const; // "acm-g10,pvc"
};

Expected<DeviceList> parseDeviceList(const Database& db, std::string_view text);

} // namespace aotpack::devices
