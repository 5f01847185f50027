// GpuApi through OpenCL (the loader opencl_library.h loads): built programs of one context and
// device, written to `out`.
#pragma once

#include "runtime/gpu_api.h"
#include "runtime/opencl_library.h"

namespace aotpack::runtime {

class ClApi final : public GpuApi {
  public:
    ClApi(const OpenClLibrary& cl, cl_context context, cl_device_id device, cl_program& out)
        : cl_(cl), context_(context), device_(device), out_(out) {}
    Creation create(CodeFormat format, ByteView code, const std::string& options) override;
    std::optional<Bytes> createdBinary() override;

  private:
    std::string buildLog(cl_program program);

    const OpenClLibrary& cl_;
    cl_context context_;
    cl_device_id device_;
    cl_program& out_;
};

} // namespace aotpack::runtime
