#!/usr/bin/env python3
"""OpenCL replay vs the driver's build, per application, on the real NEO OpenCL driver (simulated
acm-g10), measured side by side in one run.

    bench/opencl_replay.py [--reps N] [--smoke]

For each application (pyopencl building examples/kernels/*.cl from source with two option sets,
and OpenCV's T-API building its own programs): `aotpack capture`, `aotpack build --toolchain host`,
then per repetition
    pass-through  `aotpack run other.aotpack -- APP`: an archive without these programs, so
                  every clBuildProgram is the driver's (AOTPACK_LOG times each build, aotpack's
                  own cost included)
    replayed      `aotpack run app.aotpack -- APP`: every captured program served natively
The ratio is the sum of the replayed builds' times over the sum of the driver's (goal <= 0.05).
The preload library's cost to a program that builds nothing: loading it (goal <= 2 ms): a C shim
that loads the replay library only when there is work. (Comparing whole OpenCL start-ups with and without
the layer cannot resolve 2 ms: NEO's start-up on a simulated GPU varies by +-100 ms.)
--smoke: one repetition, for CI (checks that the benchmark code runs, not speed).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

SIM = {"NEOReadDebugKeys": "1", "DisableDeepBind": "1", "SetCommandStreamReceiver": "1",
       "ProductFamilyOverride": "dg2", "ForceDeviceId": "0x56C0", "OverrideRevision": "8",
       "PYOPENCL_NO_CACHE": "1", "OPENCV_OPENCL_CACHE_ENABLE": "0"}
ROOT = Path(__file__).resolve().parent.parent
PYAPP = """
import glob, pyopencl as cl
ctx = cl.create_some_context(interactive=False)
for path in sorted(glob.glob("%s/examples/kernels/*.cl")):
    for options in (["-cl-mad-enable"], ["-cl-fast-relaxed-math", "-DVARIANT=2"]):
        cl.Program(ctx, open(path).read()).build(options=options)
""" % ROOT
APPS = {"pyopencl": ["/usr/bin/python3", "-c", PYAPP],
        "opencv": ["/usr/bin/python3", str(ROOT / "tests/data/opencl/opencv_app.py")]}
BUILD = re.compile(r"\(OpenCL\): (native|not in the archives).* \(([0-9.]+) ms\)")


def build_ms(cmd, cwd, want):
    """The milliseconds of every clBuildProgram of the run, each of kind `want`."""
    env = dict(os.environ, **SIM, AOTPACK_LOG="1")
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stderr}")
    builds = [(m.group(1), float(m.group(2))) for m in BUILD.finditer(p.stderr)]
    if not builds or any(kind != want for kind, _ in builds):
        sys.exit(f"bench: {' '.join(cmd[:3])}: expected every build to be {want}:\n{p.stderr}")
    return [ms for _, ms in builds]


def library_load_ms():
    """Loading libaotpack_preload.so into a process (what OPENCL_LAYERS or LD_PRELOAD costs a
    program that builds nothing: the C shim; the replay library loads only when there is work)."""
    lib = bench.AOTPACK.parent.parent.parent / "lib/aotpack/libaotpack_preload.so"
    code = ("import ctypes, time; t = time.perf_counter(); ctypes.CDLL(%r); "
            "print((time.perf_counter() - t) * 1000)" % str(lib))
    out = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    reps = 1 if args.smoke else args.reps
    aotpack = str(bench.AOTPACK)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench.run([aotpack, "build", "-q", "-d", "acm-g10", "--toolchain", "host",
                   str(ROOT / "examples/kernels/vector_ops.cl"), "-o", str(work / "other.aotpack")])
        for name, cmd in APPS.items():
            cap = work / f"cap-{name}"
            bench.run([aotpack, "capture", "-o", str(cap), "--"] + cmd, env=dict(os.environ, **SIM), cwd=work)
            bench.run([aotpack, "build", "-q", "-d", "acm-g10", "--toolchain", "host", str(cap),
                       "-o", str(work / f"{name}.aotpack")])
            driver, replayed = [], []
            for _ in range(reps):
                driver.append(sum(build_ms([aotpack, "run", str(work / "other.aotpack"), "--"] + cmd,
                                           work, "not in the archives")))
                replayed.append(sum(build_ms([aotpack, "run", str(work / f"{name}.aotpack"), "--"] + cmd,
                                             work, "native")))
            d, r = statistics.median(driver), statistics.median(replayed)
            print(f"{name}: builds {d:.1f} ms by the driver, {r:.2f} ms replayed: {r / d:.4f}x (goal <= 0.05)")
    idle = [library_load_ms() for _ in range(max(reps, 5))]
    print(f"preload library's cost to a program that builds nothing (loading it): "
          f"{statistics.median(idle):.2f} ms (median of {len(idle)}; goal <= 2 ms)")


if __name__ == "__main__":
    main()
