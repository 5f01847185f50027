#!/usr/bin/env bash
# Integration: the C example against the build tree; the cmake-consumer example configured against
# an *installed* aotpack (find_package + aotpack_add_archive + EMBED), built with Ninja and with
# Make, run on a simulated PVC; touching the kernel or a header it includes rebuilds only the
# archive and what depends on it.
source "$(dirname "$0")/common.sh"
# The consumer is not instrumented but links the sanitized libaotpack_rt: load ASan first.
preload=()
[ -z "${AOTPACK_SANITIZED:-}" ] || preload=(env "LD_PRELOAD=$(gcc -print-file-name=libasan.so)")

"$AOTPACK" build -q -d pvc "$SRC/examples/kernels" -o k.aotpack
expect_exit 0 sim_pvc "$AOTPACK_BINARY_DIR/examples/load_module" k.aotpack vector_ops
expect_in "vector_ops: exact match for pvc (12.60.7)"
expect_in "kernel saxpy"

cmake --install "$AOTPACK_BINARY_DIR" --prefix "$WORK/prefix" >/dev/null
cp -r "$SRC/examples/cmake-consumer" consumer
cmake -S consumer -B consumer/build -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" >/dev/null
ninja -C consumer/build >/dev/null
expect_exit 0 sim_pvc "${preload[@]}" consumer/build/consumer
expect_in "loaded vector_ops from native: exact match for pvc (12.60.7)"
expect_in "kernel vadd"
"$WORK/prefix/bin/aotpack" list --targets consumer/build/kernels.aotpack > targets.txt
[ "$(cat targets.txt)" = "$(printf 'acm-g10\npvc')" ] || fail "targets: $(cat targets.txt)"

# Nothing changed: nothing to do. The kernel changed: archive, embed, library, link; main.c is
# not recompiled.
[ "$(ninja -C consumer/build -n | grep -c '^\[')" = 0 ] || fail "no-op build is not empty: $(ninja -C consumer/build -n)"
touch consumer/kernels/vector_ops.cl
plan=$(ninja -C consumer/build -n)
grep -q "aotpack: building kernels.aotpack" <<<"$plan" || fail "archive not rebuilt: $plan"
! grep -q "main.c" <<<"$plan" || fail "main.c recompiled: $plan"

# A header the kernel includes is a dependency too (aotpack build --depfile).
ninja -C consumer/build >/dev/null
touch consumer/kernels/scale.h
plan=$(ninja -C consumer/build -n)
grep -q "aotpack: building kernels.aotpack" <<<"$plan" || fail "editing an included header did not rebuild: $plan"

# The same with the Makefile generator.
cmake -S consumer -B consumer/make -G "Unix Makefiles" -DCMAKE_PREFIX_PATH="$WORK/prefix" >/dev/null
make -C consumer/make >/dev/null
expect_exit 0 sim_pvc "${preload[@]}" consumer/make/consumer
expect_in "loaded vector_ops from native"
sleep 1 && touch consumer/kernels/scale.h
make -C consumer/make > make.log
grep -q "aotpack: building kernels.aotpack" make.log || fail "make did not rebuild after a header edit: $(cat make.log)"
make -C consumer/make > make2.log
! grep -q "aotpack: building" make2.log || fail "make rebuilt although nothing changed"

# AOTPACK_DEVICES overrides the call's DEVICES, like TORCH_XPU_ARCH_LIST.
cmake -S consumer -B consumer/build2 -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" -DAOTPACK_DEVICES=pvc >/dev/null
ninja -C consumer/build2 >/dev/null
[ "$("$WORK/prefix/bin/aotpack" list --targets consumer/build2/kernels.aotpack)" = pvc ] || fail "AOTPACK_DEVICES ignored"
