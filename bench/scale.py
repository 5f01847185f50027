#!/usr/bin/env python3
"""How aotpack's own cost grows with the number of modules: the build stage on the FakeCompiler
(bench/scale_bench.cpp: no IGC, so only aotpack's own work is timed) and the archive's reads.

    bench/scale.py [--sizes 200,2000,20000] [--jobs N] [--smoke]

For each size N: N distinct modules (tests/data/vector_ops.spv, each with one more constant of
its own value) x 4 targets, built cold (empty cache), warm (every job a cache hit, new output),
no-op (same output), then `list` (open with every index check + module names) and open + select
of one module through the runtime's C API (the median of 20 in one process; the first of a
process, which also parses the device database, apart). Each
phase is its own process (its peak RSS is its own). The table gives each row per size and its
growth from the size before (10x more modules: linear is 10x). Goals: aotpack's own time per job
<= 2 ms, every row linear or better, open+select <= 1 ms.
Then the time after the last compile ends, at -j2, -j8 and -j16 on a machine full of compiles:
50 modules x 4 targets, every fake compile burning 100 ms of CPU and returning a binary of its
own (64 KiB more than the zebin, compressed at zstd 19). Goal: <= 1% of the build at any -j.
--real 200,2000: the same modules through `aotpack build` with the real ocloc (compile workers)
for the same 4 targets: cold (empty cache), warm (new output) and no-op, and aotpack's own time
per job = (wall x cores - the compiles' own in-process seconds) / jobs, an upper bound (it
includes any core left idle).
--smoke: sizes 20,200 (checks that the benchmark code runs, not speed).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "build" / "bench" / "bench_scale"
AOTPACK = ROOT / "build" / "tools" / "aotpack" / "aotpack"
TARGETS = "pvc,acm-g10,tgllp,dg1"  # bench_scale's kTargets


def run(*args):
    p = subprocess.run([str(TOOL)] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: bench_scale {' '.join(map(str, args))} failed: {p.stderr}")
    return json.loads(p.stdout) if p.stdout.strip() else {}


def one_size(n, work, jobs):
    modules = ROOT / "build" / "bench-corpus" / f"scale-{n}"
    if not (modules / ".complete").exists():
        shutil.rmtree(modules, ignore_errors=True)
        run("gen", n, modules)
        (modules / ".complete").touch()
    cache = work / f"cache-{n}"
    cold = run("build", modules, work / f"cold-{n}.aotpack", cache, jobs)
    warm = run("build", modules, work / f"warm-{n}.aotpack", cache, jobs)
    noop = run("build", modules, work / f"warm-{n}.aotpack", cache, jobs)
    if warm["hits"] != warm["jobs"] or not noop["up_to_date"]:
        sys.exit(f"bench: size {n}: the warm build missed or the no-op rebuilt")
    if (work / f"cold-{n}.aotpack").read_bytes() != (work / f"warm-{n}.aotpack").read_bytes():
        sys.exit(f"bench: size {n}: the warm archive differs from the cold one")
    reads = [run("read", work / f"warm-{n}.aotpack") for _ in range(5)]
    shutil.rmtree(cache)
    jobs_n = cold["jobs"]
    return {
        "modules": n, "jobs": jobs_n,
        "cold s": cold["seconds"], "cold ms/job": 1000 * cold["seconds"] / jobs_n,
        "warm s": warm["seconds"], "warm ms/job": 1000 * warm["seconds"] / jobs_n,
        "no-op s": noop["seconds"],
        "cold peak RSS MiB": cold["peak_rss_kb"] / 1024,
        "warm peak RSS MiB": warm["peak_rss_kb"] / 1024,
        "report MiB": cold["report_bytes"] / 2**20,
        "archive MiB": (work / f"warm-{n}.aotpack").stat().st_size / 2**20,
        "list ms": min(r["list_ms"] for r in reads),
        "open+select ms": min(r["open_select_ms"] for r in reads),
        "open+select 1st ms": min(r["open_select_first_ms"] for r in reads),
    }


def tail_rows(work, jobs_list, modules=50, busy_ms=100, distinct=64 * 1024):
    """The time after the last compile, per -j (bench_scale's FakeCompiler burning CPU)."""
    corpus = ROOT / "build" / "bench-corpus" / f"scale-{modules}"
    if not (corpus / ".complete").exists():
        shutil.rmtree(corpus, ignore_errors=True)
        run("gen", modules, corpus)
        (corpus / ".complete").touch()
    rows = []
    for j in jobs_list:
        cache = work / f"tail-cache-{j}"
        r = run("build", corpus, work / f"tail-{j}.aotpack", cache, j, busy_ms, distinct)
        shutil.rmtree(cache)
        rows.append((j, r["report_seconds"], r["tail_seconds"], r["tail_seconds"] / r["report_seconds"]))
    return rows


def timed_build(modules, out, cache, report=None):
    start = time.monotonic()
    cmd = [AOTPACK, "build", "-q", "-d", TARGETS, str(modules), "-o", str(out), "--cache-dir", str(cache)]
    p = subprocess.run(cmd + (["--json-report", str(report)] if report else []), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {p.stderr}")
    return time.monotonic() - start


def real_rows(work, sizes):
    """The real ocloc at each size: cold, warm, no-op; aotpack's own ms per job."""
    rows = []
    for n in sizes:
        modules = ROOT / "build" / "bench-corpus" / f"scale-{n}"
        if not (modules / ".complete").exists():
            shutil.rmtree(modules, ignore_errors=True)
            run("gen", n, modules)
            (modules / ".complete").touch()
        cache, report = work / f"real-cache-{n}", work / f"real-{n}.json"
        cold = timed_build(modules, work / f"real-{n}.aotpack", cache, report)
        jobs = json.loads(report.read_text())["jobs"]
        compiling = sum(j["compile_seconds"] for j in jobs)
        warm = timed_build(modules, work / f"real-warm-{n}.aotpack", cache)
        noop = timed_build(modules, work / f"real-warm-{n}.aotpack", cache)
        if (work / f"real-{n}.aotpack").read_bytes() != (work / f"real-warm-{n}.aotpack").read_bytes():
            sys.exit(f"bench: real ocloc, size {n}: the warm archive differs from the cold one")
        shutil.rmtree(cache)
        cores = os.cpu_count()
        rows.append({"modules": n, "jobs": len(jobs), "cold s": cold, "compiling s": compiling,
                     "own ms/job": 1000 * (cold * cores - compiling) / len(jobs),
                     "warm ms/job": 1000 * warm / len(jobs), "no-op s": noop})
    return rows


def print_table(title, rows):
    print(title)
    keys = [k for k in rows[0] if k != "modules"]
    head = f"{'':>20}" + "".join(f"{r['modules']:>12}" for r in rows)
    head += "".join(f"{'growth':>10}" for _ in rows[1:])
    print(head)
    for k in keys:
        line = f"{k:>20}" + "".join(f"{r[k]:>12.3f}" if isinstance(r[k], float) else f"{r[k]:>12}"
                                    for r in rows)
        for prev, cur in zip(rows, rows[1:]):
            line += f"{cur[k] / prev[k]:>9.1f}x" if prev[k] else f"{'-':>10}"
        print(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200,2000,20000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--real", help="sizes to build with the real ocloc instead (e.g. 200,2000)")
    a = ap.parse_args()
    if a.smoke:
        a.sizes = "20,200"
    if not TOOL.exists():
        sys.exit("bench: build/bench/bench_scale is missing (build the project first)")
    if a.real:
        with tempfile.TemporaryDirectory() as tmp:
            rows = real_rows(Path(tmp), [int(s) for s in a.real.split(",")])
        print_table(f"scale with the real ocloc (compile workers, {TARGETS}, {os.cpu_count()} cores); "
                    "growth = this size / the size before", rows)
        return
    sizes = [int(s) for s in a.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [one_size(n, Path(tmp), a.jobs) for n in sizes]
        tails = tail_rows(Path(tmp), [2, 8, 16], modules=10 if a.smoke else 50)
    print_table(f"scale (FakeCompiler, 4 targets, -j{a.jobs}, {os.cpu_count()} cores, TMPDIR "
                f"{tempfile.gettempdir()}); growth = this size / the size before", rows)

    print(f"\nafter the last compile ended ({os.cpu_count()} cores, every compile burning CPU; goal <= 1%)")
    for j, total, tail, share in tails:
        print(f"  -j{j:<3} build {total:7.2f} s, after the last compile {tail * 1000:7.1f} ms = "
              f"{share * 100:.2f}%  {'met' if share <= 0.01 else 'MISSED'}")


if __name__ == "__main__":
    main()
