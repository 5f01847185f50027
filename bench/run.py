#!/usr/bin/env python3
"""aotpack benchmarks: every number is a ratio against a baseline measured in the same run.

    bench/run.py [--set tiny|small|medium|large|piglit|piglit-many] [--devices LIST] [--reps N] [--quick]
                 [--json FILE] [--smoke]

Corpus (OpenCL C -> SPIR-V with `ocloc -spv_only`, options in bench/hashcat-options.txt, cached in
build/bench-corpus/):
  tiny   examples/kernels (3 modules)
  small  every 400th hashcat kernel (/usr/share/hashcat/OpenCL/m*.cl, sorted by name): 3 kernels
  medium every 66th hashcat kernel: 18 kernels of 5-6.5 MB of SPIR-V, jobs of seconds each
  large  every 40th hashcat kernel: 30 kernels (some take minutes and GBs per target), less the
         ones that need defines of their own (they fail in the frontend; left out)
  piglit every 8th of Debian piglit's OpenCL test programs (sorted by path, without the
         program/build/fail ones and those that use double): 66 small modules, each built with
         the options its own
         header asks for (`clc_version_min: 20` -> -cl-std=CL2.0, `build_options:`)
The stride rule takes kernels as they come, fast or slow; no hand-picking.

Rows: cold build vs `xargs -P<cores> ocloc` (fat binary per module) and vs sequential ocloc; the
physical limit (sum of in-process compile times / cores), also with every core compiling and
with build and limit pinned to one core; warm-cache build into a new output (a fresh CI
checkout), no-op and one-module-changed rebuilds; the time after the last compile ended.
--quick keeps only xargs ocloc, the cold, warm and no-op builds, size and runtime (no physical
limit, sequential ocloc, one module changed, remembered durations, one process per job, one core;
the largest single compile is then bounded by the workers' high-water marks): for the large set.
This machine's speed drifts by 10-25% between minutes, so xargs, the physical limit and both
compile modes are measured again in every repetition, side by side, and the goals use the median
of the per-repetition ratios;
peak memory (the whole tree, and the driver alone) against jobs x the largest single compile +
64 MiB; archive size vs ocloc's ARs; runtime open+select, load overhead, JIT vs JIT cache.
--smoke: the tiny set, one repetition, for CI (checks that the benchmark code runs, not speed).
"""
import argparse
import atexit
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AOTPACK = ROOT / "build" / "tools" / "aotpack" / "aotpack"
# The baselines run the host's ocloc: aotpack must build with it too, not with a newer compiler
# of the user's toolchain store (bench/toolchain.py measures those). An empty store, removed at
# exit.
_EMPTY_STORE = tempfile.mkdtemp(prefix="aotpack-bench-store-")
atexit.register(shutil.rmtree, _EMPTY_STORE, True)
os.environ["AOTPACK_TOOLCHAINS"] = _EMPTY_STORE


def parse_bench_args(ap, devices=None, reps=3):
    """The options the benchmarks share: --set, --reps, --smoke (the tiny set, one repetition:
    checks that the benchmark code runs, not speed) and, when given a default, --devices."""
    ap.add_argument("--set", default="small", choices=["tiny", "small", "medium", "large", "piglit", "piglit-many"])
    if devices:
        ap.add_argument("--devices", default=devices)
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--smoke", action="store_true", help="tiny set, one repetition (CI)")
    a = ap.parse_args()
    if a.smoke:
        a.set, a.reps = "tiny", 1
    return a
HASHCAT = Path("/usr/share/hashcat/OpenCL")
SIM = {"NEOReadDebugKeys": "1", "SetCommandStreamReceiver": "1"}
# Every Nth kernel in name order; piglit-many (every 2nd program, ~260 small modules) is the
# many-module corpus (piglit-sized modules, many of them).
STRIDES = {"small": 400, "medium": 66, "large": 40, "piglit": 8, "piglit-many": 2}
PIGLIT = Path("/usr/lib/x86_64-linux-gnu/piglit")


