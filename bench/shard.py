#!/usr/bin/env python3
"""Sharded builds: how evenly `--shard i/N` splits a build, how long the shards take side by side,
and what the merge costs. Measured in one run.

    bench/shard.py [--set tiny|small|large] [--devices LIST] [--shards 2,3,4] [--smoke]

For each N: the N shard builds start at once (each with its own empty cache, -j cores/N, as N
machines would), then `aotpack merge`; the merged archive must equal the one-machine cold build.
Printed per N:
    costs     guess: the split by the SPIR-V-derived guess; measured: by the cold build's
              measured compile times (--shard-costs one.json), the same file for every shard
    balance   the plan's max shard expected cost / mean (1.00 is perfect); "best" is the same
              ratio for the best any split could do (the largest single job bounds it)
    measured  max shard wall time / mean, side by side on this machine
    merge     merge seconds / one-machine cold build seconds (goal <= 1%)
--smoke: the tiny set, N = 2, for CI (checks that the benchmark code runs, not speed).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (corpus, run)


def cold_build(aotpack, spvs, devices, work):
    start = time.monotonic()
    bench.run([aotpack, "build", "-q", "-d", devices, "-o", work / "one.aotpack", "--no-cache",
               "--json-report", work / "one.json"] + [str(s) for s in spvs])
    return time.monotonic() - start


def shards_side_by_side(aotpack, spvs, devices, n, work, extra):
    jobs = max(1, (os.cpu_count() or 1) // n)
    procs, starts, times = [], [], [0.0] * n
    for i in range(1, n + 1):
        cmd = [str(aotpack), "build", "-q", "-d", devices, "-j", str(jobs), "--shard", f"{i}/{n}",
               "-o", str(work / f"s{n}-{i}.aotpack"), "--json-report", str(work / f"s{n}-{i}.json")] + extra
        # A fresh cache per shard and per run: another machine, nothing compiled before.
        env = dict(os.environ, AOTPACK_CACHE_DIR=str(work / f"cache-{n}-{i}-{len(extra)}"))
        starts.append(time.monotonic())
        procs.append(subprocess.Popen(cmd + [str(s) for s in spvs], env=env,
                                      stderr=subprocess.DEVNULL))  # validation warnings x N
    for i, p in enumerate(procs):
        if p.wait() != 0:
            sys.exit(f"bench: shard {i + 1}/{n} failed")
        times[i] = time.monotonic() - starts[i]
    return times


def one_n(aotpack, spvs, devices, n, work, cold, extra):
    times = shards_side_by_side(aotpack, spvs, devices, n, work, extra)
    report = json.loads((work / f"s{n}-1.json").read_text())
    costs = report["shard"]["expected_costs"]
    mean = statistics.mean(costs)
    best = max(report["shard"]["largest_job_cost"], mean) / mean if mean else 1.0
    start = time.monotonic()
    parts = [str(work / f"s{n}-{i}.aotpack") for i in range(n, 0, -1)]
    bench.run([aotpack, "merge"] + parts + ["-o", work / f"m{n}.aotpack"])
    merge = time.monotonic() - start
    if (work / f"m{n}.aotpack").read_bytes() != (work / "one.aotpack").read_bytes():
        sys.exit(f"bench: {n} merged shards differ from the one-machine build")
    return {"n": n, "costs": "measured" if extra else "guess", "balance": max(costs) / mean if mean else 1.0, "best": best,
            "measured": max(times) / statistics.mean(times), "times": times,
            "merge": merge, "merge_ratio": merge / cold}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="small", choices=["tiny", "small", "large"])
    ap.add_argument("--devices", default="acm-g10,pvc,tgllp,dg1")
    ap.add_argument("--shards", default="2,3,4")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.set, a.shards = "tiny", "2"
    aotpack = bench.ROOT / "build" / "tools" / "aotpack" / "aotpack"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = bench.corpus(a.set, work, aotpack)
        cold = cold_build(aotpack, spvs, a.devices, work)
        rows = [one_n(aotpack, spvs, a.devices, int(n), work, cold, extra)
                for n in a.shards.split(",")
                for extra in ([], ["--shard-costs", str(work / "one.json")])]
    print(f"sharded build, set {a.set} ({len(spvs)} modules), -d {a.devices}, "
          f"{os.cpu_count()} cores; one-machine cold build {cold:.2f} s")
    print(f"{'N':>3} {'costs':>9} {'plan balance':>13} {'best possible':>14} {'measured max/mean':>18} "
          f"{'shard seconds':>24} {'merge s':>8} {'merge/cold':>11}  goal")
    for r in rows:
        secs = " / ".join(f"{t:.1f}" for t in r["times"])
        print(f"{r['n']:>3} {r['costs']:>9} {r['balance']:>13.2f} {r['best']:>14.2f} {r['measured']:>18.2f} {secs:>24} "
              f"{r['merge']:>8.3f} {r['merge_ratio']:>10.2%}  merge <= 1%")


if __name__ == "__main__":
    main()
