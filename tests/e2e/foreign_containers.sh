#!/usr/bin/env bash
# The containers upstream clang and DPC++ write (issue "Read the device code that upstream clang,
# OpenMP offloading and DPC++'s fat objects write"), each made here by the real tool:
#   - clang++-22 -fsycl -shared: .llvm.offloading holds the linked SPIR-V itself, described by
#     upstream's SYCL wrapper (offload kind 8); llvm-objdump-22 --offloading cannot read it;
#   - clang-22 -fopenmp -fopenmp-targets=spirv64-intel: an OffloadBinary whose image is an
#     EM_INTELGT ELF with INTELONEOMPOFFLOAD notes and the SPIR-V in __openmp_offload_spirv_0.
#     Debian has no libomptarget and no OpenMP device runtime for SPIR-V: the host link gets an
#     empty stand-in libomptarget.so, the device link -nogpulib and spirv-link
#     --allow-partial-linkage (the __kmpc_* calls stay imports, as IGC accepts them);
#   - clang-offload-bundler-22 fat objects, bundle files (plain and compressed) and ar libraries
#     of them. Debian's bundler knows no `sycl` offload kind (intel/llvm's does), so the DPC++
#     fat object is the same section layout made with objcopy: one section per entry, named
#     __CLANG_OFFLOAD_BUNDLE__<id>, as the bundler names them (checked against it below).
# inspect reads each (compared with llvm-objdump-22 and clang-offload-bundler-22 -list);
# capture --from-binary takes the SPIR-V, the OpenMP image's SPIR-V with the OpenMP Level Zero
# plugin's flags, and LLVM bitcode through llvm-spirv-14; the build is served natively by
# `aotpack run` on a simulated pvc when the SPIR-V is handed to zeModuleCreate as the OpenMP
# plugin would.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/offload_inputs.sh"
for tool in clang++-22 clang-22 clang-offload-bundler-22 clang-offload-packager-22 llvm-objdump-22 \
    llvm-spirv-14 clang-14 objcopy ar readelf; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done
[ -e /usr/lib/llvm-22/lib/libomp.so ] || skip "libomp-22-dev is not installed"
: "${ZEAPP:?}"
export PATH=/usr/lib/llvm-22/bin:$PATH # clang's driver runs clang-sycl-linker by that name

# --- upstream SYCL ----------------------------------------------------------------------------
cat >sy.cpp <<'CPP'
// A SYCL kernel as a SYCL library's handler declares it, without the library.
template <typename Name, typename Kernel>
[[clang::sycl_kernel_entry_point(Name)]] void kernel_entry(Kernel k) { k(); }
struct Scale;
extern "C" void scale(float* p) { kernel_entry<Scale>([=] { p[0] *= 2.0f; }); }
CPP
clang++-22 -fsycl -shared -fPIC sy.cpp -o libsy.so
! llvm-objdump-22 --offloading libsy.so >/dev/null 2>&1 || fail "llvm-objdump now reads upstream SYCL: compare with it"
expect_exit 0 "$AOTPACK" inspect libsy.so --json
python3 - "$OUT" <<'PY'
import json, sys
images = json.loads(sys.argv[1])["files"][0]["images"]
assert len(images) == 1, images
i = images[0]
assert (i["kind"], i["kernels"]) == ("spirv", 1), i
p = i["properties"]
assert p["producer"] == "sycl (upstream clang)" and p["triple"].startswith("spirv64"), p
assert p["entries"] == "1" and p["format"] == "none", p
assert i["where"].startswith("SYCL descriptor (upstream clang) at 0x"), i
PY

# --- OpenMP offloading to Intel GPUs ------------------------------------------------------------
cat >omp.c <<'C'
void saxpy(float a, float* x, float* y, int n) {
#pragma omp target teams distribute parallel for map(to: x[0:n]) map(tofrom: y[0:n])
  for (int i = 0; i < n; ++i) y[i] = a * x[i] + y[i];
}
C
echo "" >empty.c
clang-22 -shared -fPIC empty.c -o libomptarget.so
clang-22 -fopenmp -fopenmp-targets=spirv64-intel -nogpulib -Xoffload-linker --allow-partial-linkage \
    -shared -fPIC omp.c -L. -o libomp_saxpy.so
