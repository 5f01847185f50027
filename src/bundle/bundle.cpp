#include "bundle/bundle.h"

#include "common/file_io.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "net/curl_library.h"
#include "toolchain/compiler_support.h"
#include "toolchain/ocloc_facts.h"
#include "toolchain/ocloc_worker.h"

#include <algorithm>
#include <gnu/libc-version.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace aotpack::bundle {
namespace fs = std::filesystem;
namespace {

// glibc's libraries: the target machine's own must be used (they come as one set with its
// dynamic linker), so they are not bundled.
bool isGlibc(const std::string& name) {
    static const std::set<std::string> glibc = {
        "libc.so.6",    "libm.so.6",           "libpthread.so.0", "libdl.so.2",
        "librt.so.1",   "libresolv.so.2",      "libutil.so.1",    "libanl.so.1",
        "libmvec.so.1", "ld-linux-x86-64.so.2"};
    return glibc.count(name) || name.starts_with("libnss_");
}

// The shared libraries `argv` loads, as the dynamic linker reports them ("calling init: PATH"),
// with `preload` (a library name, or "") loaded first.
Expected<std::set<fs::path>> librariesLoadedBy(ProcessRunner& runner, std::vector<std::string> argv,
                                               const fs::path& dir,
                                               const std::string& preload = "") {
    std::vector<std::string> env = {"LD_DEBUG=libs"};
    if (!preload.empty()) env.push_back("LD_PRELOAD=" + preload);
    auto run = runner.run({std::move(argv), dir, dir / "ld-debug.log", env, {}}, 300);
    if (!run) return run.error();
    auto log = readTextFile(dir / "ld-debug.log");
    if (!run->succeeded() || !log)
        return makeError(Errc::Unsupported,
                         "a probe run for the bundle failed (" + run->describe() +
                             "): " + std::string(log.value_or("").substr(0, 300)));
    std::set<fs::path> libs;
    for (const auto& line : split(*log, '\n'))
        if (auto at = line.find("calling init: "); at != std::string::npos) {
            fs::path lib(std::string(trim(line.substr(at + 14))));
            if (!isGlibc(lib.filename().string())) libs.insert(lib);
        }
    return libs;
}

// Everything aotpack and ocloc load: aotpack itself, then a real compile through ocloc, so
// libraries IGC opens only when it compiles are seen too. With the OpenCL C frontend that is a
// compile of OpenCL C (frontend and backend); without it, of SPIR-V that ocloc made first, which
// loads neither libigdfcl nor opencl-clang and libclang-cpp.
Expected<std::set<fs::path>> allLibraries(ProcessRunner& runner, const fs::path& self,
                                          const fs::path& ocloc, bool openClC) {
    TempDir dir;
    // libcurl is dlopen'ed at the first request (src/net), which --version never makes: loaded
    // first here, so that it and what it needs are bundled for the remote cache.
    auto mine =
        librariesLoadedBy(runner, {self.string(), "--version"}, dir.path(), net::kCurlLibrary);
    if (!mine) return mine.error();
    (void)writeFileAtomic(dir.path() / "k.cl",
                          std::string("__kernel void k(__global int* x) { x[0] = 1; }\n"));
    std::vector<std::string> compile = {ocloc.string(), "compile", "-file", "k.cl",
                                        "-device",      "pvc",     "-q"};
    if (!openClC) {
        auto spirv = runner.run({{ocloc.string(), "compile", "-file", "k.cl", "-spv_only",
                                  "-device", "pvc", "-output", "k", "-q"},
                                 dir.path(),
                                 dir.path() / "spv.log",
                                 {},
                                 {}},
                                300);
        if (!spirv || !spirv->succeeded())
            return makeError(Errc::Unsupported, "a probe run for the bundle failed: '" +
                                                    ocloc.string() + "' could not make SPIR-V");
        compile = {ocloc.string(), "compile", "-file", "k_XE_HPC_COREpvc.spv",
                   "-spirv_input", "-device", "pvc",   "-q"};
    }
    auto theirs = librariesLoadedBy(runner, compile, dir.path());
    if (!theirs) return theirs.error();
    mine->insert(theirs->begin(), theirs->end());
    return mine;
}

// bin/NAME: sets the library path and runs libexec/NAME. aotpack's also names itself in
// AOTPACK_LAUNCHER (the drop-in's shim links here, not to libexec/aotpack, which would start
// without the bundle's libraries) and, called through a link named ocloc, is the drop-in.
Status writeWrapper(const fs::path& path, const std::string& program, bool toolchains) {
    std::string text = "#!/bin/sh\n# aotpack bundle: run " + program +
                       " with the bundle's libraries.\n"
                       "self=$(readlink -f \"$0\")\n"
                       "here=$(dirname \"$self\")/..\n";
    if (program == "aotpack")
        text += "export AOTPACK_LAUNCHER=\"$self\"\n"
                "case \"${0##*/}\" in ocloc) set -- ocloc \"$@\" ;; esac\n";
    if (program == "aotpack" && toolchains)
        text += "export AOTPACK_TOOLCHAINS=\"${AOTPACK_TOOLCHAINS:-$here/toolchains}\"\n";
    text += "LD_LIBRARY_PATH=\"$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\" exec "
            "\"$here/libexec/" +
            program + "\" \"$@\"\n";
    ByteView bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    if (auto st = writeFileAtomic(path, bytes, 0755); !st) return st;
    return success();
}

Status copyInto(const fs::path& from, const fs::path& to, std::vector<std::string>& files,
                const fs::path& root) {
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec); // follows symlinks
    if (ec) return makeError(Errc::Output, "cannot copy '" + from.string() + "': " + ec.message());
    files.push_back(fs::relative(to, root).string());
    return success();
}

