// What the drop-in needs to know about the real ocloc, asked of ocloc itself and remembered on disk
// per compiler (keyed by the size and mtime of ocloc, libocloc and IGC), because every ocloc run
// costs ~80 ms and a build makes thousands of calls:
// - its version (`ocloc query OCL_DRIVER_VERSION`): which fat-binary layout it writes;
// - for a device name, the one IP version `ocloc ids NAME` answers, which names its fat-binary
//   member;
// - for a family, a release, a range or `*`, the targets ocloc's fat build compiles. `ocloc ids`
//   lists every stepping, but a fat build takes one config per device acronym (intel-gpu-facts
//   §1.3), so ocloc is asked the only exact way: a fat build of an empty kernel, whose success
//   lines name the acronyms and whose AR members name their IPs.
#pragma once

#include "devices/ip_version.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::ocloc {

class OclocFacts {
  public:
    // `store` empty: nothing is remembered (every question runs ocloc).
    OclocFacts(std::filesystem::path ocloc, std::filesystem::path store);

    const std::filesystem::path& ocloc() const { return ocloc_; }
    // Cache keys use it: the version plus the compiler files' size and mtime.
    const std::string& identity() const { return identity_; }
    // "" when ocloc cannot say.
    std::string version();
    std::optional<devices::IpVersion> ipOf(const std::string& deviceName);
    // The targets of ocloc's fat build for `deviceList`, in ocloc's order; nothing if ocloc
    // rejects it.
    struct Target {
        std::string acronym;
        devices::IpVersion ip;
    };
    std::optional<std::vector<Target>> expand(const std::string& deviceList);

    // With deferred probes, expand() of a list not yet known does not run the probe (a fat build
    // of every target: seconds, longer than the call it serves) but answers nothing and records
    // the list in deferred(); the drop-in then passes the call to ocloc and learns the list in a
    // background process (learnInBackground), so no call is slower than ocloc itself.
    void deferProbes() { deferProbes_ = true; }
    const std::vector<std::string>& deferred() const { return deferred_; }

  private:
    std::string ask(const std::string& question); // runs ocloc once, remembers the answer
    void save() const;

    std::filesystem::path ocloc_;
    std::filesystem::path file_;
    std::string identity_;
    std::map<std::string, std::string> answers_;
    bool loaded_ = false;
    bool deferProbes_ = false;
    std::vector<std::string> deferred_;
};

} // namespace aotpack::ocloc
