// bench_runtime open-select ARCHIVE N | load ARCHIVE MODULE N [CACHE_DIR] | jit ARCHIVE MODULE
// CACHE_DIR | check ARCHIVE MODULE IP N KEY.pub. Prints "name<TAB>value" lines for bench/run.py.
// `load` and `jit` need a (simulated) GPU.
#include "aotpack/runtime.h"
#include "archive/reader.h"
#include "archive/signing.h"
#include "archive/writer.h"
#include "crypto/sha256.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

static int openSelect(const char* path, int n) {
    std::vector<double> times;
    for (int i = 0; i < n; ++i) {
        auto start = Clock::now();
        aotpack_archive* a = nullptr;
        if (aotpack_archive_open_file(path, &a) != AOTPACK_SUCCESS)
            return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
        aotpack_load_info info{};
        // An application asks for a module by name; the synthetic archive has module_0 ..
        // module_2499.
        if (aotpack_select(a, "module_1250", 0x030f0007, AOTPACK_POLICY_PREFER_NATIVE, &info) !=
            AOTPACK_SUCCESS)
            return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
        times.push_back(ms(start, Clock::now()));
        aotpack_archive_close(a);
    }
    std::printf("open_select_ms\t%.4f\n", median(times));
    return 0;
}

// A synthetic archive of `entries` entries: modules with SPIR-V and three targets each, small
// distinct payloads (the index, not the payload size, is what open + select depends on).
static int makeSynthetic(const char* path, int entries) {
    aotpack::archive::ArchiveWriter w;
    std::uint32_t seed = 1;
    auto payload = [&] {
        aotpack::Bytes b(256);
        for (auto& x : b)
            x = static_cast<std::uint8_t>((seed = seed * 1103515245 + 12345) >> 16);
        return b;
    };
    const std::uint32_t targets[] = {0x030dc008, 0x030e0005, 0x030f0007};
    for (int m = 0; m * 4 < entries; ++m) {
        std::string name = "module_" + std::to_string(m);
        (void)w.addSpirv(name, payload(), {{"entry_points", "k"}});
        for (auto ip : targets)
            (void)w.addNative(name, ip, payload(), {{"kernels", "k"}});
    }
    aotpack::archive::WriterOptions options;
    options.zstdLevel = options.largePayloadLevel = 3;
    auto st = aotpack::archive::writeArchiveFile(path, w, options);
    std::printf("synthetic_entries\t%zu\n", w.entryCount());
    return st ? 0 : 1;
}

struct Ze {
    ze_driver_handle_t driver = nullptr;
    ze_device_handle_t device = nullptr;
    ze_context_handle_t context = nullptr;
};

static bool initZe(Ze& ze) {
    if (zeInit(0) != ZE_RESULT_SUCCESS) return false;
    std::uint32_t n = 1;
    zeDriverGet(&n, &ze.driver);
    n = 1;
    zeDeviceGet(ze.driver, &n, &ze.device);
    ze_context_desc_t desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
    return zeContextCreate(ze.driver, &desc, &ze.context) == ZE_RESULT_SUCCESS;
}

// Module creation through aotpack vs a raw zeModuleCreate of the zebin aotpack selects.
// With CACHE_DIR, aotpack's cache is on there and filled by one load first (the steady state of a
// machine that has run the application before, or ran `aotpack warm`); without, every load
// decompresses.
static int load(const char* path, const char* module, int n, const char* cacheDir) {
    Ze ze;
    if (!initZe(ze)) return std::fprintf(stderr, "no Level Zero device\n"), 1;
    aotpack_archive* a = nullptr;
    if (aotpack_archive_open_file(path, &a) != AOTPACK_SUCCESS) return 1;
    std::uint32_t ip = 0;
    aotpack_device_ip(ze.device, &ip);
    auto reader = aotpack::archive::ArchiveReader::openFile(path);
    auto zebin = reader->payload(*reader->find(module, aotpack::archive::EntryKind::Native, ip));
    std::vector<double> raw, via;
    for (int i = 0; i < n; ++i) {
        ze_module_desc_t desc{ZE_STRUCTURE_TYPE_MODULE_DESC,
                              nullptr,
                              ZE_MODULE_FORMAT_NATIVE,
                              zebin->size(),
                              zebin->data(),
                              "",
                              nullptr};
        ze_module_handle_t m = nullptr;
        auto start = Clock::now();
        zeModuleCreate(ze.context, ze.device, &desc, &m, nullptr);
        raw.push_back(ms(start, Clock::now()));
        zeModuleDestroy(m);
        aotpack_load_options opts{AOTPACK_POLICY_NATIVE_ONLY, cacheDir, cacheDir ? 1 : 0, 0};
        if (i == 0 && cacheDir) { // fill the cache
            if (aotpack_module_create(a, ze.context, ze.device, module, &opts, &m, nullptr) !=
                AOTPACK_SUCCESS)
                return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
            zeModuleDestroy(m);
        }
        start = Clock::now();
        if (aotpack_module_create(a, ze.context, ze.device, module, &opts, &m, nullptr) !=
            AOTPACK_SUCCESS)
            return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
        via.push_back(ms(start, Clock::now()));
        zeModuleDestroy(m);
    }
    std::printf("raw_load_ms\t%.4f\naotpack_load_ms\t%.4f\n", median(raw), median(via));
    return 0;
}