// Debug information is most of aotpack's size and none of its use on a build node. A machine
// without binutils bundles unstripped files (a warning says so).
void stripDebugInfo(ProcessRunner& runner, const fs::path& top,
                    const std::vector<std::string>& files, std::vector<std::string>& warnings) {
    std::vector<std::string> argv = {"strip", "--strip-debug"};
    for (const auto& f : files)
        if (f.starts_with("libexec/") || f.starts_with("lib/")) argv.push_back((top / f).string());
    TempDir dir;
    auto run = runner.run({argv, dir.path(), dir.path() / "strip.log", {}, {}}, 600);
    if (!run || !run->succeeded())
        warnings.push_back("the bundle's files keep their debug information: strip " +
                           (run ? run->describe() : run.error().message) +
                           " (install binutils, or pass --no-strip to silence this)");
}

// The staging tree under `root`/toolchain.
// A store toolchain's directory as it is (symbolic links kept: the libraries' sonames), without
// the .debs: it runs from any directory (its bin/ocloc finds its files relative to itself).
Status copyToolchain(const toolchain::Toolchain& t, const fs::path& top,
                     std::vector<std::string>& files) {
    std::error_code ec;
    fs::path to = top / "toolchains" / t.id;
    fs::create_directories(to.parent_path(), ec);
    fs::copy(t.dir, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec)
        return makeError(Errc::Output,
                         "cannot copy toolchain '" + t.dir.string() + "': " + ec.message());
    files.push_back("toolchains/" + t.id + "/");
    return success();
}

Expected<std::vector<std::string>> stage(const fs::path& root, const fs::path& self,
                                         const fs::path& ocloc, const std::set<fs::path>& libs,
                                         const fs::path& preload,
                                         const std::vector<toolchain::Toolchain>& toolchains) {
    fs::path top = root / "toolchain";
    std::error_code ec;
    for (const char* sub : {"bin", "libexec", "lib/aotpack"})
        fs::create_directories(top / sub, ec);
    if (ec) return makeError(Errc::Output, "cannot create '" + top.string() + "': " + ec.message());
    std::vector<std::string> files;
    for (auto [from, name] : {std::pair{self, "aotpack"}, std::pair{ocloc, "ocloc"}}) {
        if (auto st = copyInto(from, top / "libexec" / name, files, top); !st) return st.error();
        ::chmod((top / "libexec" / name).c_str(), 0755);
        if (auto st = writeWrapper(top / "bin" / name, name, !toolchains.empty()); !st)
            return st.error();
        files.push_back("bin/" + std::string(name));
    }
    for (const auto& lib : libs)
        if (auto st = copyInto(lib, top / "lib" / lib.filename(), files, top); !st)
            return st.error();
    if (!preload.empty()) // the shim, and the replay library it loads from its own directory
        for (const auto& lib : {preload, preload.parent_path() / "libaotpack_replay.so"})
            if (auto st = copyInto(lib, top / "lib/aotpack" / lib.filename(), files, top); !st)
                return st.error();
    for (const auto& t : toolchains)
        if (auto st = copyToolchain(t, top, files); !st) return st.error();
    std::sort(files.begin(), files.end());
    return files;
}

