// The action-cache record of the remote cache: the subset of Bazel's ActionResult message
// (build/bazel/remote/execution/v2/remote_execution.proto) that names a job's outputs by digest.
// Writing the real message, not a format of our own, lets bazel-remote accept /ac/ uploads with
// its default validation (it parses them and checks that the blobs they name are in /cas/).
//
//   ActionResult { repeated OutputFile output_files = 2; int32 exit_code = 4; }
//   OutputFile   { string path = 1; Digest digest = 2; }
//   Digest       { string hash = 1; int64 size_bytes = 2; }
//
// Hand-coded (about 100 lines) rather than generated: three messages, four fields, and the
// protobuf runtime would be the largest dependency of the tool.
#pragma once

#include "common/file_io.h"

#include <optional>
#include <string>
#include <vector>

namespace aotpack::cache {

struct BlobDigest {
    std::string sha256; // 64 lowercase hex digits
    std::uint64_t size = 0;
    bool operator==(const BlobDigest&) const = default;
};

struct OutputRecord {
    std::string name; // the output's path in Bazel's terms: "zebin", "meta", "ocloc"
    BlobDigest digest;
    bool operator==(const OutputRecord&) const = default;
};

// `worker`: ExecutedActionMetadata.worker (ActionResult field 9, its field 1), where aotpack puts
// a record's HMAC ("aotpack-hmac-sha256:<hex>"); servers store it as part of the record.
Bytes encodeActionResult(const std::vector<OutputRecord>& outputs, const std::string& worker = "");
// The record's ExecutedActionMetadata.worker, "" when it has none (or the record is malformed).
std::string actionResultWorker(ByteView bytes);
// The outputs of a well-formed record; nothing for anything else (truncated, a digest that is not
// SHA-256, a non-zero exit code). Unknown fields are skipped, as protobuf readers do.
std::optional<std::vector<OutputRecord>> decodeActionResult(ByteView bytes);

} // namespace aotpack::cache
