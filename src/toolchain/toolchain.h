// A compiler toolchain: one ocloc with its IGC and the libraries they run with. The host's ocloc
// (/usr/bin/ocloc, from the host's packages) is one; the others live in the toolchain store
// (store.h), unpacked from Debian packages and run through their own ELF interpreter, so that a
// compiler built for a newer glibc runs beside the host's without touching it. The store keeps
// LLVM-to-SPIR-V translators (llvm-spirv-N, translator.h) the same way: pinned, unpacked, run with
// their own libraries; a translator has no ocloc and builds no target.
#pragma once

#include <compare>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace aotpack::toolchain {

// One .deb of a toolchain, as a lock file pins it.
struct DebPackage {
    std::string name;    // "intel-ocloc"
    std::string version; // "26.27.39122.14-1"
    std::string sha256;  // of the .deb file
    std::uint64_t size = 0;
    std::string url; // where it was fetched from ("" for a local directory of .debs)
};

// The host's ocloc as a toolchain.
constexpr const char* kHostToolchainId = "host";

struct Toolchain {
    std::string id; // "ocloc-26.27.39122-1a2b3c4d5e6f" (from the .debs' SHA-256s), or "host"
    std::string oclocVersion; // "26.27.39122.14" (the package's version without its Debian part)
    std::string igcVersion;   // "2.40.14"; "" when not known
    std::string source;       // what `toolchain add` was given: "debian:sid", a directory, a lock
    bool legacy = false;      // intel-ocloc-legacy: gen8-gen11 only
    bool spirvOnly = false;   // no OpenCL C frontend (libigdfcl) in it
    int translatorLlvm = 0;   // a translator toolchain: llvm-spirv of this LLVM release; 0: ocloc
    std::string translatorVersion; // "22.1.0" (the llvm-spirv package's upstream version)
    std::uint64_t sizeBytes = 0;
    std::vector<DebPackage> packages;
    std::set<std::uint32_t> ipValues; // the IP versions its ocloc builds (`ocloc ids`)
    std::string identity; // the host's: its version, size and mtime (cache keys); else from id

    std::filesystem::path dir;    // the toolchain's directory in the store; empty for the host
    std::filesystem::path ocloc;  // what to run: the store's bin/ocloc script, or the host's ocloc
    std::filesystem::path loader; // its ld-linux (store toolchains)
    std::string libraryPath;      // its library directories, ':'-separated (store toolchains)
    std::filesystem::path libocloc;   // for compile workers; empty: none
    std::filesystem::path translator; // a translator toolchain's bin/llvm-spirv launcher

    bool host() const { return id == kHostToolchainId; }
    bool isTranslator() const { return translatorLlvm != 0; }
    bool supports(std::uint32_t ip) const { return ipValues.count(ip) != 0; }
};

// "26.27.39122.14" against "22.43.24595": component by component, numerically.
std::strong_ordering compareVersions(const std::string& a, const std::string& b);

// The IP versions as ranges of the same major: "12.0.0-12.74.4, 20.1.0-20.4.4".
std::string describeIpRanges(const std::set<std::uint32_t>& ips);

} // namespace aotpack::toolchain
