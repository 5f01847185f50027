"""aotpack from Python: open an archive, list its targets, ask what would load here.

Pure Python over libaotpack_rt's C API (ctypes); no compiled extension. The library is found
through $AOTPACK_RT_LIBRARY, else the system's library path (libaotpack_rt.so.0).

    import aotpack
    archive = aotpack.Archive("kernels.aotpack")
    archive.get_arch_list()        # ['acm-g10', 'pvc'], like torch.xpu.get_arch_list()
    archive.select("vector_ops", "0x56a5")   # offline: what a given GPU would load
    archive.what_would_load_here()           # on this machine's GPUs (Level Zero)
"""
import ctypes
import ctypes.util
import os

__all__ = ["Archive", "AotpackError", "runtime_version", "POLICY_DEFAULT", "POLICY_PREFER_NATIVE",
           "POLICY_NATIVE_ONLY", "POLICY_JIT_ONLY"]

# Selection policies (aotpack_policy in include/aotpack/runtime.h); select() also takes the names
# the CLI uses ("prefer-native", "native-only", "jit-only").
POLICY_DEFAULT = 0  # AOTPACK_POLICY from the environment, else prefer-native
POLICY_PREFER_NATIVE = 1
POLICY_NATIVE_ONLY = 2
POLICY_JIT_ONLY = 3
_POLICY_NAMES = {"prefer-native": POLICY_PREFER_NATIVE, "native-only": POLICY_NATIVE_ONLY,
                 "jit-only": POLICY_JIT_ONLY}

# The C API's results -> the exit codes the aotpack CLI and README use for the same failure.
_EXIT_CODES = {1: 2, 2: 3, 3: 4, 4: 9, 5: 9, 6: 7, 7: 70, 8: 70, 9: 4, 10: 7}  # runtime/result_codes.cpp

_SOURCES = ["native", "compatible", "jit-cache", "jit"]


