// GpuApi through Level Zero: modules of one context and device, written to `out`.
#pragma once

#include "runtime/gpu_api.h"

#include <level_zero/ze_api.h>

namespace aotpack::runtime {

class ZeApi final : public GpuApi {
  public:
    ZeApi(ze_context_handle_t context, ze_device_handle_t device, ze_module_handle_t& out)
        : context_(context), device_(device), out_(out) {}
    Creation create(CodeFormat format, ByteView code, const std::string& options) override;
    std::optional<Bytes> createdBinary() override;

  private:
    ze_context_handle_t context_;
    ze_device_handle_t device_;
    ze_module_handle_t& out_;
};

} // namespace aotpack::runtime
