#!/usr/bin/env python3
"""`aotpack ocloc` (the drop-in, through its shim) vs the real ocloc, measured side by side.

    bench/ocloc_dropin.py [--set tiny|small|large] [--devices LIST] [--reps N] [--smoke]

Each repetition runs, one module at a time (as a build's device-link step does), the command
    ocloc compile -file M.spv -spirv_input -device LIST -q
with the real ocloc, then through the shim with an empty cache (cold), then again with the cache
it filled (repeated call, into a new directory). Ratios are per repetition, sums over the set,
and the goals use their median: cold <= 0.60x, repeated <= 0.05x. Every drop-in output is
compared byte for byte with ocloc's.

The cold figure cannot beat the best split of each module's indivisible per-target compiles over
the cores: the script prints that bound too, from the drop-in's own per-target compile times.
--smoke: the tiny set, one repetition, for CI (checks that the benchmark code runs, not speed).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (corpus, best_schedule, run)


def timed_call(cmd, cwd, env):
    start = time.monotonic()
    bench.run(cmd, env=env, cwd=cwd)
    return time.monotonic() - start


def one_rep(spvs, devices, shim_dir, real, work, cores):
    rep = {"real": 0.0, "cold": 0.0, "repeated": 0.0, "bound": 0.0}
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"AOTPACK_CACHE_DIR": str(cache), "PATH": f"{shim_dir}:{os.environ['PATH']}"}
    for spv in spvs:
        args = ["compile", "-file", str(spv), "-spirv_input", "-device", devices, "-q"]
        dirs = {k: work / k / spv.stem for k in ("real", "cold", "repeated")}
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        rep["real"] += timed_call([real] + args, dirs["real"], {})
        reports = work / "reports" / spv.stem
        shutil.rmtree(reports, ignore_errors=True)
        rep["cold"] += timed_call(["ocloc"] + args, dirs["cold"],
                                  dict(env, AOTPACK_OCLOC_REPORT=str(reports)))
        rep["repeated"] += timed_call(["ocloc"] + args, dirs["repeated"], env)
        for k in ("cold", "repeated"):
            a, b = (dirs["real"] / f"{spv.stem}.ar").read_bytes(), (dirs[k] / f"{spv.stem}.ar").read_bytes()
            if a != b:
                sys.exit(f"bench: the drop-in's {spv.stem}.ar ({k}) differs from ocloc's")
        seconds = [t["seconds"] for f in reports.glob("*.json")
                   for t in json.loads(f.read_text())["targets"] if t["result"] == "compiled"]
        rep["bound"] += bench.best_schedule(seconds, cores)
    return rep


def main():
    a = bench.parse_bench_args(argparse.ArgumentParser(), devices="acm-g10,pvc,tgllp,dg1")
    aotpack = bench.AOTPACK
    real = shutil.which("ocloc")
    if not real:
        sys.exit("bench: ocloc is not installed")
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = bench.corpus(a.set, work, aotpack)
        shim = bench.run([aotpack, "ocloc", "--shim-dir"],
                         env={"AOTPACK_CACHE_DIR": str(work / "shim-root")}).stdout.strip()
        reps = [one_rep(spvs, a.devices, shim, real, work, cores) for _ in range(a.reps)]
    print(f"ocloc drop-in, set {a.set} ({len(spvs)} modules), -device {a.devices}, {cores} cores, "
          f"{a.reps} repetition(s)")
    print(f"{'':>28} {'seconds (median)':>17} {'ratio (median)':>15}  goal")
    med = lambda k: statistics.median(r[k] for r in reps)  # noqa: E731
    ratio = lambda k: statistics.median(r[k] / r["real"] for r in reps)  # noqa: E731
    print(f"{'real ocloc':>28} {med('real'):>17.2f} {1:>15.3f}")
    print(f"{'drop-in, cold cache':>28} {med('cold'):>17.2f} {ratio('cold'):>15.3f}  <= 0.60")
    print(f"{'drop-in, repeated call':>28} {med('repeated'):>17.2f} {ratio('repeated'):>15.3f}  <= 0.05")
    print(f"{'best split of its compiles':>28} {med('bound'):>17.2f} {ratio('bound'):>15.3f}  (bound for cold)")
    print("per repetition (cold / repeated / bound): " +
          ", ".join(f"{r['cold'] / r['real']:.3f} / {r['repeated'] / r['real']:.3f} / "
                    f"{r['bound'] / r['real']:.3f}" for r in reps))


if __name__ == "__main__":
    main()
