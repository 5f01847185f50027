#!/usr/bin/env python3
"""What loading libaotpack_rt costs a process, and what linking libcurl would add.

    bench/runtime_load.py [--runs 300] [--smoke]

A tiny C program (compiled here) dlopens the libraries named on its command line and exits; each
row is the mean wall time of that process over --runs runs (the middle of 3 repetitions),
measured beside the baseline (the Level Zero loader alone, which every GPU program loads).
libaotpack_rt does not link libcurl: a slim archive's fetch dlopens it on first use
(src/runtime/native_fetch.h). The last row is what every program would pay if it did link it.
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "build" / "src" / "runtime" / "libaotpack_rt.so.0"
LOADER = r"""
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (!dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL)) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    return 0;
}
"""


def mean_ms(program, libraries, runs):
    reps = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(runs):
            subprocess.run([program] + libraries, check=True)
        reps.append((time.perf_counter() - start) / runs * 1000)
    return sorted(reps)[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.runs = 5
    deps = subprocess.run(["ldd", RUNTIME], capture_output=True, text=True, check=True).stdout
    if "libcurl" in deps:
        sys.exit("bench: libaotpack_rt links libcurl")
    with tempfile.TemporaryDirectory() as tmp:
        src, program = Path(tmp) / "load.c", Path(tmp) / "load"
        src.write_text(LOADER)
        subprocess.run(["gcc", "-O2", src, "-o", program, "-ldl"], check=True)
        base = mean_ms(program, ["libze_loader.so.1"], a.runs)
        rt = mean_ms(program, ["libze_loader.so.1", str(RUNTIME)], a.runs)
        curl = mean_ms(program, ["libze_loader.so.1", str(RUNTIME), "libcurl.so.4"], a.runs)
    print(f"process start, mean of {a.runs} (middle of 3):")
    print(f"  Level Zero loader alone:          {base:.2f} ms")
    print(f"  + libaotpack_rt:                  {rt:.2f} ms (+{rt - base:.2f} ms)")
    print(f"  + libaotpack_rt + libcurl linked: {curl:.2f} ms (+{curl - base:.2f} ms): "
          f"what dlopen at the first fetch saves every other program: {curl - rt:.2f} ms")


if __name__ == "__main__":
    main()