// The first load JIT-compiles and fills the cache; the next ones hit it.
static int jit(const char* path, const char* module, const char* cacheDir, int n) {
    Ze ze;
    if (!initZe(ze)) return std::fprintf(stderr, "no Level Zero device\n"), 1;
    aotpack_archive* a = nullptr;
    if (aotpack_archive_open_file(path, &a) != AOTPACK_SUCCESS) return 1;
    std::vector<double> jitTimes, hitTimes;
    for (int i = 0; i < n; ++i) {
        std::string dir = std::string(cacheDir) + "/" + std::to_string(i);
        aotpack_load_options opts{AOTPACK_POLICY_PREFER_NATIVE, dir.c_str(), 1, 0};
        for (auto* times : {&jitTimes, &hitTimes}) {
            ze_module_handle_t m = nullptr;
            aotpack_load_info info{};
            if (aotpack_module_create(a, ze.context, ze.device, module, &opts, &m, &info) !=
                AOTPACK_SUCCESS)
                return std::fprintf(stderr, "%s\n", aotpack_last_error()), 1;
            times->push_back(info.milliseconds);
            zeModuleDestroy(m);
        }
    }
    std::printf("jit_ms\t%.4f\njit_cache_hit_ms\t%.4f\n", median(jitTimes), median(hitTimes));
    return 0;
}

// What a trust policy adds to a native's first load: the check of its entry against the signed
// digest (SHA-256 of the stored payload), each time on a fresh verification so that nothing is
// remembered; beside it, the SHA-256 of the raw zebin, which signature blocks of version 1 pinned.
static int check(const char* path, const char* module, std::uint32_t ip, int n, const char* pub) {
    using namespace aotpack::archive;
    auto reader = ArchiveReader::openFile(path, IndexChecks::Lookup);
    auto key = aotpack::crypto::Ed25519Key::loadPublic(pub);
    if (!reader || !key) return std::fprintf(stderr, "cannot open %s or %s\n", path, pub), 1;
    auto entry = reader->find(module, EntryKind::Native, ip);
    if (!entry) return std::fprintf(stderr, "%s: no native %s for %u\n", path, module, ip), 1;
    auto raw = reader->payload(*entry);
    std::vector<double> checks, rawHashes;
    for (int i = 0; i < n; ++i) {
        auto verified = VerifiedArchive::check(*reader, {*key});
        if (!verified) return std::fprintf(stderr, "%s\n", verified.error().message.c_str()), 1;
        (void)verified->signedDigest(*reader, *entry); // its chunk of the table: once per 256
        auto start = Clock::now();
        if (!verified->checkEntry(*reader, *entry)) return std::fprintf(stderr, "refused\n"), 1;
        checks.push_back(ms(start, Clock::now()));
        start = Clock::now();
        volatile auto digest = aotpack::sha256(*raw)[0];
        (void)digest;
        rawHashes.push_back(ms(start, Clock::now()));
    }
    std::printf("check_ms\t%.4f\nraw_sha256_ms\t%.4f\nstored_bytes\t%llu\nraw_bytes\t%zu\n",
                median(checks), median(rawHashes),
                static_cast<unsigned long long>(reader->blob(entry->blob).storedSize), raw->size());
    return 0;
}

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "make-synthetic" && argc == 4) return makeSynthetic(argv[2], std::atoi(argv[3]));
    if (mode == "open-select" && argc == 4) return openSelect(argv[2], std::atoi(argv[3]));
    if (mode == "load" && (argc == 5 || argc == 6))
        return load(argv[2], argv[3], std::atoi(argv[4]), argc == 6 ? argv[5] : nullptr);
    if (mode == "jit" && argc == 6) return jit(argv[2], argv[3], argv[4], std::atoi(argv[5]));
    if (mode == "check" && argc == 7)
        return check(argv[2], argv[3], static_cast<std::uint32_t>(std::strtoul(argv[4], 0, 0)),
                     std::atoi(argv[5]), argv[6]);
    std::fprintf(
        stderr,
        "usage: bench_runtime open-select ARCHIVE N | load ARCHIVE MODULE N [CACHE_DIR] | jit "
        "ARCHIVE MODULE DIR N | check ARCHIVE MODULE IP N KEY.pub\n");
    return 2;
}
