// The public runtime API (C, and the C++ header over it) on real archives, without a GPU.
#include "archive/writer.h"
#include "test_data.h"

#include <aotpack/runtime.hpp>
#include <cstring>

namespace {

aotpack::Bytes exampleArchive() {
    aotpack::archive::ArchiveWriter w;
    EXPECT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kAcmG10, testData("vector_ops.12.55.8.bin"), {}));
    EXPECT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"), {}));
    return *w.finish();
}

} // namespace

TEST(RuntimeApi, VersionQuery) {
    EXPECT_EQ(aotpack_runtime_version(), AOTPACK_RT_VERSION_MAJOR << 16 |
                                             AOTPACK_RT_VERSION_MINOR << 8 |
                                             AOTPACK_RT_VERSION_PATCH);
    EXPECT_STREQ(aotpack_runtime_version_string(), "0.1.0");
}

TEST(RuntimeApi, OpenFromMemoryListAndSelect) {
    auto bytes = exampleArchive();
    aotpack::Archive archive(bytes.data(), bytes.size());
    EXPECT_EQ(archive.modules(), std::vector<std::string>{"vector_ops"});
    EXPECT_EQ(archive.targets(), (std::vector<std::uint32_t>{kAcmG10, kPvc}));
    auto exact = archive.select("vector_ops", kPvc);
    EXPECT_EQ(exact.source, AOTPACK_SOURCE_NATIVE_EXACT);
    EXPECT_EQ(exact.entry_ip, kPvc);
    auto compatible = archive.select("vector_ops", 0x030e4000 /* acm-g12 */);
    EXPECT_EQ(compatible.source, AOTPACK_SOURCE_NATIVE_COMPATIBLE);
    EXPECT_EQ(compatible.entry_ip, kAcmG10);
    EXPECT_EQ(archive.select("vector_ops", 0x03000000).source, AOTPACK_SOURCE_JIT);
}

