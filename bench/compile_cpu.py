#!/usr/bin/env python3
"""CPU per compile: a long-lived compile worker (libocloc loaded once, src/toolchain/ocloc_worker.h)
against one fresh ocloc process per compile, the same command line, interleaved job by job.

    bench/compile_cpu.py [--set medium|small|piglit|tiny] [--devices LIST] [--stride N] [--reps N]
                         [--parallel N] [--separate|--pages|--fat|--fat-worker|--builds]
                         [--kinds K,K] [--sources] [--smoke]

Every compile runs twice in a row, once in the worker and once as `ocloc compile ...`, in an order
that alternates between jobs, so the machine's drift falls on both alike. The worker's CPU is read
from /proc/<pid>/stat around each job; the process's from RUSAGE_CHILDREN. Also minor page faults
(memory the compile had to map again). --parallel N: N such pairs at once (each its own worker),
as a build on N cores runs them. The row the build's cold-vs-xargs ratio depends on:
worker CPU / process CPU, summed over the jobs (goal <= 1.00: a worker is kept for speed, so a
compile in it must not cost more than in a fresh process).
--separate: N lanes (--parallel) of workers only, then of processes only, per repetition.
--pages: each compile in a worker whose malloc asks for transparent huge pages (as the build's
workers run) and in one that does not, order alternating; --parallel N lanes side by side.
--fat: per module, one `ocloc -device LIST` process against one process per device.
--fat-worker: the same inside one compile worker (no process start-up on either side).
--builds: whole cold builds instead, per repetition in rotating order: `xargs -P<cores> ocloc
-device LIST` (one fat compile per module, as bench/run.py's baseline), `aotpack build --no-cache`
with workers, and with --compile-mode processes (--kinds: a choice of these, or
aotpack-workers-small-pages: workers without the huge pages the build asks glibc for;
--sources: from the hashcat OpenCL C the medium set was made from, ocloc's frontend on both
sides); the compilers' CPU of each (xargs: its ended
children; aotpack: the report's cpu_seconds.compilers) and aotpack's own.
--smoke: the tiny set, one repetition (checks that the code runs, not speed).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the corpus and the empty toolchain store)

TICKS = os.sysconf("SC_CLK_TCK")


def ocloc_argv(spv, target, out_dir):
    # What OclocCompiler::task passes (src/toolchain/ocloc_compiler.cpp), output into out_dir.
    return ["ocloc", "compile", "-spirv_input", "-file", str(spv), "-device", target, "--format",
            "zebin", "-exclude_ir", "-output", "zebin", "-output_no_suffix"]


class Worker:
    """One `aotpack __ocloc-worker LIBOCLOC`, driven through its pipe protocol."""

    def __init__(self, aotpack, library, env=None):
        answers_r, answers_w = os.pipe()
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" __ocloc-worker "$1" 3>&{answers_w}', str(aotpack), library],
            stdin=subprocess.PIPE, pass_fds=(answers_w,), env=dict(os.environ, **(env or {})))
        os.close(answers_w)
        self.answers = os.fdopen(answers_r, "r")
        line = self.answers.readline()
        if line != "ready\n":
            sys.exit(f"bench: the compile worker did not start: {line.strip()}")

    def usage(self):
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        # after the ")": state=0 ... minflt=7, utime=11, stime=12 (proc(5) numbering minus 3)
        return (int(fields[11]) + int(fields[12])) / TICKS, int(fields[7])

    def compile(self, argv, cwd):
        fields = [str(cwd), str(cwd / "log")] + argv
        data = len(fields).to_bytes(4, "little")
        for f in fields:
            b = f.encode()
            data += len(b).to_bytes(4, "little") + b
        cpu, faults = self.usage()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        answer = self.answers.readline().split()
        after_cpu, after_faults = self.usage()
        if not answer or answer[0] != "done" or answer[1] != "0":
            sys.exit(f"bench: worker compile failed: {answer}: {(cwd / 'log').read_text()[-400:]}")
        return after_cpu - cpu, after_faults - faults

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait()


def process_compile(argv, cwd):
    """A fresh ocloc; its CPU from wait4's rusage (exact for this child, whatever runs beside)."""
    with open(cwd / "log", "w") as log:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=log)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed: {(cwd / 'log').read_text()[-400:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_minflt


def lane(jobs, aotpack, library, workdir, rows, only=None):
    worker = Worker(aotpack, library) if only != "process" else None
    for i, (spv, target) in enumerate(jobs):
        cwd = workdir / f"{spv.stem}-{target}"
        cwd.mkdir(parents=True, exist_ok=True)
        argv = ocloc_argv(spv, target, cwd)
        order = ("worker", "process") if i % 2 == 0 else ("process", "worker")
        if only:
            order = (only,)
        row = {"module": spv.stem, "target": target}
        for kind in order:
            cpu, faults = worker.compile(argv, cwd) if kind == "worker" else process_compile(argv, cwd)
            row[kind] = {"cpu": cpu, "minflt": faults}
        rows.append(row)
    if worker:
        worker.stop()


def measure(jobs, aotpack, library, workdir, parallel, only=None):
    rows, lanes = [], []
    for n in range(parallel):
        mine = jobs[n::parallel]
        lanes.append(threading.Thread(target=lane, args=(mine, aotpack, library, workdir / f"lane{n}", rows, only)))
    for t in lanes:
        t.start()
    for t in lanes:
        t.join()
    return rows


def separate(jobs, aotpack, library, workdir, parallel, reps):
    """--separate: `parallel` lanes of workers only, then of processes only (alternating which
    goes first per repetition): compiles side by side in the same kind, as a build runs them."""
    for rep in range(reps):
        cpu = {}
        for kind in (("worker", "process") if rep % 2 == 0 else ("process", "worker")):
            rows = measure(jobs, aotpack, library, workdir / f"sep{rep}-{kind}", parallel, kind)
            cpu[kind] = sum(r[kind]["cpu"] for r in rows)
        print(f"rep {rep}: {len(jobs)} compiles, {parallel} at once of one kind: workers "
              f"{cpu['worker']:.1f} core-s, processes {cpu['process']:.1f} core-s, "
              f"workers/processes {cpu['worker'] / cpu['process']:.3f}", flush=True)


def fat_vs_single(spvs, devices, workdir, reps):
    """--fat: per module, one `ocloc -device LIST` process (xargs' fat compile) against one
    process per device with the build's command line, the order alternating by module."""
    totals = {"fat": 0.0, "single": 0.0}
    for rep in range(reps):
        for i, spv in enumerate(spvs):
            cwd = workdir / f"fat{rep}" / spv.stem
            cwd.mkdir(parents=True, exist_ok=True)
            fat = ["ocloc", "compile", "-spirv_input", "-file", str(spv), "-device", devices,
                   "--format", "zebin", "-output", "fat"]
            cpu = {}
            for kind in (("fat", "single") if i % 2 == 0 else ("single", "fat")):
                if kind == "fat":
                    cpu[kind] = process_compile(fat, cwd)[0]
                else:
                    cpu[kind] = sum(process_compile(ocloc_argv(spv, t, cwd), cwd)[0]
                                    for t in devices.split(","))
                totals[kind] += cpu[kind]
            print(f"{spv.stem}: fat {cpu['fat']:.1f} core-s, one per device {cpu['single']:.1f} "
                  f"core-s, fat / single {cpu['fat'] / cpu['single']:.3f}", flush=True)
    print(f"all: fat {totals['fat']:.1f} core-s, one per device {totals['single']:.1f} core-s, "
          f"fat / single {totals['fat'] / totals['single']:.3f}", flush=True)


def fat_in_worker(spvs, devices, aotpack, library, workdir):
    """--fat-worker: per module, one worker call with `-device LIST` against one worker call per
    device, in the same worker, the order alternating by module: what compiling a module's
    targets together would save in the build, start-up aside."""
    worker = Worker(aotpack, library)
    smallest = min(spvs, key=lambda s: s.stat().st_size) # IGC's start-up, before any measurement
    (workdir / "warm-up").mkdir(parents=True, exist_ok=True)
    worker.compile(ocloc_argv(smallest, devices.split(",")[0], workdir / "warm-up"), workdir / "warm-up")
    totals = {"fat": 0.0, "single": 0.0}
    for i, spv in enumerate(spvs):
        cwd = workdir / "fat-worker" / spv.stem
        cwd.mkdir(parents=True, exist_ok=True)
        fat = ocloc_argv(spv, devices, cwd)
        cpu = {}
        for kind in (("fat", "single") if i % 2 == 0 else ("single", "fat")):
            if kind == "fat":
                cpu[kind] = worker.compile(fat, cwd)[0]
            else:
                cpu[kind] = sum(worker.compile(ocloc_argv(spv, t, cwd), cwd)[0]
                                for t in devices.split(","))
            totals[kind] += cpu[kind]
        print(f"{spv.stem}: in a worker, -device {devices} {cpu['fat']:.1f} core-s, one call per "
              f"device {cpu['single']:.1f} core-s, ratio {cpu['fat'] / cpu['single']:.3f}", flush=True)
    worker.stop()
    print(f"all: one call {totals['fat']:.1f} core-s, one per device {totals['single']:.1f} core-s, "
          f"ratio {totals['fat'] / totals['single']:.3f}", flush=True)


# What the build gives its compilers (toolchain/process_pool.h) and glibc's own opt-out.
PAGES = {"huge": {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"},
         "small": {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}}


def pages_lane(jobs, aotpack, library, workdir, rows):
    workers = {kind: Worker(aotpack, library, env) for kind, env in PAGES.items()}
    for i, (spv, target) in enumerate(jobs):
        cwd = workdir / f"{spv.stem}-{target}"
        cwd.mkdir(parents=True, exist_ok=True)
        row = {"module": spv.stem, "target": target}
        for kind in (("huge", "small") if i % 2 == 0 else ("small", "huge")):
            cpu, faults = workers[kind].compile(ocloc_argv(spv, target, cwd), cwd)
            row[kind] = {"cpu": cpu, "minflt": faults}
        rows.append(row)
    for w in workers.values():
        w.stop()


def pages(jobs, aotpack, library, workdir, parallel, reps):
    """--pages: every compile in a worker with huge pages and in one without, order alternating
    job by job; `parallel` such lanes side by side, as a build runs its workers."""
    for rep in range(reps):
        rows = []
        lanes = [threading.Thread(target=pages_lane, args=(jobs[n::parallel], aotpack, library,
                                                           workdir / f"pages{rep}-{n}", rows))
                 for n in range(parallel)]
        for t in lanes:
            t.start()
        for t in lanes:
            t.join()
        cpu = {k: sum(r[k]["cpu"] for r in rows) for k in PAGES}
        faults = {k: sum(r[k]["minflt"] for r in rows) for k in PAGES}
        median = statistics.median(r["huge"]["cpu"] / r["small"]["cpu"] for r in rows if r["small"]["cpu"] > 0)
        print(f"rep {rep}: {len(rows)} compiles, {parallel} at once: huge pages {cpu['huge']:.1f} core-s, "
              f"small {cpu['small']:.1f} core-s, huge / small {cpu['huge'] / cpu['small']:.3f} (median per "
              f"job {median:.3f}); minor faults {faults['huge']} vs {faults['small']}", flush=True)


def summary(rows):
    worker = sum(r["worker"]["cpu"] for r in rows)
    process = sum(r["process"]["cpu"] for r in rows)
    return {"jobs": len(rows), "worker_cpu": worker, "process_cpu": process,
            "ratio": worker / process if process else float("nan"),
            "median_job_ratio": statistics.median(r["worker"]["cpu"] / r["process"]["cpu"]
                                                  for r in rows if r["process"]["cpu"] > 0),
            "worker_minflt": sum(r["worker"]["minflt"] for r in rows),
            "process_minflt": sum(r["process"]["minflt"] for r in rows)}


def cold_builds(spvs, devices, workdir, order, cl_options=None):
    """One cold build of each kind in `order`: {kind: {wall, compilers, aotpack}} in core-seconds.
    With cl_options, `spvs` are OpenCL C sources compiled with those options."""
    cores = os.cpu_count()
    out = {}
    for kind in order:
        target = workdir / kind
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        before = bench.children_cpu_seconds()
        if kind == "xargs":
            listing = target / "spvs.txt"
            listing.write_text("\n".join(str(s) for s in spvs) + "\n")
            what = '-options "$CLOPTS"' if cl_options is not None else "-spirv_input"
            script = (f'ocloc compile {what} -file "$1" -device {devices} --format zebin '
                      f'-output "{target}/$(basename "$1").ar" >/dev/null')
            wall = bench.timed(["bash", "-c", f"xargs -P{cores} -I{{}} bash -c '{script}' _ {{}} < {listing}"],
                               env={"CLOPTS": cl_options or ""}, cwd=target)[0]
            out[kind] = {"wall": wall, "compilers": bench.children_cpu_seconds() - before, "aotpack": 0.0}
            continue
        report = target / "report.json"
        mode = "processes" if kind == "aotpack-processes" else "workers"
        # The build gives its compilers huge pages (toolchain/process_pool.h); glibc's own
        # tunable turns that off, to measure what it is worth.
        env = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"} if kind == "aotpack-workers-small-pages" else None
        wall = bench.timed([bench.AOTPACK, "build", "-q", "--no-cache", "-d", devices, "-j", str(cores),
                            "--compile-mode", mode, "-o", target / "x.aotpack", "--json-report", report]
                           + ([f"--cl-options={cl_options}"] if cl_options is not None else [])
                           + [str(s) for s in spvs], env=env, cwd=target)[0]
        cpu = json.loads(report.read_text())["cpu_seconds"]
        out[kind] = {"wall": wall, "compilers": cpu["compilers"], "aotpack": cpu["aotpack"]}
    return out


def run_builds(args, spvs, workdir):
    kinds = args.kinds.split(",")
    cl_options = None
    if args.sources:  # the OpenCL C the set's SPIR-V was made from, with the same options
        spvs = [bench.HASHCAT / f"{s.stem}.cl" for s in spvs]
        text = (bench.ROOT / "bench" / "hashcat-options.txt").read_text().split("\n#", 1)[0].strip()
        cl_options = text.replace("@HASHCAT@", str(bench.HASHCAT))
    results = []
    for rep in range(args.reps):
        order = kinds[rep % len(kinds):] + kinds[:rep % len(kinds)]
        r = cold_builds(spvs, args.devices, workdir / f"builds{rep}", order, cl_options)
        results.append(r)
        x = r["xargs"]
        line = ", ".join(f"{k} {v['wall']:.1f} s wall, compilers {v['compilers']:.1f} core-s "
                         f"({v['compilers'] / x['compilers']:.3f}x xargs), aotpack {v['aotpack']:.1f}"
                         for k, v in r.items())
        print(f"rep {rep}: {line}", flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="medium", choices=["tiny", "small", "medium", "piglit"])
    ap.add_argument("--devices", default="ats-m150,pvc")
    ap.add_argument("--stride", type=int, default=1, help="every Nth module of the set")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--parallel", type=int, default=1)
    ap.add_argument("--builds", action="store_true")
    ap.add_argument("--kinds", default="xargs,aotpack-workers,aotpack-processes",
                    help="--builds: what to rotate (also aotpack-workers-small-pages)")
    ap.add_argument("--separate", action="store_true")
    ap.add_argument("--pages", action="store_true")
    ap.add_argument("--sources", action="store_true",
                    help="--builds of the medium set from its OpenCL C sources (both sides compile them)")
    ap.add_argument("--fat", action="store_true")
    ap.add_argument("--fat-worker", action="store_true")
    ap.add_argument("--modules", help="only the modules whose names contain one of these (comma-separated)")
    ap.add_argument("--json")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        args.set, args.reps, args.stride = "tiny", 1, 1
    library = "/usr/lib/x86_64-linux-gnu/libocloc.so"
    results = []
    with tempfile.TemporaryDirectory(prefix="aotpack-compile-cpu-") as tmp:
        workdir = Path(tmp)
        spvs = bench.corpus(args.set, workdir, bench.AOTPACK)[::args.stride]
        if args.modules:
            spvs = [s for s in spvs if any(m in s.stem for m in args.modules.split(","))]
        if args.builds:
            results = run_builds(args, spvs, workdir)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
            return
        if args.fat:
            return fat_vs_single(spvs, args.devices, workdir, args.reps)
        if args.fat_worker:
            return fat_in_worker(spvs, args.devices, bench.AOTPACK, library, workdir)
        jobs = [(s, t) for s in spvs for t in args.devices.split(",")]
        if args.pages:
            return pages(jobs, bench.AOTPACK, library, workdir, args.parallel, args.reps)
        if args.separate:
            return separate(jobs, bench.AOTPACK, library, workdir, args.parallel, args.reps)
        for rep in range(args.reps):
            rows = measure(jobs, bench.AOTPACK, library, workdir / f"rep{rep}", args.parallel)
            s = summary(rows)
            results.append({"rows": rows, "summary": s})
            print(f"rep {rep}: {s['jobs']} compiles, {args.parallel} at once: worker {s['worker_cpu']:.1f} "
                  f"core-s, process {s['process_cpu']:.1f} core-s, worker/process {s['ratio']:.3f} "
                  f"(median per job {s['median_job_ratio']:.3f}); minor faults worker "
                  f"{s['worker_minflt']} vs process {s['process_minflt']}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
