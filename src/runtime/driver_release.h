// Which natives a driver can take: NEO's releases are named year.week ("22.43.24595"), and so is
// the ocloc an archive records per native ("ocloc 26.27.39122.14"). A zebin from a newer compiler
// than the driver is not served: NEO 22.43's OpenCL driver takes ocloc 26.27's zebin and then
// crashes in clSetKernelArg.
#pragma once

#include <string_view>

namespace aotpack::runtime {

// Whether `compiler` is of a later release than `driverRelease`; false when either is unknown.
bool newerThanDriver(std::string_view compiler, std::string_view driverRelease);

} // namespace aotpack::runtime
