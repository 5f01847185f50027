// The build manifest's file name in a directory: a directory holding it is one input of
// `aotpack build` (compile/inputs.h reads it), and `aotpack capture` writes one into its capture
// directory (capture/finish.cpp). Here so that both stages name it without knowing each other.
#pragma once

namespace aotpack {

constexpr const char* kCaptureManifestFile = "aotpack-capture.json";

} // namespace aotpack
