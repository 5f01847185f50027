#!/usr/bin/env bash
# aotpack wheel-variants: the example wheel (examples/python-wheel, built offline by
# Debian's python3-build for pvc, acm-g10 and tgllp) becomes one PEP 825 variant wheel per target,
# a null variant, the -variants.json index and a plain wheel for installers without variant
# support. Every name follows PEP 825's grammar, every RECORD verifies, each variant.json maps its
# label to `intel :: device_ip :: <ip>`, each variant's archive holds only its target's natives
# (plus all SPIR-V), and the null content installs offline with Debian's pip into a venv and
# loads its archive.
source "$(dirname "$0")/common.sh"
[ -z "${AOTPACK_SANITIZED:-}" ] || skip "Python cannot load an ASan-instrumented libaotpack_rt"
py=/usr/bin/python3
"$py" -c "import build, wheel, setuptools" 2>/dev/null || skip "python3-build/python3-wheel not installed"
command -v ocloc >/dev/null || skip "ocloc is not installed"

cmake --install "$AOTPACK_BINARY_DIR" --prefix "$WORK/prefix" >/dev/null
export PATH="$WORK/prefix/bin:$PATH" AOTPACK_RT_LIBRARY="$WORK/prefix/lib/libaotpack_rt.so.0"
cp -r "$SRC/examples/python-wheel" wheel-src
(cd wheel-src && AOTPACK_DEVICES=pvc,acm-g10,tgllp "$py" -m build --wheel --no-isolation >/dev/null 2>&1)
whl=$(ls wheel-src/dist/example_kernels-0.1.0-*.whl)
expect_exit 0 "$AOTPACK" wheel-variants "$whl" -o variants
ls variants >listing
for f in example_kernels-0.1.0-py3-none-any-pvc.whl example_kernels-0.1.0-py3-none-any-acm_g10.whl \
    example_kernels-0.1.0-py3-none-any-tgllp.whl example_kernels-0.1.0-py3-none-any-null.whl \
    example_kernels-0.1.0-variants.json example_kernels-0.1.0-py3-none-any.whl; do
    grep -qx "$f" listing || fail "missing $f: $(cat listing)"
done

"$py" - variants <<'PY'
import base64, hashlib, json, re, sys, zipfile
from pathlib import Path
out = Path(sys.argv[1])
# PEP 825: {distribution}-{version}(-{build})?-{python}-{abi}-{platform}(-{label})?.whl
name = re.compile(r"^([^-]+)-([^-]+)(-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)(-([0-9a-z_.]{1,16}))?\.whl$")
index = json.loads((out / "example_kernels-0.1.0-variants.json").read_text())
assert index["default-priorities"] == {"namespace": ["intel"]}, index
assert index["variants"] == {
    "pvc": {"intel": {"device_ip": ["12.60.7"]}}, "acm_g10": {"intel": {"device_ip": ["12.55.8"]}},
    "tgllp": {"intel": {"device_ip": ["12.0.0"]}}, "null": {}}, index["variants"]
for whl in sorted(out.glob("*.whl")):
    m = name.match(whl.name)
    assert m, whl.name
    label = m.group(8)
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        record = z.read("example_kernels-0.1.0.dist-info/RECORD").decode().splitlines()
        listed = {}
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            listed[path] = (digest, size)
        assert set(listed) == set(names), (whl.name, set(listed) ^ set(names))
        for path, (digest, size) in listed.items():
            if path.endswith("RECORD"):
                assert digest == "" and size == "", line
                continue
            data = z.read(path)
            want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == want and int(size) == len(data), (whl.name, path)
        assert "example_kernels-0.1.0.dist-info/WHEEL" in names and "example_kernels-0.1.0.dist-info/METADATA" in names
        variant = "example_kernels-0.1.0.dist-info/variant.json"
        if label is None:
            assert variant not in names, whl.name  # the plain wheel
            continue
        v = json.loads(z.read(variant))
        assert v["variants"] == {label: index["variants"][label]}, (whl.name, v)
        assert v["$schema"] == index["$schema"] and v["default-priorities"] == index["default-priorities"]
        (out / f"{label}.aotpack").write_bytes(z.read("example_kernels/kernels.aotpack"))
print("pep825 ok")
PY
for label in pvc acm_g10 tgllp; do
    expect_exit 0 "$AOTPACK" list "variants/$label.aotpack"
    target=${label/_/-}
    grep -q "^vector_ops  yes     $target " <<<"$OUT" || fail "$label: $OUT"
done
expect_exit 0 "$AOTPACK" list variants/null.aotpack
grep -q "^vector_ops  yes     - " <<<"$OUT" || fail "null variant has natives: $OUT"
cmp -s variants/null.aotpack <(unzip -p variants/example_kernels-0.1.0-py3-none-any.whl example_kernels/kernels.aotpack) ||
    fail "the plain wheel is not the null variant"

# The plain (null) wheel installs offline with Debian's pip and loads its archive: JIT everywhere.
"$py" -m venv --system-site-packages venv
cp -r "$SRC/python" py-src
venv/bin/pip install -q --no-index --no-build-isolation ./py-src
venv/bin/pip install -q --no-index --no-deps variants/example_kernels-0.1.0-py3-none-any.whl
(cd / && "$WORK/venv/bin/python" -c '
import example_kernels
assert example_kernels.get_arch_list() == [], example_kernels.get_arch_list()
a = example_kernels.archive()
assert a.modules() == ["reduce", "vector_ops"], a.modules()
assert a.select("reduce", "pvc")["source"] == "jit"
print("null ok")') | grep -q "null ok" || fail "the null wheel does not load"

# A slim null variant: natives fetched by hash from the URL given.
expect_exit 0 "$AOTPACK" wheel-variants "$whl" -o slim-variants --natives-url https://natives.invalid/app
unzip -p slim-variants/example_kernels-0.1.0-py3-none-any-null.whl example_kernels/kernels.aotpack >slim.aotpack
expect_exit 0 "$AOTPACK" list slim.aotpack
expect_in "format 1.3"
# Errors: into the wheel's own directory (its plain wheel would be overwritten); a variant wheel
# as input; a wheel without an archive.
expect_exit 2 "$AOTPACK" wheel-variants "$whl" -o wheel-src/dist
expect_exit 2 "$AOTPACK" wheel-variants variants/example_kernels-0.1.0-py3-none-any-pvc.whl -o again
expect_in "is a variant wheel already"
mkdir empty && (cd empty && "$py" -c '
import zipfile
with zipfile.ZipFile("x-1.0-py3-none-any.whl", "w") as z:
    z.writestr("x-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
    z.writestr("x-1.0.dist-info/RECORD", "")')
expect_exit 2 "$AOTPACK" wheel-variants empty/x-1.0-py3-none-any.whl -o none
expect_in "ships no .aotpack archive"
echo "PASS: wheel_variants"
