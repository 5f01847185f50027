// What the installed ocloc is and what it can build, asked of ocloc itself and remembered on disk
// per compiler (keyed by ocloc's path and exact stat and the compiler libraries' size and mtime),
// because every ocloc run costs ~80 ms and builds and drop-in calls ask the same questions again:
// - its version (`ocloc query OCL_DRIVER_VERSION`): part of cache keys, and which fat-binary
//   layout it writes;
// - `ocloc ids NAME`: for a device name the one IP version that names its fat-binary member; for
//   a family or release every stepping this ocloc supports, so an IP outside the answers of every
//   group is a target it cannot build, even when the database knows it (bmg with ocloc 22.43);
// - for a family, a release, a range or `*`, the targets ocloc's fat build compiles. `ocloc ids`
//   lists every stepping, but a fat build takes one config per device acronym (intel-gpu-facts
//   §1.3), so ocloc is asked the only exact way: a fat build of an empty kernel, whose success
//   lines name the acronyms and whose AR members name their IPs.
// The build (compiler_support.h) and the drop-in (src/dropin) share one store.
#pragma once

#include "devices/ip_version.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aotpack::toolchain {

// The marker file that makes a directory an aotpack shim directory (skipped by findRealOcloc).
constexpr const char* kShimMarker = ".aotpack-shim";

// The real ocloc: `requested`, else $AOTPACK_OCLOC, else one beside aotpack (a bundle), else
// `ocloc` on PATH - never aotpack itself (its drop-in shim, `aotpack ocloc --shim-dir`, or a copy
// of aotpack named ocloc), so a shim early on PATH cannot call itself. Empty when there is none.
std::filesystem::path findRealOcloc(const std::filesystem::path& requested = {});

// The size and mtime of ocloc and the compiler libraries: part of every cache key, so an
// upgraded compiler misses even if its version string did not change.
std::string compilerStamp(const std::filesystem::path& ocloc);

class OclocFacts {
  public:
    // `store` (a directory) empty: nothing is remembered (every question runs ocloc).
    OclocFacts(std::filesystem::path ocloc, const std::filesystem::path& store);

    const std::filesystem::path& ocloc() const { return ocloc_; }
    // Cache keys use it: "ocloc VERSION" plus the compiler files' size and mtime.
    const std::string& identity() const { return identity_; }
    // "" when ocloc cannot say.
    std::string version();
    std::optional<devices::IpVersion> ipOf(const std::string& deviceName);
    // Every IP `ocloc ids NAME` answers for any of `names`; the names not known yet are asked
    // all at once (each is a few ms of process start; one after the other they were 0.2 s of
    // every build on a fresh cache).
    std::set<std::uint32_t> idsOfAll(const std::vector<std::string>& names);
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
    // background process, so no call is slower than ocloc itself.
    void deferProbes() { deferProbes_ = true; }
    const std::vector<std::string>& deferred() const { return deferred_; }

  private:
    void load();
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

} // namespace aotpack::toolchain
