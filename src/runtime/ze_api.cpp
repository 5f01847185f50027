#include "runtime/ze_api.h"

#include "common/text.h"

#include <cstdio>

namespace aotpack::runtime {

namespace {

std::string hexResult(ze_result_t r) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(r));
    return buf;
}

std::string buildLog(ze_module_build_log_handle_t log) {
    if (!log) return "";
    std::size_t size = 0;
    zeModuleBuildLogGetString(log, &size, nullptr);
    std::string text(size, '\0');
    if (size) zeModuleBuildLogGetString(log, &size, text.data());
    zeModuleBuildLogDestroy(log);
    return std::string(trim(text.c_str()));
}

} // namespace

// zeModuleCreate with its build log; the log explains a failure.
Creation ZeApi::create(CodeFormat format, ByteView code, const std::string& options) {
    ze_module_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_MODULE_DESC;
    desc.format =
        format == CodeFormat::Native ? ZE_MODULE_FORMAT_NATIVE : ZE_MODULE_FORMAT_IL_SPIRV;
    desc.inputSize = code.size();
    desc.pInputModule = code.data();
    desc.pBuildFlags = options.c_str();
    ze_module_build_log_handle_t logHandle = nullptr;
    ze_result_t r = zeModuleCreate(context_, device_, &desc, &out_, &logHandle);
    Creation c;
    c.log = buildLog(logHandle);
    c.created = r == ZE_RESULT_SUCCESS;
    if (!c.created) c.error = hexResult(r);
    return c;
}

std::optional<Bytes> ZeApi::createdBinary() {
    std::size_t size = 0;
    if (zeModuleGetNativeBinary(out_, &size, nullptr) != ZE_RESULT_SUCCESS || !size)
        return std::nullopt;
    Bytes binary(size);
    if (zeModuleGetNativeBinary(out_, &size, binary.data()) != ZE_RESULT_SUCCESS)
        return std::nullopt;
    return binary;
}

} // namespace aotpack::runtime
