#!/usr/bin/env bash
# Python: the ctypes module reads archives; the example wheel builds offline (Debian's build and
# wheel, --no-isolation), runs `aotpack build` for its kernels, installs into a venv and reports its
# targets from Python.
source "$(dirname "$0")/common.sh"
[ -z "${AOTPACK_SANITIZED:-}" ] || skip "Python cannot load an ASan-instrumented libaotpack_rt without preloading the ASan runtime"
py=/usr/bin/python3 # Debian's, with python3-build, python3-wheel and python3-venv
"$py" -c "import build, wheel, setuptools" 2>/dev/null || skip "python3-build/python3-wheel not installed"

cmake --install "$AOTPACK_BINARY_DIR" --prefix "$WORK/prefix" >/dev/null
export PATH="$WORK/prefix/bin:$PATH" AOTPACK_RT_LIBRARY="$WORK/prefix/lib/libaotpack_rt.so.0"
"$py" -m venv --system-site-packages venv
cp -r "$SRC/python" py-src # pip writes build files next to the sources
venv/bin/pip install -q --no-index --no-build-isolation ./py-src

cp -r "$SRC/examples/python-wheel" wheel-src
(cd wheel-src && AOTPACK_DEVICES=ats-m150,pvc "$py" -m build --wheel --no-isolation >/dev/null 2>&1)
ls wheel-src/dist/example_kernels-0.1.0-*.whl >/dev/null || fail "no wheel built"
venv/bin/pip install -q --no-index --no-deps wheel-src/dist/*.whl
(cd / && "$WORK/venv/bin/python" -c '
import example_kernels, aotpack
assert example_kernels.get_arch_list() == ["acm-g10", "pvc"], example_kernels.get_arch_list()
a = example_kernels.archive()
assert a.modules() == ["reduce", "vector_ops"], a.modules()
assert a.select("reduce", "0x56a5")["source"] == "compatible"
assert a.select("reduce", "tgllp")["source"] == "jit"
try:
    aotpack.Archive("/nonexistent.aotpack")
    raise SystemExit("no error for a missing file")
except aotpack.AotpackError as e:
    assert e.code == 3 and e.status == 2, (e.code, e.status)  # the README exit code; the C status
try:
    a.select("reduce", "tgllp", policy="native-only")
    raise SystemExit("native-only on tgllp should fail")
except aotpack.AotpackError as e:
    assert e.code == 9, e.code
try:
    a.select("reduce", "pvc", policy="bogus")
    raise SystemExit("a bad policy name should fail")
except aotpack.AotpackError as e:
    assert e.code == 2, e.code
print("python ok", aotpack.runtime_version())
') > py.out
grep -q "python ok 0.1.0" py.out || fail "$(cat py.out)"

# Without the library: an ImportError that says how to point at it (not a bare OSError).
set +e
OUT=$(cd / && AOTPACK_RT_LIBRARY=/nonexistent/libaotpack_rt.so.0 "$WORK/venv/bin/python" -c 'import aotpack' 2>&1)
set -e
expect_in "ImportError: aotpack: cannot load libaotpack_rt"
expect_in "AOTPACK_RT_LIBRARY"
# The README's install commands work offline: the installed module on PYTHONPATH, in a plain venv.
"$py" -m venv plain
(cd / && PYTHONPATH="$WORK/prefix/share/aotpack/python" "$WORK/plain/bin/python" -c \
    'import aotpack; print(aotpack.runtime_version())') | grep -q 0.1.0 ||
    fail "PYTHONPATH=<prefix>/share/aotpack/python does not work"

if [ -z "${AOTPACK_SANITIZED:-}" ]; then
    (cd / && NEOReadDebugKeys=1 SetCommandStreamReceiver=1 ProductFamilyOverride=pvc "$WORK/venv/bin/python" -c '
import example_kernels
r = example_kernels.archive().what_would_load_here()
assert {x["source"] for x in r} == {"native"} and {x["device"] for x in r} == {"pvc"}, r
print("here ok")') > here.out
    grep -q "here ok" here.out || fail "$(cat here.out)"
fi
