#!/usr/bin/env bash
# The runtime library's messages go where the host program says (aotpack_set_message_callback):
# a warning reaches the callback with its level and without the "aotpack: " prefix, and nothing is
# written to stderr; NULL restores stderr. Driven from Python's ctypes, as a host program would.
source "$(dirname "$0")/common.sh"
[ -z "${AOTPACK_SANITIZED:-}" ] || skip "Python cannot load an ASan-instrumented libaotpack_rt"

"$AOTPACK" build -q -d none "$SRC/examples/kernels/reduce.cl" -o app.aotpack
cat >host.py <<'PY'
import ctypes, os, sys
lib = ctypes.CDLL(os.environ["RT"])
CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
got = []
keep = CALLBACK(lambda level, message, user: got.append((level, message.decode(), user)))
lib.aotpack_set_message_callback.argtypes = [CALLBACK, ctypes.c_void_p]
lib.aotpack_set_message_callback(keep, 1234)
archive = ctypes.c_void_p()
assert lib.aotpack_archive_open_file(b"app.aotpack", ctypes.byref(archive)) == 0
info = ctypes.create_string_buffer(512)  # aotpack_load_info, large enough
assert lib.aotpack_select(archive, b"reduce", 0x03000000, 0, info) == 0
assert len(got) == 1, got
level, message, user = got[0]
assert level == 2 and user == 1234, got  # AOTPACK_MESSAGE_WARNING, the user data given
assert message.startswith("AOTPACK_POLICY='bogus' is not prefer-native"), message
lib.aotpack_set_message_callback(CALLBACK(), None)  # NULL: stderr again
lib.aotpack_archive_close(archive)
print("callback ok")
PY
out=$(AOTPACK_POLICY=bogus RT="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" python3 host.py 2>err) ||
    fail "host program: $(cat err)"
[ "$out" = "callback ok" ] || fail "host program said: $out"
[ ! -s err ] || fail "the library wrote to stderr despite the callback: $(cat err)"
# Without a callback the same warning goes to stderr, as before.
cat >plain.py <<'PY'
import ctypes, os
lib = ctypes.CDLL(os.environ["RT"])
archive = ctypes.c_void_p()
lib.aotpack_archive_open_file(b"app.aotpack", ctypes.byref(archive))
lib.aotpack_select(archive, b"reduce", 0x03000000, 0, ctypes.create_string_buffer(512))
PY
AOTPACK_POLICY=bogus RT="$AOTPACK_BINARY_DIR/src/runtime/libaotpack_rt.so.0" python3 plain.py 2>err2
grep -q "^aotpack: warning: AOTPACK_POLICY='bogus'" err2 || fail "no warning on stderr: $(cat err2)"
echo "PASS: $TEST_NAME"