def run(cmd, env=None, cwd=None, check=True):
    full_env = dict(os.environ, **(env or {}))
    r = subprocess.run(cmd, env=full_env, cwd=cwd, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


class PeakRss:
    """Samples the summed RSS of a process tree (the build and all its compilers) every 20 ms,
    and the RSS of its root (the driver) alone."""

    def __init__(self, pid):
        self.pid, self.peak, self.root_peak, self.done = pid, 0, 0, False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def tree(self):
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, IndexError, ValueError):
                    pass
        todo, out = [self.pid], []
        while todo:
            p = todo.pop()
            out.append(p)
            todo.extend(children.get(p, []))
        return out

    def loop(self):
        while not self.done:
            total = 0
            for p in self.tree():
                try:
                    for line in open(f"/proc/{p}/status"):
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                            if p == self.pid:
                                self.root_peak = max(self.root_peak, int(line.split()[1]))
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.02)

    def stop(self):
        self.done = True
        self.thread.join()
        return self.peak


def machine_idle_seconds():
    """Core-seconds the machine's CPUs have spent idle or waiting on I/O so far (/proc/stat)."""
    fields = open("/proc/stat").readline().split()[1:]
    return (int(fields[3]) + int(fields[4])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """User + system CPU seconds of this process's ended children so far."""
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(cmd, env=None, cwd=None, driver_rss=False):
    """(seconds, peak RSS of the tree in KiB[, peak RSS of the root process alone])."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=dict(os.environ, **(env or {})), cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = PeakRss(p.pid)
    out, err = p.communicate()
    peak = rss.stop()
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{out}\n{err}")
    if driver_rss:
        return time.monotonic() - start, peak, rss.root_peak
    return time.monotonic() - start, peak


def piglit_modules(stride):
    """The piglit set's manifest entries: every `stride`th OpenCL test program by path (not the ones
    that must fail to build, nor those that use double: ats-m150 has no fp64), with the options
    its own [config] header asks for."""
    sources = sorted(p for p in PIGLIT.rglob("*.cl") if "/build/fail/" not in str(p)
                     and "double" not in p.read_text(errors="replace"))
    modules = []
    for source in sources[::stride]:
        header = source.read_text(errors="replace").split("!*/", 1)[0]
        options = []
        if "clc_version_min: 20" in header:
            options.append("-cl-std=CL2.0")
        for line in header.splitlines():
            if line.startswith("build_options:"):
                options.append(line.split(":", 1)[1].strip())
        modules.append({"source": str(source), "options": " ".join(options)})
    return modules


def corpus(kind, workdir, aotpack):
    """SPIR-V files of the set, generated once and cached."""
    out = ROOT / "build" / "bench-corpus" / f"{kind}-{STRIDES.get(kind, 0)}"
    done = out / ".complete"
    if done.exists():
        return sorted(out.glob("*.spv"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if kind == "tiny":
        modules, options = [{"source": str(s)} for s in sorted((ROOT / "examples" / "kernels").glob("*.cl"))], ""
    elif kind.startswith("piglit"):
        if not PIGLIT.exists():
            sys.exit("bench: the piglit set needs Debian's piglit package (scripts/setup.sh installs it)")
        modules, options = piglit_modules(STRIDES[kind]), ""
    else:
        stride = STRIDES[kind]
        modules = [{"source": str(s)} for s in sorted(HASHCAT.glob("m*.cl"))[::stride]]
        options = (ROOT / "bench" / "hashcat-options.txt").read_text().split("\n#", 1)[0].strip()
        options = options.replace("@HASHCAT@", str(HASHCAT))
    # aotpack's own frontend (ocloc -spv_only in parallel workers) with `none`: SPIR-V only.
    archive = workdir / f"corpus-{kind}.aotpack"
    manifest = workdir / f"corpus-{kind}.json"
    manifest.write_text(json.dumps({"modules": modules}))
    cl = ["--cl-options=" + options] if options else []
    # -k: a kernel that needs defines of its own (hashcat's FIXED_LOCAL_SIZE) is left out of the
    # set, for aotpack and the ocloc baseline alike; the set is what compiles.
    r = run([aotpack, "build", "-q", "-k", "-d", "none", "--no-cache", "-o", archive, "--manifest", manifest] + cl,
            check=False)
    if not archive.exists():
        sys.exit(f"bench: no module of the {kind} set compiles:\n{r.stderr}")
    run([aotpack, "extract", archive, "-o", out])
    done.touch()
    return sorted(out.glob("*.spv"))


def best_schedule(durations, cores):
    """The shortest makespan of these indivisible jobs on `cores` cores, knowing every duration
    (branch and bound, longest first): the limit for any scheduler, above sum/cores when one job is
    long. Falls back to sum/cores and the longest job for sets too large to search."""
    jobs = sorted(durations, reverse=True)
    if len(jobs) > 14:
        return max(sum(jobs) / cores, jobs[0] if jobs else 0)
    best = [sum(jobs)]

    def place(i, loads):
        if max(loads) >= best[0]:
            return
        if i == len(jobs):
            best[0] = max(loads)
            return
        for c in range(cores):
            if loads[c] in loads[:c]:
                continue  # a core with the same load as an earlier one: same subtree
            loads[c] += jobs[i]
            place(i + 1, loads)
            loads[c] -= jobs[i]

    place(0, [0.0] * cores)
    return best[0]


def core_seconds(report, wall, cores):
    """Where a build's core-seconds (wall x cores) go, from its JSON report's timeline."""
    jobs = [j for j in report["jobs"] if j["result"] == "compiled"]
    first = min(j["started"] for j in jobs)
    last = max(j["started"] + j["seconds"] for j in jobs)
    compiling = sum(j["compile_seconds"] for j in jobs)
    busy = sum(j["seconds"] for j in jobs)
    return {"compiling": compiling, "job_overhead": busy - compiling,
            "idle_between": cores * (last - first) - busy,
            "before_and_after": cores * (wall - (last - first)), "total": cores * wall,
            # The same core-seconds by who used the CPU (the report's rusage split): aotpack's
            # own threads, its compilers' processes, and nobody (idle or waiting on I/O).
            "aotpack_cpu": report["cpu_seconds"]["aotpack"],
            "compilers_cpu": report["cpu_seconds"]["compilers"],
            "nobody": cores * wall - report["cpu_seconds"]["aotpack"] - report["cpu_seconds"]["compilers"]}


def lowest(xs):
    return min(xs) if xs else None


def median(xs):
    return statistics.median(xs) if xs else None


def tail_after_last_compile(report):
    """(seconds, share of the build) from the last compile's end to the build's end."""
    compiled = [j for j in report["jobs"] if j["result"] == "compiled"]
    if not compiled or not report["seconds"]:
        return 0.0, 0.0
    tail = report["seconds"] - max(j["started"] + j["seconds"] for j in compiled)
    return tail, tail / report["seconds"]


def ocloc_fat(spv, devices, outdir):
    return ["ocloc", "compile", "-spirv_input", "-file", str(spv), "-device", devices,
            "--format", "zebin", "-output", str(outdir / (spv.stem + ".ar"))]


def bench_build(spvs, devices, ips, aotpack, workdir, cores, reps, quick=False):
    rows = {}
    # Baselines: ocloc fat binary per module, xargs -P<cores> (measured beside each cold build
    # below) and sequential (once: it is the slowest row and only informative).
    ar_dir = workdir / "ars"
    listing = workdir / "spvs.txt"
    listing.write_text("\n".join(str(s) for s in spvs) + "\n")

    xargs_use = []  # per run: (its processes' CPU, the machine idle), core-seconds

    def xargs_ocloc():
        shutil.rmtree(ar_dir, ignore_errors=True)
        ar_dir.mkdir()
        script = f'ocloc compile -spirv_input -file "$1" -device {devices} --format zebin -output "{ar_dir}/$(basename "$1" .spv).ar" >/dev/null'
        cpu, idle = children_cpu_seconds(), machine_idle_seconds()
        t = timed(["bash", "-c", f"xargs -P{cores} -I{{}} bash -c '{script}' _ {{}} < {listing}"], cwd=workdir)[0]
        xargs_use.append({"total": cores * t, "cpu": children_cpu_seconds() - cpu,
                          "machine_idle": machine_idle_seconds() - idle})
        return t

    seq_times = []
    if not quick:
        start = time.monotonic()
        for s in spvs:
            run(ocloc_fat(s, devices, ar_dir), cwd=workdir)
        seq_times.append(time.monotonic() - start)

    # Physical limit: every (module, target) compile inside one process, no process start-up.
    # Measured again beside each cold build below (the machine's speed drifts between minutes).
    inproc = ROOT / "build" / "bench" / "bench_ocloc_inprocess"

    def inprocess_durations(pin=()):
        durations = []
        for ip in ips:
            r = run(list(pin) + [inproc, ip] + [str(s) for s in spvs], cwd=workdir)
            durations += [float(line.split("\t")[0]) for line in r.stdout.splitlines() if line]
        return durations

    def physical_limit():
        durations = inprocess_durations()
        return sum(durations) / cores, best_schedule(durations, cores)
    # The same jobs with every core busy (one in-process compiler per core, the jobs dealt round
    # robin): compilers running side by side slow each other down (shared caches and memory
    # bandwidth), which the sequential figure does not include.
    def physical_limit_loaded():
        jobs = [(ip, str(s)) for ip in ips for s in spvs]
        procs = []
        for c in range(cores):
            mine = jobs[c::cores]
            if mine:
                procs.append(subprocess.Popen([inproc, "--jobs"] + [f"{ip}={spv}" for ip, spv in mine],
                                              cwd=workdir, stdout=subprocess.PIPE, text=True))
        return sum(float(line.split("\t")[0]) for p in procs
                   for line in p.communicate()[0].splitlines() if line) / cores

    # aotpack: cold (empty cache), no-op, one module changed (its options, through a manifest).
    cold_times, noop_times, one_times, peak, driver_peak, largest_rss = [], [], [], 0, 0, 0
    warm_times, warm_vs_cold, tails = [], [], []
    physical_times, cold_vs_physical, cold_vs_own_limit = [], [], []
    xargs_times, cold_vs_xargs, process_times = [], [], []
    loaded_times, cold_vs_loaded = [], []
    schedule_times, remembered_times, remembered_vs_physical = [], [], []
    spent = []  # per cold build: where its core-seconds went
    one_core_limits, one_core_times = [], []
    manifest = workdir / "modules.json"
    archive = workdir / "out.aotpack"
    for rep in range(reps):
        cache = workdir / f"cache-{rep}"
        shutil.rmtree(cache, ignore_errors=True)
        mods = [{"source": str(s)} for s in spvs]
        manifest.write_text(json.dumps({"modules": mods}))
        build = [aotpack, "build", "-q", "-d", devices, "--manifest", manifest, "-o", archive, "--cache-dir", cache]
        # This machine's speed drifts by 10-25% between minutes: every baseline is measured again
        # right beside each cold build, and the goals use the median of the per-repetition ratios.
        xargs_times.append(xargs_ocloc())
        if not quick:
            limit, schedule = physical_limit()
            physical_times.append(limit)
            schedule_times.append(schedule)
            loaded_times.append(physical_limit_loaded())
        idle = machine_idle_seconds()
        t, rss, driver = timed(build + ["--json-report", workdir / "report.json"], cwd=workdir, driver_rss=True)
        idle = machine_idle_seconds() - idle
        if not quick:
            cold_vs_physical.append(t / physical_times[-1])
            cold_vs_loaded.append(t / loaded_times[-1])
        cold_vs_xargs.append(t / xargs_times[-1])
        cold_report = json.load(open(workdir / "report.json"))
        jobs = cold_report["jobs"]
        spent.append(dict(core_seconds(cold_report, t, cores), machine_idle=idle))
        tails.append(tail_after_last_compile(cold_report))
        driver_peak = max(driver_peak, driver)
        # A fresh checkout on a machine whose cache is warm (CI): every job a hit, a new output.
        warm_archive = workdir / f"warm-{rep}.aotpack"
        warm_times.append(timed([warm_archive if a == archive else a for a in build], cwd=workdir)[0])
        warm_vs_cold.append(warm_times[-1] / t)
        if warm_archive.read_bytes() != archive.read_bytes():
            sys.exit("bench: the warm build's archive differs from the cold build's")
        # The same limit from this very build: the compile workers time each compile in-process
        # (compile_seconds), under the same machine conditions as the build's wall time.
        own_limit = sum(j["compile_seconds"] for j in jobs) / cores
        cold_vs_own_limit.append(t / own_limit if own_limit else 0)
        cold_times.append(t)
        peak = max(peak, rss)
        noop_times.append(timed(build, cwd=workdir)[0])
        if quick:  # the workers' high-water marks: an upper bound of the largest single compile
            largest_rss = max([largest_rss] + [j["max_rss_kb"] for j in jobs])
            continue
        mods[0]["options"] = f"-cl-mad-enable -D BENCH_REP={rep}"
        manifest.write_text(json.dumps({"modules": mods}))
        one_times.append(timed(build, cwd=workdir)[0])
        mods[0].pop("options")
        manifest.write_text(json.dumps({"modules": mods}))
        if not quick:
            # Cold again, but with the durations the builds above remembered (`cache clean` keeps
            # them): what a CI job sees after a compiler upgrade. Longest-first is then informed.
            run([aotpack, "cache", "clean", "--cache-dir", cache])
            remembered_times.append(timed(build, cwd=workdir)[0])
            remembered_vs_physical.append(remembered_times[-1] / physical_times[-1])
        # The other compile mode: one ocloc process per job instead of long-lived libocloc workers.
        # Each job is its own process there, so the report's max_rss_kb is each compile's own peak
        # (a long-lived worker reports its high-water mark over all its jobs).
        cache = workdir / f"cache-processes-{rep}"
        shutil.rmtree(cache, ignore_errors=True)
        report_file = workdir / "processes.json"
        process_times.append(timed([aotpack, "build", "-q", "-d", devices, "--manifest", manifest, "-o",
                                    workdir / "processes.aotpack", "--cache-dir", cache,
                                    "--compile-mode", "processes", "--json-report", report_file], cwd=workdir)[0])
        largest_rss = max([largest_rss] + [j["max_rss_kb"] for j in json.load(open(report_file))["jobs"]])
        # Both again pinned to one core: no second compiler to contend with, so this ratio is
        # aotpack's own overhead (inputs, validation, compression, archive) against the limit.
        pin = ["taskset", "-c", "0"]
        one_core_limits.append(sum(inprocess_durations(pin)))
        cache = workdir / f"cache-one-core-{rep}"
        shutil.rmtree(cache, ignore_errors=True)
        one_core_times.append(timed(pin + [aotpack, "build", "-q", "-j1", "-d", devices, "--manifest", manifest,
                                           "-o", workdir / "one-core.aotpack", "--cache-dir", cache],
                                    cwd=workdir)[0])
    run(build, cwd=workdir)  # the final archive is the plain one
    fast_archive = workdir / "fast.aotpack"  # native binaries uncompressed (same compiles: cached)
    run([fast_archive if a == archive else a for a in build] + ["--compression", "fast-load"], cwd=workdir)
    ocloc_ar_bytes = sum(p.stat().st_size for p in ar_dir.glob("*.ar"))  # the last xargs run's
    cold, xargs_t = min(cold_times), min(xargs_times)
    bound = cores * largest_rss + 64 * 1024  # jobs x the largest single compile + 64 MiB
    rows["build"] = {
        "jobs": len(spvs) * len(ips), "cores": cores, "quick": quick,
        "aotpack_cold_s": cold, "xargs_ocloc_s": xargs_t, "sequential_ocloc_s": lowest(seq_times),
        "aotpack_cold_processes_s": lowest(process_times),
        "physical_limit_s": lowest(physical_times), "physical_limit_loaded_s": lowest(loaded_times),
        "best_schedule_s": lowest(schedule_times),
        "best_schedule_vs_physical": median([s / p for s, p in zip(schedule_times, physical_times)]),
        "aotpack_cold_remembered_s": lowest(remembered_times),
        "cold_remembered_vs_physical": median(remembered_vs_physical),
        "cold_remembered_vs_physical_each_rep": remembered_vs_physical,
        "contention": median([l / p for l, p in zip(loaded_times, physical_times)]),
        "cold_vs_physical_loaded": median(cold_vs_loaded),
        "cold_vs_physical_loaded_each_rep": cold_vs_loaded, "noop_s": min(noop_times), "one_module_changed_s": lowest(one_times),
        "warm_s": min(warm_times), "warm_vs_cold": statistics.median(warm_vs_cold), "warm_vs_cold_each_rep": warm_vs_cold,
        "tail_after_last_compile_each_rep": tails, "tail_vs_build": max(t[1] for t in tails),
        "cold_vs_xargs": statistics.median(cold_vs_xargs), "cold_vs_xargs_each_rep": cold_vs_xargs,
        "cold_vs_sequential": cold / seq_times[0] if seq_times else None,
        "cold_vs_physical": median(cold_vs_physical),
        "cold_vs_physical_each_rep": cold_vs_physical,
        "cold_vs_own_compile_time": statistics.median(cold_vs_own_limit),
        "cold_vs_own_compile_time_each_rep": cold_vs_own_limit, "noop_vs_cold": min(noop_times) / cold,
        "one_changed_vs_cold": min(one_times) / cold if one_times else None,
        "core_seconds_each_rep": spent, "xargs_core_seconds_each_rep": xargs_use,
        "one_core_limit_s": lowest(one_core_limits), "one_core_cold_s": lowest(one_core_times),
        "one_core_cold_vs_limit_each_rep": [t / l for t, l in zip(one_core_times, one_core_limits)],
        "one_core_cold_vs_limit": median([t / l for t, l in zip(one_core_times, one_core_limits)]),
        "peak_rss_build_kb": peak, "peak_rss_driver_kb": driver_peak, "largest_single_compile_rss_kb": largest_rss,
        "peak_vs_largest_compile": peak / largest_rss if largest_rss else 0,
        "memory_bound_kb": bound, "peak_vs_memory_bound": peak / bound,
    }
    size = json.loads(run([aotpack, "size", "--json", archive]).stdout)
    rows["size"] = {
        "archive_bytes": archive.stat().st_size, "ocloc_ar_bytes": ocloc_ar_bytes,
        "archive_vs_ocloc_ars": archive.stat().st_size / ocloc_ar_bytes,
        "fast_load_archive_bytes": fast_archive.stat().st_size,
        "fast_load_vs_ocloc_ars": fast_archive.stat().st_size / ocloc_ar_bytes,
        "spirv_share": size["spirv_share"], "dedup_saved_bytes": size["dedup_saved_stored"],
        "per_target_stored": {k: v["stored"] for k, v in size["per_target"].items()},
    }
    return rows, archive, fast_archive


def load_ratio(tool, archive, module, n, env, workdir, cache_dir=None):
    out = parse(run([tool, "load", archive, module, str(n)] + ([cache_dir] if cache_dir else []),
                    env=env, cwd=workdir).stdout)
    return out["aotpack_load_ms"], out["raw_load_ms"]


def bench_runtime(archive, fast_archive, module, workdir, reps):
    tool = ROOT / "build" / "bench" / "bench_runtime"
    out = {}
    synthetic = workdir / "synthetic.aotpack"
    run([tool, "make-synthetic", synthetic, "10000"])
    out.update(parse(run([tool, "open-select", synthetic, str(max(reps * 20, 20))]).stdout))
    sim_pvc = dict(SIM, ProductFamilyOverride="pvc")
    n = max(reps * 100, 20)
    # Default archive, every load decompressing (no cache: a binary's first load on a machine);
    # default archive with the decompressed copy cached (later loads, or after `aotpack warm`);
    # a --compression fast-load archive (natives uncompressed, loaded from the file itself).
    for name, path, cache in (("first", archive, None), ("cached", archive, str(workdir / "native-cache")),
                              ("fast", fast_archive, str(workdir / "native-cache"))):
        via, raw = load_ratio(tool, path, module, n, sim_pvc, workdir, cache)
        out[f"{name}_load_ms"], out[f"{name}_raw_load_ms"], out[f"{name}_load_overhead"] = via, raw, via / raw - 1
    out["aotpack_load_ms"], out["raw_load_ms"] = out["fast_load_ms"], out["fast_raw_load_ms"]
    sim_tgl = dict(SIM, ProductFamilyOverride="tgllp")
    out.update(parse(run([tool, "jit", archive, module, workdir / "jit", str(max(reps, 1))], env=sim_tgl, cwd=workdir).stdout))
    out["load_overhead"] = out["fast_load_overhead"]
    out["jit_vs_cache_hit"] = out["jit_ms"] / out["jit_cache_hit_ms"]
    for f in workdir.glob("*.aub"):
        f.unlink()
    return out


def parse(text):
    return {k: float(v) for k, v in (line.split("\t") for line in text.splitlines() if "\t" in line)}


GOALS = [  # (label, section, key, op, threshold)
    ("cold build <= 0.90x parallel ocloc", "build", "cold_vs_xargs", "<=", 0.90),
    ("cold build within 5% of physical limit", "build", "cold_vs_physical", "<=", 1.05),
    ("  same, limit measured with all cores busy", "build", "cold_vs_physical_loaded", "<=", 1.05),
    ("  same, limit from the build's own compiles", "build", "cold_vs_own_compile_time", "<=", 1.05),
    ("  same, durations remembered (cache cleaned)", "build", "cold_remembered_vs_physical", "<=", 1.05),
    ("  same, both on one core (no contention)", "build", "one_core_cold_vs_limit", "<=", 1.05),
    ("no-op rebuild <= 1% of cold", "build", "noop_vs_cold", "<=", 0.01),
    ("warm cache, new output <= 2% of cold", "build", "warm_vs_cold", "<=", 0.02),
    ("after the last compile <= 1% of the build", "build", "tail_vs_build", "<=", 0.01),
    ("peak RSS <= jobs x largest compile + 64 MiB", "build", "peak_vs_memory_bound", "<=", 1.0),
    ("archive <= 0.15x ocloc ARs", "size", "archive_vs_ocloc_ars", "<=", 0.15),
    ("open+select (10k entries) <= 1 ms", "runtime", "open_select_ms", "<=", 1.0),
    ("load overhead <= 5% (fast-load archive)", "runtime", "load_overhead", "<=", 0.05),
    ("JIT cache >= 20x faster than JIT", "runtime", "jit_vs_cache_hit", ">=", 20.0),
]


def report(results):
    b, s, r = results["build"], results["size"], results["runtime"]
    print(f"\naotpack benchmark, set '{results['set']}' ({len(results['modules'])} modules), devices "
          f"{results['devices']}, {b['cores']} cores, {results['ocloc']}, {results['date']}\n")
    print(f"{'build':<40}{'seconds':>10}{'ratio':>10}")
    rows = [("aotpack cold", "aotpack_cold_s"),
            ("aotpack cold, one ocloc process per job", "aotpack_cold_processes_s"),
            (f"xargs -P{b['cores']} ocloc (fat AR per module)", "xargs_ocloc_s"),
            ("sequential ocloc", "sequential_ocloc_s"),
            ("physical limit (in-process jobs / cores)", "physical_limit_s"),
            ("physical limit, all cores busy", "physical_limit_loaded_s"),
            ("best schedule of the in-process jobs", "best_schedule_s"),
            ("aotpack cold, durations remembered", "aotpack_cold_remembered_s"),
            ("aotpack warm cache, new output", "warm_s"),
            ("aotpack no-op rebuild", "noop_s"),
            ("aotpack one module changed", "one_module_changed_s")]
    for name, key in rows:
        secs = b[key]
        if secs is None:
            print(f"{name:<40}{'-':>10}{'-':>10}  (--quick)")
        else:
            print(f"{name:<40}{secs:>10.2f}{secs / b['aotpack_cold_s']:>9.3f}x")
    print("cold / xargs ocloc measured beside it, each repetition: " +
          ", ".join(f"{r:.3f}" for r in b["cold_vs_xargs_each_rep"]) + " (the goal uses the median)")
    print("cold / physical limit measured beside it, each repetition: " +
          ", ".join(f"{r:.3f}" for r in b["cold_vs_physical_each_rep"]) + " (the goal uses the median)")
    print("warm cache into a new output / cold, each repetition: " +
          ", ".join(f"{r:.4f}" for r in b["warm_vs_cold_each_rep"]))
    print("after the last compile ended, each repetition: " +
          ", ".join(f"{t:.3f} s = {share * 100:.2f}%" for t, share in b["tail_after_last_compile_each_rep"]))
    print("cold / physical limit with all cores busy, beside it, each repetition: " +
          ", ".join(f"{r:.3f}" for r in b["cold_vs_physical_loaded_each_rep"]))
    print("cold / (the build's own in-process compile time / cores), each repetition: " +
          ", ".join(f"{r:.3f}" for r in b["cold_vs_own_compile_time_each_rep"]))
    print("cold with remembered durations / physical limit, each repetition: " +
          ", ".join(f"{r:.3f}" for r in b["cold_remembered_vs_physical_each_rep"]))
    if not b["quick"]:
        print(f"one core (taskset), aotpack -j1 cold {b['one_core_cold_s']:.2f} s vs in-process jobs "
              f"{b['one_core_limit_s']:.2f} s, each repetition: " +
              ", ".join(f"{r:.3f}" for r in b["one_core_cold_vs_limit_each_rep"]))
        print(f"compilers side by side run {b['contention']:.3f}x slower than alone (median)")
    if not b["quick"]:
        print(f"indivisible jobs: the best possible schedule is {b['best_schedule_vs_physical']:.3f}x the physical limit")
    print("where the cold build's core-seconds went, each repetition (compiling / in a job, around "
          "the compile / a core idle between the first and last compile / before the first and after "
          "the last compile):")
    for c in b["core_seconds_each_rep"]:
        print("  " + " / ".join(f"{c[k] * 100 / c['total']:.1f}%" for k in
                                ("compiling", "job_overhead", "idle_between", "before_and_after")) +
              f" of {c['total']:.1f} core-seconds")
    print("the same core-seconds by who used the CPU (aotpack's own threads / its compilers' processes / "
          "nobody), and the compiles' time inside the workers over the compilers' CPU time:")
    for c in b["core_seconds_each_rep"]:
        print("  " + " / ".join(f"{c[k] * 100 / c['total']:.1f}%" for k in ("aotpack_cpu", "compilers_cpu", "nobody")) +
              f"; compiling {c['compiling']:.1f} s / compilers' CPU {c['compilers_cpu']:.1f} s = "
              f"{c['compiling'] / c['compilers_cpu']:.3f}; the machine idle {c['machine_idle'] * 100 / c['total']:.1f}%")
    print("xargs ocloc's core-seconds (its processes' CPU / the machine idle), each run:")
    for c in b["xargs_core_seconds_each_rep"]:
        print(f"  {c['cpu'] * 100 / c['total']:.1f}% / {c['machine_idle'] * 100 / c['total']:.1f}% of {c['total']:.1f} core-seconds")
    print(f"peak RSS of the whole build {b['peak_rss_build_kb'] / 1024:.0f} MiB = "
          f"{b['peak_vs_largest_compile']:.2f}x the largest single compile ({b['largest_single_compile_rss_kb'] / 1024:.0f} MiB); "
          f"the driver alone {b['peak_rss_driver_kb'] / 1024:.0f} MiB; bound {b['cores']} jobs x largest + 64 MiB = "
          f"{b['memory_bound_kb'] / 1024:.0f} MiB")
    print(f"\nsize: archive {s['archive_bytes']} B vs ocloc ARs {s['ocloc_ar_bytes']} B = {s['archive_vs_ocloc_ars']:.3f}x; "
          f"SPIR-V {s['spirv_share'] * 100:.0f}% of payloads; dedup saved {s['dedup_saved_bytes']} B")
    stored = s["per_target_stored"]
    total = sum(stored.values()) or 1
    print("  stored share per target: " + ", ".join(f"{k} {v * 100 / total:.0f}%" for k, v in sorted(stored.items())))
    print(f"  --compression fast-load: {s['fast_load_archive_bytes']} B = {s['fast_load_vs_ocloc_ars']:.3f}x ocloc ARs")
    print(f"\nruntime: open+select {r['open_select_ms']:.3f} ms; JIT {r['jit_ms']:.1f} ms vs "
          f"cache hit {r['jit_cache_hit_ms']:.2f} ms = {r['jit_vs_cache_hit']:.0f}x")
    for name, label in (("first", "default archive, first load (decompresses)"),
                        ("cached", "default archive, decompressed copy cached"),
                        ("fast", "fast-load archive (natives uncompressed)")):
        print(f"  load, {label:<44} {r[name + '_load_ms'] * 1000:6.0f} us vs raw zeModuleCreate "
              f"{r[name + '_raw_load_ms'] * 1000:6.0f} us: +{r[name + '_load_overhead'] * 100:.1f}%")
    print()
    for label, section, key, op, limit in GOALS:
        value = results[section][key]
        if value is None:
            print(f"  {'-     '} {label:<45} (not measured with --quick)")
            continue
        met = value <= limit if op == "<=" else value >= limit
        print(f"  {'met   ' if met else 'MISSED'} {label:<45} {value:.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="small", choices=["tiny", "small", "medium", "large", "piglit", "piglit-many"])
    ap.add_argument("--devices", default="ats-m150,pvc")
    ap.add_argument("--quick", action="store_true", help="leave out the slow informative rows")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--json", help="also write the results as JSON")
    ap.add_argument("--smoke", action="store_true", help="tiny set, one repetition (CI)")
    args = ap.parse_args()
    if args.smoke:
        args.set, args.reps = "tiny", 1
    aotpack = ROOT / "build" / "tools" / "aotpack" / "aotpack"
    if not aotpack.exists():
        sys.exit("bench: build first (scripts/setup.sh demo)")
    devices_json = json.loads(run([aotpack, "devices", args.devices, "--json"]).stdout)
    ips = [t["ip"] for t in devices_json["targets"]]
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        spvs = corpus(args.set, workdir, aotpack)
        build_rows, archive, fast_archive = bench_build(spvs, ",".join(ips), ips, aotpack, workdir, cores, args.reps,
                                                         args.quick)
        results = {"set": args.set, "modules": [s.stem for s in spvs], "devices": args.devices,
                   "ocloc": "ocloc " + devices_json["ocloc"].get("version", "?"),
                   "date": time.strftime("%Y-%m-%d"), **build_rows}
        results["runtime"] = bench_runtime(archive, fast_archive, spvs[0].stem, workdir, args.reps)
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