expect_exit 0 "$AOTPACK" inspect libomp_saxpy.so --json
echo "$OUT" >omp.json
python3 - omp.json <<'PY'
import json, sys
images = json.load(open(sys.argv[1]))["files"][0]["images"]
assert len(images) == 1, images
i = images[0]
p = i["properties"]
assert (i["kind"], i["kernels"]) == ("spirv", 1), i
assert p["producer"] == "openmp" and p["triple"] == "spirv64-intel" and p["container"] == "intelgt-openmp", p
# L0Options.h: "-cl-std=CL2.0 " + " " + " " (no LIBOMPTARGET_LEVEL_ZERO_COMPILATION_OPTIONS) + " "
# + "-cl-take-global-address", then " " + compile options + " " + link options (both empty).
assert p["openmp-build-flags"] == "-cl-std=CL2.0    -cl-take-global-address  ", repr(p["openmp-build-flags"])
assert i["where"].endswith("OffloadBinary v1 entry 0, OpenMP image 0"), i
PY
# llvm-objdump-22 reads the OffloadBinary around it: the same triple and producer.
llvm-objdump-22 --offloading libomp_saxpy.so | awk '/^(triple|producer)/ {print $1, $2}' >objdump.txt
python3 -c '
import json
p = json.load(open("omp.json"))["files"][0]["images"][0]["properties"]
print("triple", p["triple"]); print("producer", p["producer"])' >aotpack.txt
diff objdump.txt aotpack.txt || fail "llvm-objdump-22 --offloading and aotpack inspect disagree"
# The SPIR-V, taken out with the real tools (the packager, readelf, dd), as the plugin loads it.
clang-offload-packager-22 libomp_saxpy.so --image=file=omp.img,triple=spirv64-intel
read -r off size < <(readelf -SW omp.img | awk '{for (i = 1; i <= NF; i++) if ($i == "__openmp_offload_spirv_0") print $(i + 3), $(i + 4)}')
dd if=omp.img of=omp.spv bs=1 skip=$((16#$off)) count=$((16#$size)) status=none
expect_exit 0 "$AOTPACK" inspect omp.img
expect_in "the file, OpenMP image 0"

# --- clang-offload-bundler ------------------------------------------------------------------------
spir_bitcode clang-14 reduce14.bc
spir_bitcode clang-22 reduce22.bc
host_object h.o
clang-offload-bundler-22 -type=o -targets=host-x86_64-unknown-linux-gnu-,openmp-spirv64-intel-unknown-unknown- \
    -input=h.o -input=reduce14.bc -output=fatomp.o
clang-offload-bundler-22 -type=bc \
    -targets=host-x86_64-unknown-linux-gnu-,openmp-spirv64-intel-unknown-unknown-,hip-amdgcn-amd-amdhsa--gfx90a \
    -input=reduce14.bc -input=reduce14.bc -input=reduce22.bc -output=fat.bc
clang-offload-bundler-22 -type=bc -compress -targets=host-x86_64-unknown-linux-gnu-,openmp-spirv64-intel-unknown-unknown- \
    -input=reduce14.bc -input=reduce14.bc -output=fatz.bc
[ "$(head -c 4 fatz.bc)" = CCOB ] || fail "the bundler wrote no compressed bundle"
# The entries aotpack lists are the bundler's own (host entries are the host code).
for f in fat.bc fatz.bc; do
    clang-offload-bundler-22 -list -type=bc -input=$f | grep -v '^host-' | sort >bundler.txt
    expect_exit 0 "$AOTPACK" inspect $f --json
    python3 -c '
import json, sys
for i in json.loads(sys.argv[1])["files"][0]["images"]: print(i["properties"]["bundle-id"])' "$OUT" |
        sort >aotpack.txt
    diff bundler.txt aotpack.txt || fail "$f: clang-offload-bundler-22 -list and aotpack disagree"
done
expect_exit 0 "$AOTPACK" inspect fat.bc
expect_in "llvm-bitcode"
expect_in "hip       amdgcn-amd-amdhsa gfx90a"
# A DPC++ fat object (sycl offload kind) and a static library of it.
printf '\0' >host-entry.bin
objcopy --add-section __CLANG_OFFLOAD_BUNDLE__sycl-spir64-unknown-unknown=reduce14.bc \
    --add-section __CLANG_OFFLOAD_BUNDLE__host-x86_64-unknown-linux-gnu=host-entry.bin h.o dpcpp_fat.o
readelf -SW fatomp.o | grep -q '__CLANG_OFFLOAD_BUNDLE__openmp-spirv64-intel-unknown-unknown-' ||
    fail "the bundler's fat object has another section layout"
ar rcs libdpcpp.a dpcpp_fat.o fatomp.o
expect_exit 0 "$AOTPACK" inspect libdpcpp.a --json
python3 - "$OUT" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
got = sorted((i["kind"], i["properties"]["producer"], i["properties"]["triple"]) for i in r["files"][0]["images"])
assert got == [("llvm-bitcode", "openmp", "spirv64-intel-unknown-unknown"),
               ("llvm-bitcode", "sycl", "spir64-unknown-unknown")], got
assert all(i["properties"]["llvm-producer"].startswith("LLVM14.") for i in r["files"][0]["images"]), r
assert r["summary"] == "no native code; LLVM bitcode for SPIR-V targets: capture translates it (llvm-spirv)", r["summary"]
PY

# --- capture --from-binary, build, replay -------------------------------------------------------
expect_exit 0 "$AOTPACK" capture --from-binary libsy.so libomp_saxpy.so libdpcpp.a -o cap
expect_in "from 4 SPIR-V image(s) (2 with the build flags their runtime uses, 2 translated from LLVM bitcode)"
python3 - cap/aotpack-capture.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["modules"]
opts = sorted(x["options"] for x in m)
assert "-cl-std=CL2.0    -cl-take-global-address  " in opts, opts
PY
cmp -s omp.spv "cap/$(python3 -c 'import json; print([x["source"] for x in json.load(open("cap/aotpack-capture.json"))["modules"] if "take-global" in x["options"]][0])')" ||
    fail "the OpenMP image's SPIR-V was not captured as the plugin loads it"
expect_exit 0 "$AOTPACK" build -q --toolchain host -d acm-g10,pvc cap -o app.aotpack
expect_exit 0 "$AOTPACK" list app.aotpack
for k in _ZTS5Scale __omp_offloading_ group_sum; do expect_in "$k"; done
sim_pvc "$ZEAPP" "omp.spv@-cl-std=CL2.0    -cl-take-global-address  " >plain.out
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- "$ZEAPP" "omp.spv@-cl-std=CL2.0    -cl-take-global-address  " \
    >replay.out 2>replay.log
# NEO 22.43's own JIT writes the legacy (patch token) format, whose global symbol table is a
# dummy kernel, Intel_Symbol_Table_Void_Program; the zebin aotpack builds keeps it in a symbol
# section. Every other line is the same.
grep -v Intel_Symbol_Table_Void_Program plain.out >plain-kernels.out
diff plain-kernels.out replay.out >/dev/null || fail "output differs: $(diff plain-kernels.out replay.out)"
grep -q ': native pvc' replay.log || fail "the OpenMP module was not served natively: $(cat replay.log)"
# Other flags than the plugin's: the driver JIT-compiles it, as without aotpack.
sim_pvc env AOTPACK_LOG=1 "$AOTPACK" run app.aotpack -- "$ZEAPP" "omp.spv@-cl-std=CL2.0" >/dev/null 2>replay.log
! grep -q ': native pvc' replay.log || fail "served natively with other flags: $(cat replay.log)"

# add-targets takes the OpenMP library directly.
expect_exit 0 "$AOTPACK" add-targets libomp_saxpy.so --toolchain host -d tgllp -o omp-tgl.aotpack
expect_exit 0 "$AOTPACK" list omp-tgl.aotpack
expect_in "__omp_offloading_"

# --- what cannot be done, said clearly ----------------------------------------------------------
# Bitcode of LLVM 22: no translator here reads it (Debian 12 has llvm-spirv-14 and -15).
clang-offload-bundler-22 -type=bc -targets=host-x86_64-unknown-linux-gnu-,openmp-spirv64-intel-unknown-unknown- \
    -input=reduce22.bc -input=reduce22.bc -output=fat22.bc
expect_exit 9 "$AOTPACK" capture --from-binary fat22.bc -o none
expect_in "(written by LLVM22."   # its identification block, read without LLVM
expect_in "it needs llvm-spirv-22 or newer"
expect_not_in "tried llvm-spirv-14" # older translators than the bitcode are not run
[ ! -e none ] || fail "a capture directory was made for bitcode nothing read"
AOTPACK_LLVM_SPIRV=/bin/false expect_exit 0 "$AOTPACK" capture --from-binary fatomp.o -o cap2
AOTPACK_LLVM_SPIRV=/bin/false expect_exit 9 "$AOTPACK" capture --from-binary fat22.bc -o none
expect_in "(tried false; the newest said"
# A truncated bundle: one line with the file and the offset.
head -c 60 fat.bc >cut.bc
expect_exit 3 "$AOTPACK" inspect cut.bc
expect_in "'cut.bc': the file: malformed offload bundle at offset"
echo "PASS: $TEST_NAME"