// "toolchain ID ocloc VERSION" per carried toolchain, for the MANIFEST.
std::string toolchainLines(const std::vector<toolchain::Toolchain>& toolchains) {
    std::string out;
    for (const auto& t : toolchains)
        out += "toolchain " + t.id + " ocloc " + t.oclocVersion + "\n";
    return out;
}

} // namespace

Expected<BundleResult> writeBundle(const fs::path& output, const BundleOptions& options) {
    std::error_code ec;
    fs::path self = fs::canonical("/proc/self/exe", ec);
    fs::path ocloc = toolchain::findRealOcloc();
    if (ocloc.empty())
        return makeError(Errc::Unsupported,
                         "no ocloc to bundle (install intel-opencl-icd or set AOTPACK_OCLOC)");
    ocloc = fs::canonical(ocloc, ec);
    auto libs = allLibraries(*options.runner, self, ocloc, options.openClC);
    if (!libs) return libs.error();
    std::string libocloc = toolchain::findLibocloc(ocloc.string());
    if (libocloc.empty())
        return makeError(Errc::Unsupported,
                         "no libocloc.so for '" + ocloc.string() + "' to bundle");
    libs->insert(fs::canonical(libocloc, ec).parent_path() / "libocloc.so");
    TempDir staging;
    auto files = stage(staging.path(), self, ocloc, *libs, options.preload, options.toolchains);
    if (!files) return files.error();
    BundleResult result;
    if (options.preload.empty())
        result.warnings.push_back("libaotpack_preload.so was not found: 'aotpack run' and "
                                  "'aotpack capture' will not work from this bundle");
    if (options.strip)
        stripDebugInfo(*options.runner, staging.path() / "toolchain", *files, result.warnings);
    std::string manifest = "aotpack bundle\naotpack " AOTPACK_VERSION "\nglibc >= " +
                           std::string(gnu_get_libc_version()) + "\nocloc " + ocloc.string() +
                           "\n" + (options.openClC ? "opencl-c: yes" : toolchain::kNoOpenClCLine) +
                           "\n" + toolchainLines(options.toolchains) + "files:\n" +
                           join(*files, "\n") + "\n";
    if (auto st = writeFileAtomic(staging.path() / "toolchain" / "MANIFEST", manifest); !st)
        return st.error();
    // A temporary name ending like the output's, so tar -a picks the same compression.
    fs::path temp = output.parent_path() /
                    (".tmp-" + std::to_string(::getpid()) + "-" + output.filename().string());
    auto tar = options.runner->run(
        {{"tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-caf",
          temp.string(), "-C", staging.path().string(), "toolchain"},
         {},
         staging.path() / "tar.log",
         {"XZ_OPT=-T0"},
         {}},
        3600);
    if (!tar || !tar->succeeded()) {
        fs::remove(temp, ec);
        return makeError(Errc::Output, "cannot write '" + output.string() + "': tar " +
                                           (tar ? tar->describe() : tar.error().message) + ": " +
                                           readTextFile(staging.path() / "tar.log").value_or(""));
    }
    fs::rename(temp, output, ec);
    if (ec)
        return makeError(Errc::Output, "cannot write '" + output.string() + "': " + ec.message());
    result.files = std::move(*files);
    result.bytes = fs::file_size(output, ec);
    return result;
}

} // namespace aotpack::bundle
