#!/usr/bin/env python3
"""aotpack inspect and capture --from-binary on a shared library of libtorch_xpu's size:
>= 1 GB, >= 2,000 images.

    bench/foreign.py [--gib 1.05] [--images 2000] [--reps 3] [--smoke]

The library is made with the real tools: ocloc makes the images (SPIR-V, zebins, fat ARs), gcc a
shared library, objcopy puts 1 GiB of data with the images spread through it into a data
section (the worst case for aotpack: every byte of a data section is scanned; host code in
.text is skipped). Goals: inspect and capture --from-binary each <= 2 s and <= 100 MB
peak RSS. The baseline
measured beside it is reading the file once (`cat FILE > /dev/null`): the floor for any reader.
--smoke: 32 MiB and 50 images, one repetition (CI: checks the benchmark code, not speed).
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AOTPACK = ROOT / "build" / "tools" / "aotpack" / "aotpack"


def run_measured(cmd, stdout=subprocess.DEVNULL):
    """Seconds and peak RSS (MiB) of one command."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed: {proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def make_images(work):
    spv = ROOT / "tests" / "data" / "vector_ops.spv"
    subprocess.run(["ocloc", "compile", "-file", spv, "-spirv_input", "-device", "pvc", "--format",
                    "zebin", "-output", work / "pvc.zebin", "-output_no_suffix", "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ocloc", "compile", "-file", spv, "-spirv_input", "-device", "acm-g10,tgllp",
                    "--format", "zebin", "-output", work / "fat.ar", "-q"],
                   check=True, stdout=subprocess.DEVNULL, cwd=work)
    return [spv.read_bytes(), (work / "pvc.zebin").read_bytes(), (work / "fat.ar").read_bytes()]


def make_library(work, total_bytes, count):
    """A shared library whose .gpu_images section holds `count` images spread over
    `total_bytes` of filler (random bytes: no magic numbers by accident, nothing compressible)."""
    images = make_images(work)
    blob = work / "images.bin"
    gap = total_bytes // count
    rng = random.Random(7)
    filler = rng.randbytes(gap)
    with open(blob, "wb") as out:
        for i in range(count):
            image = images[i % len(images)]
            out.write(image + b"\0" * (-len(image) % 8))
            out.write(filler[: gap - len(image) - (-len(image) % 8)] if gap > len(image) + 8 else b"")
            out.write(b"\0" * (-out.tell() % 8))
    (work / "lib.c").write_text("int answer(void) { return 42; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", work / "lib.c", "-o", work / "plain.so"], check=True)
    library = work / "libbig.so"
    subprocess.run(["objcopy", "--add-section", f".gpu_images={blob}", "--set-section-flags",
                    ".gpu_images=contents,readonly", work / "plain.so", library], check=True)
    blob.unlink()
    return library


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=1.05)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.gib, a.images, a.reps = 1 / 32, 50, 1
    with tempfile.TemporaryDirectory(prefix="aotpack-bench-foreign-") as tmp:
        work = Path(tmp)
        library = make_library(work, int(a.gib * (1 << 30)), a.images)
        size = library.stat().st_size
        out = subprocess.run([AOTPACK, "inspect", "--json", library], check=True,
                             capture_output=True, text=True).stdout
        found = len(json.loads(out)["files"][0]["images"])
        if found != a.images:
            sys.exit(f"bench: inspect found {found} of {a.images} images")
        commands = {
            "inspect": lambda rep: [AOTPACK, "inspect", "--json", library],
            "capture --from-binary": lambda rep: [AOTPACK, "capture", "--from-binary", library,
                                                  "-o", work / f"cap{rep}"],
        }
        print(f"a {size / (1 << 30):.2f} GiB shared library with {found} images "
              f"(2 cores, median of {a.reps}):")
        for name, command in commands.items():
            rows = []
            for rep in range(a.reps):
                cat, _ = run_measured(["sh", "-c", f"cat '{library}' > /dev/null"])
                seconds, rss = run_measured(command(rep))
                rows.append((seconds, rss, cat))
            rows.sort()
            seconds, rss, cat = rows[len(rows) // 2]
            print(f"  {name}: {seconds:.2f} s (goal <= 2 s): "
                  f"{'met' if seconds <= 2 else 'MISSED'}; {seconds / cat:.2f}x reading the file "
                  f"once ({cat:.2f} s); peak RSS {rss:.0f} MiB (goal <= 100 MB): "
                  f"{'met' if rss <= 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
