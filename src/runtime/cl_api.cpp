#include "runtime/cl_api.h"

#include "common/text.h"

namespace aotpack::runtime {

std::string ClApi::buildLog(cl_program program) {
    size_t size = 0;
    if (cl_.getProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
            CL_SUCCESS ||
        !size)
        return "";
    std::string text(size, '\0');
    cl_.getProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_LOG, size, text.data(), nullptr);
    return std::string(trim(text.c_str()));
}

// A program created from the binary or the IL and built for the device, as an application
// would: clCreateProgramWith{Binary,IL} + clBuildProgram with the module's options.
Creation ClApi::create(CodeFormat format, ByteView code, const std::string& options) {
    cl_int error = CL_SUCCESS;
    cl_program program = nullptr;
    if (format == CodeFormat::Native) {
        size_t length = code.size();
        const unsigned char* bytes = code.data();
        program =
            cl_.createProgramWithBinary(context_, 1, &device_, &length, &bytes, nullptr, &error);
    } else {
        program = cl_.createProgramWithIL(context_, code.data(), code.size(), &error);
    }
    Creation c;
    if (!program || error != CL_SUCCESS) {
        c.error = std::to_string(error);
        return c;
    }
    error = cl_.buildProgram(program, 1, &device_, options.c_str(), nullptr, nullptr);
    if (error != CL_SUCCESS) {
        c.error = std::to_string(error);
        c.log = buildLog(program);
        cl_.releaseProgram(program);
        return c;
    }
    out_ = program;
    c.created = true;
    return c;
}

std::optional<Bytes> ClApi::createdBinary() {
    size_t size = 0;
    if (cl_.getProgramInfo(out_, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) !=
            CL_SUCCESS ||
        !size)
        return std::nullopt;
    Bytes binary(size);
    unsigned char* data = binary.data();
    if (cl_.getProgramInfo(out_, CL_PROGRAM_BINARIES, sizeof data, &data, nullptr) != CL_SUCCESS)
        return std::nullopt;
    return binary;
}

} // namespace aotpack::runtime
