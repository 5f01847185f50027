#!/usr/bin/env python3
"""Replay vs JIT: module creation on the real NEO driver (simulated pvc) for a program that does
not know aotpack, measured side by side in one run.

    bench/capture_replay.py [--set tiny|small|large] [--reps N] [--smoke]

tests/tools/zeapp creates every module of the set from SPIR-V and prints the seconds each
zeModuleCreate took. Once: `aotpack capture` of that program, `aotpack build -d pvc` of the
capture. Then each repetition runs, in turn:
    plain         zeapp alone: the driver JIT-compiles every module
    replayed      `aotpack run app.aotpack -- zeapp`: every module served natively
    pass-through  `aotpack run other.aotpack -- zeapp`, an archive without these modules: every
                  call goes to the JIT through the preload library (AOTPACK_LOG gives the time
                  spent in aotpack's own code per call)
Goals on the medians: replayed <= 0.05x plain (>= 20x faster); pass-through <= 1.01x plain, and
aotpack's own time per passed-through call <= 1% of the plain call.
--smoke: the tiny set, one repetition, for CI (checks that the benchmark code runs, not speed).
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
import run as bench  # noqa: E402  (corpus, run)

SIM = {"NEOReadDebugKeys": "1", "DisableDeepBind": "1", "SetCommandStreamReceiver": "1",
       "ProductFamilyOverride": "pvc"}


def create_seconds(cmd, cwd, log=False):
    """Total seconds in zeModuleCreate (zeapp --time) and aotpack's own milliseconds per call."""
    env = dict(os.environ, **SIM, AOTPACK_LOG="1" if log else "0")
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{p.stderr}")
    seconds = sum(float(m) for m in re.findall(r"^create-seconds \S+ (\S+)$", p.stderr, re.M))
    own = [float(m) for m in re.findall(r"^aotpack: replay: .*\(([0-9.]+) ms\)$", p.stderr, re.M)]
    return seconds, own, p.stdout, p.stderr


def main():
    a = bench.parse_bench_args(argparse.ArgumentParser())
    aotpack = bench.AOTPACK
    zeapp = bench.ROOT / "build" / "tests" / "zeapp"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = [str(s) for s in bench.corpus(a.set, work, aotpack)]
        app = [str(zeapp), "--time"] + spvs
        env = dict(os.environ, **SIM, AOTPACK_CACHE_DIR=str(work / "cache"))
        bench.run([aotpack, "capture", "-o", work / "cap", "--"] + app, env=env, cwd=work)
        bench.run([aotpack, "build", "-q", "-d", "pvc", work / "cap", "-o", work / "app.aotpack"], env=env)
        other = work / "other.spv"  # an archive that holds none of the set's modules
        bench.run(["spirv-as", "--target-env", "opencl1.2",
                   bench.ROOT / "tests" / "data" / "spec_constants.spvasm", "-o", other])
        bench.run([aotpack, "build", "-q", "-d", "pvc", other, "-o", work / "other.aotpack"], env=env)
        reps = []
        for _ in range(a.reps):
            plain, _, plain_out, _ = create_seconds(app, work)
            replay, _, replay_out, log = create_seconds(
                [aotpack, "run", work / "app.aotpack", "--"] + app, work, log=True)
            if replay_out != plain_out or log.count(": native pvc") != len(spvs):
                sys.exit(f"bench: the replay is not the plain run, natively:\n{log}")
            passed, own, passed_out, _ = create_seconds(
                [aotpack, "run", work / "other.aotpack", "--"] + app, work, log=True)
            if passed_out != plain_out or len(own) != len(spvs):
                sys.exit("bench: the pass-through run differs from the plain run")
            reps.append({"plain": plain, "replay": replay, "passed": passed,
                         "own": sum(own) / 1000})
    med = lambda k: statistics.median(r[k] for r in reps)  # noqa: E731
    ratio = lambda k: statistics.median(r[k] / r["plain"] for r in reps)  # noqa: E731
    print(f"capture/replay on simulated pvc (NEO {a.set} set, {len(spvs)} modules), "
          f"{os.cpu_count()} cores, {a.reps} repetition(s); seconds in zeModuleCreate, all modules")
    print(f"{'':>40} {'seconds (median)':>17} {'ratio (median)':>15}  goal")
    print(f"{'plain (driver JIT)':>40} {med('plain'):>17.3f} {1:>15.4f}")
    print(f"{'replayed (aotpack run, native)':>40} {med('replay'):>17.3f} {ratio('replay'):>15.4f}  <= 0.05")
    print(f"{'pass-through (module not in archive)':>40} {med('passed'):>17.3f} {ratio('passed'):>15.4f}  <= 1.01")
    print(f"{'  of which aotpack own code':>40} {med('own'):>17.4f} {ratio('own'):>15.5f}  <= 0.01")
    print("per repetition (replayed / pass-through): " +
          ", ".join(f"{r['replay'] / r['plain']:.4f} / {r['passed'] / r['plain']:.4f}" for r in reps))


if __name__ == "__main__":
    main()
