#!/usr/bin/env python3
"""Store toolchains (aotpack toolchain, src/toolchain): what building through them costs, as ratios
against baselines measured in the same run.

    bench/toolchain.py [--set tiny|small|large|piglit] [--reps N] [--calls N] [--adds] [--smoke]

Needs a toolchain in aotpack's store (`aotpack toolchain add debian:sid`; $AOTPACK_TOOLCHAINS or
the default store); the newest one is measured. Rows:
  cold      `aotpack build --no-cache` vs `xargs -P<cores>` of the same toolchain's ocloc run the
            same way (its bin/ocloc: its own ld-linux and libraries), one fat build per module, for
            bmg-g21,ptl-h and for @torch-xpu-linux's 8 targets; per repetition side by side, the
            median of the ratios (goal <= 1.00x)
  call      one `ocloc query OCL_DRIVER_VERSION` through the store's bin/ocloc vs the same ocloc
            run by its loader directly (the launcher script's cost), and the host's ocloc started
            by its loader explicitly vs as itself (the explicit loader's cost); ms per call,
            median of --calls calls (goal: launcher + loader <= 5 ms)
  add       (--adds; fetches from Debian's archive) `toolchain add debian:sid` time and size into
            an empty store, full and --spirv-only
--smoke: the tiny set, one repetition, 5 calls, no adds (checks the code runs, not speed); without
a store toolchain it says so and exits 0.
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
_STORE = os.environ.get("AOTPACK_TOOLCHAINS")  # run.py empties it for its own baselines
import run as bench  # noqa: E402  (corpus, run, timed, AOTPACK)
if _STORE is None:
    os.environ.pop("AOTPACK_TOOLCHAINS", None)
else:
    os.environ["AOTPACK_TOOLCHAINS"] = _STORE

TORCH = "acm-g10,pvc,mtl-h,arl-h,bmg-g21,lnl-m,ptl-h,ptl-u"  # @torch-xpu-linux


def newest_toolchain(aotpack):
    doc = json.loads(bench.run([aotpack, "toolchain", "list", "--json"]).stdout)
    os.environ["AOTPACK_TOOLCHAINS"] = doc["store"]  # kept when the cache root moves below
    store = [t for t in doc["toolchains"] if t["id"] != "host" and not t["legacy"]]
    return store[0] if store else None


def xargs_ocloc(ocloc, spvs, devices, work, cores):
    ars = work / "ars"
    subprocess.run(["rm", "-rf", str(ars)])
    ars.mkdir()
    listing = work / "spvs.txt"
    listing.write_text("\n".join(str(s) for s in spvs) + "\n")
    script = (f'"{ocloc}" compile -spirv_input -file "$1" -device {devices} --format zebin '
              f'-output "{ars}/$(basename "$1" .spv)" >/dev/null || true')  # as build -k
    return bench.timed(["bash", "-c", f"xargs -P{cores} -I{{}} bash -c '{script}' _ {{}} < {listing}"],
                       cwd=work)[0]


def cold_rows(aotpack, toolchain, spvs, work, cores, reps):
    rows = {}
    for name, devices in [("bmg-g21,ptl-h", "bmg-g21,ptl-h"), ("@torch-xpu-linux", TORCH)]:
        ratios, ours, theirs = [], [], []
        for _ in range(reps):
            base = xargs_ocloc(toolchain["ocloc"], spvs, devices, work, cores)
            # -k: a module this compiler rejects for a target fails there, as in xargs above.
            start = time.monotonic()
            r = subprocess.run([aotpack, "build", "-q", "-k", "--no-cache", "-d", devices,
                                "--toolchain", toolchain["id"], "-o", work / "cold.aotpack"]
                               + [str(s) for s in spvs], cwd=work, capture_output=True, text=True)
            seconds = time.monotonic() - start
            if r.returncode not in (0, 1):  # 1: some job failed (-k); anything else is the bench's
                sys.exit(f"toolchain bench: aotpack build failed ({r.returncode}):\n{r.stderr}")
            ours.append(seconds)
            theirs.append(base)
            ratios.append(seconds / base)
        rows[name] = {"aotpack_s": statistics.median(ours), "xargs_ocloc_s": statistics.median(theirs),
                      "ratio": statistics.median(ratios)}
    return rows


def per_call_ms(cmd, calls, work):
    times = []
    for _ in range(calls):
        start = time.monotonic()
        subprocess.run(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times)


def call_rows(toolchain, calls, work):
    manifest = json.loads((Path(toolchain["ocloc"]).parent.parent / "toolchain.json").read_text())
    root = Path(toolchain["ocloc"]).parent.parent
    libs = ":".join(str(root / d) for d in manifest["library_dirs"])
    direct = [str(root / manifest["loader"]), "--library-path", libs, str(root / manifest["ocloc"])]
    query = ["query", "OCL_DRIVER_VERSION"]
    store_script = per_call_ms([toolchain["ocloc"]] + query, calls, work)
    store_loader = per_call_ms(direct + query, calls, work)
    host = subprocess.run(["bash", "-c", "command -v ocloc"], capture_output=True, text=True).stdout.strip()
    rows = {"store_script_ms": store_script, "store_loader_ms": store_loader,
            "launcher_overhead_ms": store_script - store_loader}
    if host:
        host = os.path.realpath(host)
        as_itself = per_call_ms([host] + query, calls, work)
        by_loader = per_call_ms(["/lib64/ld-linux-x86-64.so.2", host] + query, calls, work)
        rows.update({"host_ms": as_itself, "host_by_loader_ms": by_loader,
                     "loader_overhead_ms": by_loader - as_itself,
                     "total_overhead_ms": store_script - store_loader + by_loader - as_itself})
    return rows


def add_rows(aotpack, work):
    rows = {}
    for name, extra in [("full", []), ("spirv-only", ["--spirv-only"])]:
        store = work / f"store-{name}"
        env = {"AOTPACK_TOOLCHAINS": str(store)}
        seconds = bench.timed([aotpack, "toolchain", "add", "debian:sid"] + extra, env=env)[0]
        doc = json.loads(bench.run([aotpack, "toolchain", "list", "--json"], env=env).stdout)
        t = [t for t in doc["toolchains"] if t["id"] != "host"][0]
        debs = sum(f.stat().st_size for f in (store / "debs").glob("*.deb"))
        rows[name] = {"seconds": seconds, "unpacked_bytes": t["size"], "download_bytes": debs}
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--adds", action="store_true", help="also measure toolchain add (downloads)")
    ap.add_argument("--json")
    a = bench.parse_bench_args(ap)
    if a.smoke:
        a.calls, a.adds = 5, False
    aotpack = str(bench.AOTPACK)
    toolchain = newest_toolchain(aotpack)
    if not toolchain:
        print("toolchain bench: no toolchain in the store (aotpack toolchain add debian:sid): nothing measured")
        return
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["AOTPACK_CACHE_DIR"] = str(work / "cache")
        spvs = bench.corpus(a.set, work, aotpack)
        results = {"toolchain": toolchain["id"], "set": a.set, "modules": len(spvs), "cores": cores,
                   "cold": cold_rows(aotpack, toolchain, spvs, work, cores, a.reps),
                   "call": call_rows(toolchain, a.calls, work)}
        if a.adds:
            results["add"] = add_rows(aotpack, work)
    print(f"toolchain {results['toolchain']}, set {a.set} ({len(spvs)} modules), {cores} cores")
    for name, row in results["cold"].items():
        print(f"cold {name:18} aotpack {row['aotpack_s']:.2f} s / xargs ocloc {row['xargs_ocloc_s']:.2f} s"
              f" = {row['ratio']:.3f}x (goal <= 1.00x)")
    c = results["call"]
    print(f"call: store bin/ocloc {c['store_script_ms']:.2f} ms, its loader directly {c['store_loader_ms']:.2f} ms"
          f" (launcher +{c['launcher_overhead_ms']:.2f} ms)")
    if "host_ms" in c:
        print(f"call: host ocloc {c['host_ms']:.2f} ms, by its loader {c['host_by_loader_ms']:.2f} ms"
              f" (loader +{c['loader_overhead_ms']:.2f} ms); launcher + loader {c['total_overhead_ms']:.2f} ms"
              " (goal <= 5 ms)")
    for name, row in results.get("add", {}).items():
        print(f"add {name:10} {row['seconds']:.1f} s, download {row['download_bytes'] / 2**20:.1f} MiB,"
              f" unpacked {row['unpacked_bytes'] / 2**20:.1f} MiB")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
