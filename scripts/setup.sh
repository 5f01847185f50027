#!/usr/bin/env bash
# Set up a Debian 12 machine (as root) and build aotpack; then run the demo or the tests.
#   scripts/setup.sh demo   install, build, build the bundled example kernels into an archive
#   scripts/setup.sh test   install, build, run the whole test suite (what CI runs)
# Idempotent: packages already installed are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  intel-opencl-icd libze1 libze-dev spirv-tools spirv-headers llvm-spirv-14
  nlohmann-json3-dev libcli11-dev libzstd-dev libxxhash-dev libgtest-dev
  python3 python3-build python3-wheel python3-venv hashcat-data piglit debootstrap
  libcurl4-openssl-dev libssl-dev nginx openssl slurm-wlm munge zstd zlib1g-dev libzip-dev
  clang-16 clang-tools-16 llvm-16 clang-tidy
  clang-22 clang-tools-22 llvm-22 libomp-22-dev
  opencl-c-headers ocl-icd-libopencl1 python3-pyopencl python3-numpy clpeak python3-opencv
)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Intel's newest compilers (Debian's development suite) in aotpack's toolchain store, beside the
# host's ocloc 22.43: they build Xe2/Xe3 (Battlemage, Lunar Lake, Panther Lake) and gen8-gen11.
# Not fatal: when the suite has no such package today, aotpack builds with the host's ocloc.
add_toolchains() { # add_toolchains AOTPACK
  "$1" toolchain add debian:sid || echo "setup: warning: no toolchain from debian:sid (see above)" >&2
  "$1" toolchain add debian:sid --legacy || echo "setup: warning: no legacy toolchain from debian:sid" >&2
}

# A stage of the run and the minutes spent so far: where CI's time goes, in its log.
stage() { echo "setup: [$((SECONDS / 60)) min] $*"; }

build() { # build DIR [cmake args...]
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAOTPACK_DEV_MODE=ON "$@" >/dev/null
  cmake --build "$dir"
}

case "${1:-}" in
  demo)
    install_packages
    build build
    add_toolchains build/tools/aotpack/aotpack
    exec scripts/demo.sh build/tools/aotpack/aotpack
    ;;
  test)
    install_packages
    scripts/check-format.sh
    scripts/check-layers.sh
    scripts/check-nothrow-fs.sh
    # -g1 (line tables: enough for backtraces and sanitizer reports) in every CI build: full
    # debug info costs ~12% of each compile.
    stage "build"
    build build -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
    add_toolchains build/tools/aotpack/aotpack
    stage "clang-tidy"
    scripts/check-tidy.sh build --changed # what changed since the last full pass (.ci/tidy-clean)
    stage "tests"
    (cd build && ctest --output-on-failure -j"$(nproc)")
    stage "benchmark smoke run (checks the benchmark code, not speed)"
    # The benchmarks compare with the host's ocloc: an empty toolchain store, except for the one
    # that measures the store's toolchains.
    store=$(build/tools/aotpack/aotpack toolchain list --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["store"])')
    AOTPACK_TOOLCHAINS=$store python3 bench/toolchain.py --smoke
    export AOTPACK_TOOLCHAINS=$PWD/build/no-toolchains
    python3 bench/run.py --smoke
    python3 bench/compile_cpu.py --smoke && python3 bench/compile_cpu.py --smoke --builds
    python3 bench/ocloc_dropin.py --smoke
    python3 bench/remote_cache.py --smoke
    python3 bench/shard.py --smoke
    python3 bench/capture_replay.py --smoke
    python3 bench/scale.py --smoke
    python3 bench/compression.py --set tiny
    python3 bench/foreign.py --smoke
    python3 bench/trust.py --smoke
    python3 bench/delivery.py --smoke
    python3 bench/fetch_load.py --smoke
    python3 bench/runtime_load.py --smoke
    python3 bench/opencl_replay.py --smoke
    stage "fuzzing (libFuzzer, ASan + UBSan, bounded time)"
    AOTPACK_FUZZ_CXX_FLAGS="-O1 -g1 -DNDEBUG" scripts/fuzz.sh 10
    stage "sanitizer variant (ASan + UBSan)"
    # -O1, as ASan's documentation advises for speed. GCC 12 reports a false maybe-uninitialized
    # inside std::regex at -O1 with ASan. The sanitizer and fuzzing builds are unity builds (one
    # compile per 8 sources: CLI11, nlohmann-json and GoogleTest parsed once per batch, 0.47x the
    # CPU of a full build, docs/BENCHMARKS.md); the normal build above compiles every source on
    # its own, so a missing #include still fails CI, and gives clang-tidy its compile commands.
    build build-asan -DAOTPACK_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug -DCMAKE_UNITY_BUILD=ON \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1 -Wno-maybe-uninitialized"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/../tests/lsan.supp \
      ctest --output-on-failure -j"$(nproc)" -LE "compiler-bound|hosted-by-python")
    stage "ThreadSanitizer variant (runtime threads on the real driver, the build driver's pools, the remote cache's upload thread)"
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAOTPACK_DEV_MODE=ON -DCMAKE_UNITY_BUILD=ON \
      -DAOTPACK_SANITIZE=thread -DCMAKE_CXX_FLAGS_DEBUG="-g1" >/dev/null # -O1: GCC 12 false stringop-overflow
    cmake --build build-tsan --target aotpack threaded_load ze_probe swap_natives fake_libocloc
    (cd build-tsan && ctest --output-on-failure -j"$(nproc)" \
      -R '^e2e[.](concurrency|runtime_cli|runtime_broken_driver|fault_injection|remote_cache_faults)$')
    stage "done"
    ;;
  *)
    echo "usage: scripts/setup.sh demo|test" >&2
    exit 2
    ;;
esac
