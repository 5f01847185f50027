// Thin C++ layer over include/aotpack/runtime.h: RAII for archives, exceptions for errors.
// Header-only; it adds no symbols to libaotpack_rt, whose ABI stays the C API.
//
//   aotpack::Archive archive("kernels.aotpack");
//   aotpack::LoadInfo info;
//   ze_module_handle_t module = archive.createModule(context, device, "vector_ops", &info);
//   std::cout << info.reason << "\n";
#ifndef AOTPACK_RUNTIME_HPP
#define AOTPACK_RUNTIME_HPP

#include <aotpack/runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace aotpack {

class RuntimeError : public std::runtime_error {
  public:
    RuntimeError(aotpack_result code, const std::string& message) : std::runtime_error(message), code_(code) {}
    aotpack_result code() const noexcept { return code_; }

  private:
    aotpack_result code_;
};

using LoadInfo = aotpack_load_info;
using LoadOptions = aotpack_load_options;

inline void check(aotpack_result result) {
    if (result != AOTPACK_SUCCESS) throw RuntimeError(result, aotpack_last_error());
}

class Archive {
  public:
    explicit Archive(const std::string& path) { check(aotpack_archive_open_file(path.c_str(), &archive_)); }
    // `data` must outlive the Archive (an embedded archive).
    Archive(const void* data, std::size_t size) { check(aotpack_archive_open_memory(data, size, &archive_)); }
    ~Archive() { aotpack_archive_close(archive_); }
    Archive(const Archive&) = delete;
    Archive& operator=(const Archive&) = delete;
    Archive(Archive&& other) noexcept : archive_(other.archive_) { other.archive_ = nullptr; }
    Archive& operator=(Archive&& other) noexcept {
        std::swap(archive_, other.archive_);
        return *this;
    }

    std::vector<std::string> modules() const {
        std::vector<std::string> out;
        for (std::uint32_t i = 0; i < aotpack_archive_module_count(archive_); ++i)
            out.emplace_back(aotpack_archive_module_name(archive_, i));
        return out;
    }

    // IP version values of the native targets, ascending.
    std::vector<std::uint32_t> targets() const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t i = 0; i < aotpack_archive_target_count(archive_); ++i)
            out.push_back(aotpack_archive_target_ip(archive_, i));
        return out;
    }

    LoadInfo select(const std::string& module, std::uint32_t deviceIp,
                    aotpack_policy policy = AOTPACK_POLICY_DEFAULT) const {
        LoadInfo info{};
        check(aotpack_select(archive_, module.c_str(), deviceIp, policy, &info));
        return info;
    }

    ze_module_handle_t createModule(ze_context_handle_t context, ze_device_handle_t device, const std::string& module,
                                    LoadInfo* info = nullptr, const LoadOptions* options = nullptr) {
        ze_module_handle_t handle = nullptr;
        check(aotpack_module_create(archive_, context, device, module.c_str(), options, &handle, info));
        return handle;
    }

    aotpack_archive* get() const noexcept { return archive_; }

  private:
    aotpack_archive* archive_ = nullptr;
};

inline std::uint32_t deviceIp(ze_device_handle_t device) {
    std::uint32_t ip = 0;
    check(aotpack_device_ip(device, &ip));
    return ip;
}

} // namespace aotpack

#endif // AOTPACK_RUNTIME_HPP
