#include "runtime/result_codes.h"

namespace aotpack::runtime {

aotpack_result resultFor(Errc code) {
    switch (code) {
    case Errc::Usage:
        return AOTPACK_ERROR_INVALID_ARGUMENT;
    case Errc::BadInput:
        return AOTPACK_ERROR_IO;
    case Errc::BadArchive:
        return AOTPACK_ERROR_BAD_ARCHIVE;
    case Errc::NotFound:
        return AOTPACK_ERROR_NOT_FOUND;
    case Errc::Unsupported: // the runtime's only one: no binary serves the device (native-only)
        return AOTPACK_ERROR_NO_BINARY;
    case Errc::NoDevice:
        return AOTPACK_ERROR_LEVEL_ZERO;
    case Errc::CompileFailed: // the runtime compiles nothing itself: the driver's JIT is NoDevice
    case Errc::Output:
    case Errc::Conflict:
    case Errc::CacheDamaged:
    case Errc::FetchFailed:
    case Errc::Internal:
        return AOTPACK_ERROR_INTERNAL;
    }
    return AOTPACK_ERROR_INTERNAL;
}

Errc errcFor(aotpack_result result) {
    switch (result) {
    case AOTPACK_ERROR_INVALID_ARGUMENT:
        return Errc::Usage;
    case AOTPACK_ERROR_IO:
        return Errc::BadInput;
    case AOTPACK_ERROR_BAD_ARCHIVE:
    case AOTPACK_ERROR_UNTRUSTED: // exits like `aotpack verify --trusted` refusing it
        return Errc::BadArchive;
    case AOTPACK_ERROR_NOT_FOUND:
    case AOTPACK_ERROR_NO_BINARY: // "no binary for this device" exits like "no such entry"
        return Errc::NotFound;
    case AOTPACK_ERROR_LEVEL_ZERO:
    case AOTPACK_ERROR_OPENCL:
        return Errc::NoDevice;
    case AOTPACK_SUCCESS: // not an error; never asked
    case AOTPACK_ERROR_OUT_OF_MEMORY:
    case AOTPACK_ERROR_INTERNAL:
        return Errc::Internal;
    }
    return Errc::Internal;
}

} // namespace aotpack::runtime
