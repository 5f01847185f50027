// The toolchain store: compiler toolchains unpacked side by side from their .deb files, each in a
// directory named by the SHA-256s of its packages, run with its own ELF interpreter and libraries.
// Layout of the store directory ($AOTPACK_TOOLCHAINS, else <cache root>/toolchains):
//   <id>/toolchain.json   what it is (toolchain.h), its packages, the IPs its ocloc builds
//   <id>/root/            the .debs unpacked (dpkg-deb -x)
//   <id>/bin/ocloc        runs root's ocloc through root's ld-linux with root's libraries
//   <id>/bin/llvm-spirv   the same for a translator toolchain (id llvm-spirv-N-<hash>)
//   debs/<sha256>.deb     the packages, kept for `toolchain add LOCK` offline and for publishing
//   apt/<hash>/           private apt state of each package source (deb_source.h)
// An add unpacks into a temporary directory and renames it into place: two concurrent adds of the
// same toolchain both succeed (the second finds the first's), an interrupted one leaves only a
// temporary directory that the next add removes.
#pragma once

#include "common/error.h"
#include "devices/database.h"
#include "toolchain/toolchain.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aotpack::toolchain {

// A .deb on disk and what pins it (sha256 empty: not pinned yet; the file's own is taken).
struct LocalDeb {
    DebPackage pin;
    std::filesystem::path file;
};

class ToolchainStore {
  public:
    // $AOTPACK_TOOLCHAINS, else <cache root>/toolchains.
    static std::filesystem::path defaultDir();
    explicit ToolchainStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path debCache() const { return dir_ / "debs"; }

    // Every installed compiler toolchain, newest ocloc first. A toolchain whose manifest cannot
    // be read is left out (a store is never fatal to a build).
    std::vector<Toolchain> installed() const;
    // Every installed translator toolchain (llvm-spirv-N), newest first.
    std::vector<Toolchain> translators() const;
    // Compilers, then translators.
    std::vector<Toolchain> everything() const;
    // The one toolchain `choice` names: its id (or a unique prefix of it), or an ocloc version
    // (or its prefix: "26.27"; the newest such).
    Expected<Toolchain> find(const std::string& choice) const;

    // Installs the toolchain made of `debs`. Each file is checked against its pin; `source` is
    // recorded. An installed toolchain of the same packages is returned as it is.
    Expected<Toolchain> install(const std::vector<LocalDeb>& debs, const std::string& source,
                                const devices::Database& db) const;
    // Removes a toolchain and the .debs no other toolchain uses.
    Status remove(const std::string& id) const;

  private:
    std::filesystem::path dir_;
};

// Reads a toolchain's manifest (<dir>/toolchain.json) into a Toolchain with absolute paths.
Expected<Toolchain> loadToolchain(const std::filesystem::path& dir);

// The host's ocloc as a toolchain (ocloc on PATH or $AOTPACK_OCLOC), asked what it builds through
// the facts store in `factsStore`; an error when there is none.
Expected<Toolchain> hostToolchain(const devices::Database& db,
                                  const std::filesystem::path& factsStore);

} // namespace aotpack::toolchain