TEST(RuntimeApi, ErrorsAreCodesWithMessages) {
    auto bytes = exampleArchive();
    aotpack::Archive archive(bytes.data(), bytes.size());
    try {
        archive.select("vector_ops", 0x03000000, AOTPACK_POLICY_NATIVE_ONLY);
        FAIL() << "native-only must refuse";
    } catch (const aotpack::RuntimeError& e) {
        EXPECT_EQ(e.code(), AOTPACK_ERROR_NO_BINARY);
        EXPECT_NE(std::string(e.what()).find("native-only: no binary serves tgllp (12.0.0)"),
                  std::string::npos);
    }
    aotpack_load_info info{};
    EXPECT_EQ(aotpack_select(archive.get(), "nope", kPvc, AOTPACK_POLICY_DEFAULT, &info),
              AOTPACK_ERROR_NOT_FOUND);
    EXPECT_STREQ(aotpack_last_error(), "module 'nope' is not in '<embedded archive>'");
    aotpack_archive* a = nullptr;
    EXPECT_EQ(aotpack_archive_open_file("/nonexistent.aotpack", &a), AOTPACK_ERROR_IO);
    EXPECT_EQ(aotpack_archive_open_file(nullptr, &a), AOTPACK_ERROR_INVALID_ARGUMENT);
    bytes[0] = 'X';
    EXPECT_EQ(aotpack_archive_open_memory(bytes.data(), bytes.size(), &a),
              AOTPACK_ERROR_BAD_ARCHIVE);
    EXPECT_NE(std::strstr(aotpack_last_error(), "wrong magic"), nullptr);
    EXPECT_EQ(aotpack_module_create(nullptr, nullptr, nullptr, "m", nullptr, nullptr, nullptr),
              AOTPACK_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(aotpack_archive_module_name(nullptr, 0), nullptr);
}

// aotpack_last_reason and aotpack_last_dropped_kernels speak of the calling thread's last call
// only: a call that fails before selecting (no such module) must not leave the previous call's.
TEST(RuntimeApi, ACallForAMissingModuleForgetsThePreviousCallsReasonAndDroppedKernels) {
    aotpack::archive::ArchiveWriter w;
    ASSERT_TRUE(w.addSpirv("vector_ops", testData("vector_ops.spv"), {}));
    ASSERT_TRUE(w.addNative("vector_ops", kPvc, testData("vector_ops.12.60.7.bin"),
                            {{"dropped_kernels", "needs_fp64,other"}}));
    auto bytes = *w.finish();
    aotpack::Archive archive(bytes.data(), bytes.size());
    aotpack_load_info info{};
    ASSERT_EQ(aotpack_select(archive.get(), "vector_ops", kPvc, AOTPACK_POLICY_DEFAULT, &info),
              AOTPACK_SUCCESS);
    EXPECT_STREQ(aotpack_last_dropped_kernels(), "needs_fp64,other");
    EXPECT_STRNE(aotpack_last_reason(), "");
    EXPECT_EQ(aotpack_select(archive.get(), "nope", kPvc, AOTPACK_POLICY_DEFAULT, &info),
              AOTPACK_ERROR_NOT_FOUND);
    EXPECT_STREQ(aotpack_last_dropped_kernels(), "");
    EXPECT_STREQ(aotpack_last_reason(), "");
}

// The runtime opens archives without reading the whole index; a lookup that meets a damaged
// record must still come back as "damaged archive", not as "module not found".
TEST(RuntimeApi, ADamagedIndexIsReportedAsDamagedNotAsAMissingModule) {
    auto bytes = exampleArchive();
    std::uint64_t indexOffset;
    std::memcpy(&indexOffset, bytes.data() + 24, sizeof indexOffset);
    std::uint32_t badBlob = 77; // entry 1 (the middle one): its blob field, at offset 12
    std::memcpy(bytes.data() + indexOffset + 32 + 32 + 12, &badBlob, sizeof badBlob);
    aotpack_archive* a = nullptr;
    ASSERT_EQ(aotpack_archive_open_memory(bytes.data(), bytes.size(), &a), AOTPACK_SUCCESS);
    aotpack_load_info info{};
    EXPECT_EQ(aotpack_select(a, "vector_ops", kPvc, AOTPACK_POLICY_DEFAULT, &info),
              AOTPACK_ERROR_BAD_ARCHIVE);
    EXPECT_STREQ(aotpack_last_error(),
                 "'<embedded archive>' is not a valid aotpack archive: index checksum mismatch");
    aotpack_archive_close(a);
}

#include "common/file_io.h"
#include "runtime/result_codes.h"

#include <map>
#include <regex>

namespace aotpack::runtime {
namespace {

// One table both ways: what the runtime library reports comes back as the same exit code.
TEST(RuntimeResultCodes, ErrorsKeepTheirExitCodeThroughTheCApi) {
    for (Errc e : {Errc::Usage, Errc::BadInput, Errc::BadArchive, Errc::NotFound, Errc::NoDevice,
                   Errc::Internal})
        EXPECT_EQ(errcFor(resultFor(e)), e) << static_cast<int>(e);
    // No binary for the device (native-only) exits as "not found", from load, warm and select.
    EXPECT_EQ(errcFor(resultFor(Errc::Unsupported)), Errc::NotFound);
    // Codes the runtime never makes are internal errors, never a usage error.
    for (Errc e : {Errc::CompileFailed, Errc::Output, Errc::Conflict})
        EXPECT_EQ(resultFor(e), AOTPACK_ERROR_INTERNAL);
    EXPECT_EQ(errcFor(AOTPACK_ERROR_OUT_OF_MEMORY), Errc::Internal);
}

// The Python package maps each aotpack_result to the CLI's exit code by a table of its own
// (python/aotpack/__init__.py, _EXIT_CODES): it must say what errcFor says, for every result.
TEST(RuntimeResultCodes, PythonMapIsTheRuntimeTable) {
    auto read = readTextFile(std::string(AOTPACK_SOURCE_DIR) + "/python/aotpack/__init__.py");
    ASSERT_TRUE(read) << read.error().message;
    const std::string& text = *read;
    std::smatch table;
    ASSERT_TRUE(std::regex_search(text, table, std::regex(R"(_EXIT_CODES = \{([^}]*)\})")));
    std::map<int, int> python;
    std::string body = table[1];
    std::regex pair(R"((\d+): (\d+))");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), pair);
         it != std::sregex_iterator(); ++it)
        python[std::stoi((*it)[1])] = std::stoi((*it)[2]);
    for (int r = AOTPACK_ERROR_INVALID_ARGUMENT; r <= AOTPACK_ERROR_OPENCL; ++r) {
        ASSERT_TRUE(python.count(r)) << "python/aotpack has no exit code for aotpack_result " << r;
        EXPECT_EQ(python[r], static_cast<int>(errcFor(static_cast<aotpack_result>(r))))
            << "aotpack_result " << r;
    }
}

} // namespace
} // namespace aotpack::runtime