class AotpackError(RuntimeError):
    """A failure of libaotpack_rt. `code` is the README's exit code for it (3: the file cannot be
    read, 4: corrupt archive, 9: no such module or no binary, 7: Level Zero or OpenCL, 2: bad argument), the
    same the aotpack CLI exits with; `status` is the C API's aotpack_result."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.code = _EXIT_CODES.get(status, 70)


class _LoadInfo(ctypes.Structure):
    _fields_ = [("source", ctypes.c_int), ("device_ip", ctypes.c_uint32), ("entry_ip", ctypes.c_uint32),
                ("milliseconds", ctypes.c_double), ("reason", ctypes.c_char * 256)]


def _load_library():
    path = os.environ.get("AOTPACK_RT_LIBRARY") or ctypes.util.find_library("aotpack_rt") or "libaotpack_rt.so.0"
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(
            f"aotpack: cannot load libaotpack_rt ('{path}': {e}). Install aotpack (its .deb, or "
            "`cmake --install`), or point AOTPACK_RT_LIBRARY at libaotpack_rt.so.0, e.g. "
            "AOTPACK_RT_LIBRARY=/usr/local/lib/libaotpack_rt.so.0") from None
    p, u32, i = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int
    signatures = {
        "aotpack_runtime_version_string": ([], ctypes.c_char_p),
        "aotpack_last_error": ([], ctypes.c_char_p),
        "aotpack_last_reason": ([], ctypes.c_char_p),
        "aotpack_last_dropped_kernels": ([], ctypes.c_char_p),
        "aotpack_archive_open_file": ([ctypes.c_char_p, ctypes.POINTER(p)], i),
        "aotpack_archive_open_memory": ([p, ctypes.c_size_t, ctypes.POINTER(p)], i),
        "aotpack_archive_close": ([p], None),
        "aotpack_archive_module_count": ([p], u32),
        "aotpack_archive_module_name": ([p, u32], ctypes.c_char_p),
        "aotpack_archive_target_count": ([p], u32),
        "aotpack_archive_target_ip": ([p, u32], u32),
        "aotpack_target_name": ([u32, ctypes.c_char_p, ctypes.c_size_t], i),
        "aotpack_parse_device": ([ctypes.c_char_p, ctypes.POINTER(u32)], i),
        "aotpack_device_ip": ([p, ctypes.POINTER(u32)], i),
        "aotpack_select": ([p, ctypes.c_char_p, u32, i, ctypes.POINTER(_LoadInfo)], i),
    }
    for name, (args, result) in signatures.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, result
    return lib


_lib = _load_library()


def _check(code):
    if code != 0:
        raise AotpackError(code, _lib.aotpack_last_error().decode())


def runtime_version():
    return _lib.aotpack_runtime_version_string().decode()


def target_name(ip):
    buf = ctypes.create_string_buffer(64)
    _check(_lib.aotpack_target_name(ip, buf, len(buf)))
    return buf.value.decode()


def _info(info):
    dropped = _lib.aotpack_last_dropped_kernels().decode()
    return {"source": _SOURCES[info.source], "device": target_name(info.device_ip),
            "entry": target_name(info.entry_ip) if info.entry_ip else "spirv",
            "reason": _lib.aotpack_last_reason().decode(),  # whole: info.reason may be cut
            "dropped_kernels": dropped.split(",") if dropped else []}


class Archive:
    """An aotpack archive, from a path or from bytes (kept alive by this object)."""

    def __init__(self, source):
        self._handle = ctypes.c_void_p()
        if isinstance(source, (bytes, bytearray)):
            self._data = ctypes.create_string_buffer(bytes(source), len(source))
            _check(_lib.aotpack_archive_open_memory(self._data, len(source), ctypes.byref(self._handle)))
        else:
            _check(_lib.aotpack_archive_open_file(os.fsencode(source), ctypes.byref(self._handle)))

    def close(self):
        if self._handle:
            _lib.aotpack_archive_close(self._handle)
            self._handle = ctypes.c_void_p()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def modules(self):
        return [_lib.aotpack_archive_module_name(self._handle, i).decode()
                for i in range(_lib.aotpack_archive_module_count(self._handle))]

    def target_ips(self):
        return [_lib.aotpack_archive_target_ip(self._handle, i) for i in range(_lib.aotpack_archive_target_count(self._handle))]

    def get_arch_list(self):
        """The native targets, like torch.xpu.get_arch_list()."""
        return [target_name(ip) for ip in self.target_ips()]

    def select(self, module, device, policy=POLICY_DEFAULT):
        """What `device` (a name, IP version or PCI id) would load for `module`, without a GPU.
        `policy`: a POLICY_* constant or "prefer-native", "native-only", "jit-only"."""
        if isinstance(policy, str):
            if policy not in _POLICY_NAMES:
                raise AotpackError(1, f"unknown policy '{policy}' (prefer-native, native-only, jit-only)")
            policy = _POLICY_NAMES[policy]
        ip = ctypes.c_uint32()
        _check(_lib.aotpack_parse_device(str(device).encode(), ctypes.byref(ip)))
        info = _LoadInfo()
        _check(_lib.aotpack_select(self._handle, module.encode(), ip.value, policy, ctypes.byref(info)))
        return _info(info)

    def what_would_load_here(self):
        """For every Level Zero device of this machine and every module: what would load."""
        report = []
        for ip in _present_ips():
            for module in self.modules():
                info = _LoadInfo()
                code = _lib.aotpack_select(self._handle, module.encode(), ip, 0, ctypes.byref(info))
                entry = _info(info) if code == 0 else {"source": "none", "reason": _lib.aotpack_last_error().decode()}
                report.append(dict(entry, module=module, device=target_name(ip)))
        return report


def _present_ips():
    """The IP version value of every Level Zero device of this machine, in device order."""
    ze = ctypes.CDLL(ctypes.util.find_library("ze_loader") or "libze_loader.so.1")
    if ze.zeInit(0) != 0:  # a failed zeInit is final: no other Level Zero call after it
        raise AotpackError(6, "no Level Zero GPU here")  # code 7, as the CLI
    count = ctypes.c_uint32(0)
    ze.zeDriverGet(ctypes.byref(count), None)
    drivers = (ctypes.c_void_p * count.value)()
    ze.zeDriverGet(ctypes.byref(count), drivers)
    ips = []
    for driver in drivers:
        n = ctypes.c_uint32(0)
        ze.zeDeviceGet(ctypes.c_void_p(driver), ctypes.byref(n), None)
        devices = (ctypes.c_void_p * n.value)()
        ze.zeDeviceGet(ctypes.c_void_p(driver), ctypes.byref(n), devices)
        for device in devices:
            ip = ctypes.c_uint32()
            _check(_lib.aotpack_device_ip(device, ctypes.byref(ip)))
            ips.append(ip.value)
    return ips


def device_ips():
    """The IP versions ("12.60.7") of this machine's GPUs, once each, in IP order: what a PEP 817
    provider plugin returns for the property `intel :: device_ip` (wheelnext's
    intel-variant-provider), and what `aotpack device-ips` prints. A machine without a Level Zero
    GPU has none: [] (a variant provider's answer there), not an error."""
    try:
        present = _present_ips()
    except (AotpackError, OSError):
        return []
    return ["%d.%d.%d" % (ip >> 22, (ip >> 14) & 0xFF, ip & 0x3F) for ip in sorted(set(present)) if ip]
