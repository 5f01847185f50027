// Which entry of an archive serves a module on a device: a pure function of the archive, the
// device's IP and the policy, so the runtime, `aotpack select` and `aotpack coverage` agree.
#pragma once

#include "archive/reader.h"
#include "devices/database.h"

#include <optional>
#include <string>

namespace aotpack::runtime {

enum class Policy { PreferNative, NativeOnly, JitOnly };
std::optional<Policy> parsePolicy(std::string_view text);
const char* policyName(Policy p);

enum class Choice { NativeExact, NativeCompatible, Jit, None };
const char* choiceName(Choice c);

struct Selection {
    Choice choice = Choice::None;
    std::optional<archive::EntryView> entry; // the native entry, or the SPIR-V entry for Jit
    std::string reason;
};

// Success if the archive has `module`. If not, the archive's full index checks run first: a
// runtime opens with IndexChecks::Lookup, and a damaged index must be reported as damaged, not as
// a missing module.
Status findModule(const archive::ArchiveReader& archive, std::string_view module);

Selection select(const archive::ArchiveReader& archive, std::string_view module,
                 std::uint32_t deviceIp, Policy policy,
                 const devices::Database& db = devices::Database::builtin());

// What `aotpack select` and `aotpack coverage` report for a JIT the driver refuses: a module
// that uses fp64 (the Float64 capability), on a GPU without fp64, in an archive not built with
// --fp64=poison, becomes Choice::None with the reason. The runtime itself still tries such a JIT
// and lets the driver decide: IGC accepts the rare module whose doubles all optimise away (a
// vload2/vstore2 copy), which only a compile can tell.
Selection offlineView(const archive::ArchiveReader& archive, std::string_view module, Selection s,
                      std::uint32_t deviceIp,
                      const devices::Database& db = devices::Database::builtin());

// The kernels of `module` that `s` will not provide on `deviceIp` (fp64 poison): the native
// entry's `dropped_kernels`; for a JIT compile on a GPU without fp64 from an archive built with
// --fp64=poison (the runtime poisons then too), the kernels dropped for any fp64-less target.
std::vector<std::string> droppedKernels(const archive::ArchiveReader& archive,
                                        std::string_view module, const Selection& s,
                                        std::uint32_t deviceIp,
                                        const devices::Database& db = devices::Database::builtin());

// "pvc (12.60.7)" or "12.99.0" for an IP the database does not know.
std::string describeIp(std::uint32_t ip,
                       const devices::Database& db = devices::Database::builtin());

} // namespace aotpack::runtime
