// What `aotpack load` and `warm` share between their Level Zero (cmd_runtime.cpp) and OpenCL
// (cmd_runtime_opencl.cpp) halves: the archive and options they load with, and the results.
#pragma once

#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "cache/disk_cache.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "common/error.h"
#include "runtime/selector.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::cli {

// Loads every module (or one) on every device; a failed zeInit is final (loader 1.8.12 crashes on
// any later call), so it is reported and nothing else is touched.
// What `load` and `warm` found, module by module.
struct LoadResults {
    nlohmann::json out = nlohmann::json::array();
    Table table{{"DEVICE", "MODULE", "FROM", "MS", "KERNELS", "WHY"}};
    std::optional<Errc> failure; // the first failure's exit code
    std::size_t jitLoads = 0;
};

// What load/warm loads from, whatever the API.
struct LoadSetup {
    aotpack_archive* archive = nullptr; // load and warm use the C API only, as a program does
    aotpack_load_options options{AOTPACK_POLICY_DEFAULT, nullptr, -1, 0};
    std::string systemJit = (DiskCache::systemRoot() / "jit").string();
    ~LoadSetup() { aotpack_archive_close(archive); }
    std::vector<std::string> modules(const std::string& only) const {
        std::vector<std::string> out;
        for (std::uint32_t i = 0; i < aotpack_archive_module_count(archive); ++i)
            if (std::string m = aotpack_archive_module_name(archive, i); only.empty() || m == only)
                out.push_back(m);
        return out;
    }
};

// aotpack_last_dropped_kernels() as a list.
std::vector<std::string> droppedKernels();

// One load's row and JSON object.
void recordLoad(const aotpack_load_info& info, std::string why, const std::string& module,
                const std::vector<std::string>& kernels, const std::vector<std::string>& dropped,
                LoadResults& results);

// Level Zero, once per process (a failed zeInit is final); then runtime/ze_devices.h.
Status initLevelZero();

// `aotpack fetch` and `aotpack device-ips` (cmd_fetch.cpp).
void addFetchCommand(CommandRegistry& r);
void addDeviceIpsCommand(CommandRegistry& r);

// Every module (or `only`) on every OpenCL GPU, through aotpack_cl_program_create.
Status loadOpenCl(const std::string& only, LoadSetup& s, LoadResults& results);

} // namespace aotpack::cli
