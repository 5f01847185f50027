#!/usr/bin/env python3
"""What trust costs: signed archives under a trust policy, each against the same work
without one, measured in the same run.

    bench/trust.py [--modules 20000] [--reps 200] [--smoke]

1. Opening (open + select, the C API) a signed archive of 20,000 modules (SPIR-V + 3 targets
   each: 80,000 entries) with AOTPACK_TRUSTED_KEYS set versus without: the difference is the
   signature's verification on open. Goal: <= 1 ms.
2. The check of a native before the driver gets it: SHA-256 of the payload as stored (56 KB of
   zstd for hashcat's 504 KB m00000_a0-pure zebin for pvc), on a fresh verification each time,
   against a first native load (aotpack_module_create on simulated pvc: decompress + create).
   Goal: <= 5%. Beside it the SHA-256 of the raw zebin (what signature blocks of version 1 pinned),
   and loads with the policy versus without: repeated loads in one process (decompressing each
   time), from the decompressed-native cache (later loads) and from a --compression fast-load
   archive.
3. `aotpack build --sign` versus `aotpack build` (warm cache, examples/kernels for pvc,tgllp):
   goal within noise (the spread of the unsigned runs).
--smoke: 2,000 modules, the examples' vector_ops instead of the hashcat kernel, few repetitions
(CI: checks the benchmark code, not speed).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AOTPACK = ROOT / "build" / "tools" / "aotpack" / "aotpack"
TOOL = ROOT / "build" / "bench" / "bench_runtime"
HASHCAT = Path("/usr/share/hashcat/OpenCL")
SIM_PVC = {"NEOReadDebugKeys": "1", "SetCommandStreamReceiver": "1", "ProductFamilyOverride": "pvc"}


def run(cmd, env=None, cwd=None):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return r.stdout


def parse(text):
    return {k: float(v) for k, v in (line.split("\t") for line in text.splitlines() if "\t" in line)}


def open_cost(work, modules, reps, trusted):
    synthetic = work / "synthetic.aotpack"
    run([TOOL, "make-synthetic", synthetic, str(modules * 4)])
    start = time.monotonic()
    run([AOTPACK, "sign", synthetic, "--key", work / "bench.key"])
    sign_s = time.monotonic() - start
    plain, policy = [], []
    for _ in range(3):  # interleaved, so drift hits both alike
        plain.append(parse(run([TOOL, "open-select", synthetic, reps]))["open_select_ms"])
        policy.append(parse(run([TOOL, "open-select", synthetic, reps],
                                env={"AOTPACK_TRUSTED_KEYS": trusted}))["open_select_ms"])
    return {"entries": modules * 4, "sign_s": sign_s, "open_ms": statistics.median(plain),
            "open_trusted_ms": statistics.median(policy)}


def zebin_archive(work, smoke):
    """An archive with one large real zebin for pvc: hashcat's m00000_a0-pure (or, --smoke, the
    examples' vector_ops), default compression and fast-load, both signed."""
    if smoke:
        source, options = ROOT / "examples" / "kernels" / "vector_ops.cl", []
    else:
        source = HASHCAT / "m00000_a0-pure.cl"
        text = (ROOT / "bench" / "hashcat-options.txt").read_text().split("\n#", 1)[0].strip()
        options = ["--cl-options=" + text.replace("@HASHCAT@", str(HASHCAT))]
    out = {}
    for name, extra in (("default", []), ("fast", ["--compression", "fast-load"])):
        path = work / f"{name}.aotpack"
        run([AOTPACK, "build", "-q", "-d", "pvc", source, "-o", path, "--sign", work / "bench.key"]
            + extra + options, env={"AOTPACK_CACHE_DIR": str(work / "cache")})
        out[name] = path
    return out, source.stem


def load_cost(work, archives, module, reps, trusted):
    """Per way of loading: (without, with the policy) median ms. "first": no native cache, every
    load decompresses and checks (a binary's first load on a machine); "cached": the decompressed
    copy in the cache (later loads: verified when it was stored); "fast": a fast-load archive,
    natives used from the mapped file (verified once per process)."""
    rows = {}
    ways = (("first", archives["default"], None),
            ("cached", archives["default"], str(work / "native-cache")),
            ("fast", archives["fast"], str(work / "native-cache")))
    for name, path, cache in ways:
        plain, policy, raw = [], [], []
        extra = [cache] if cache else []
        for _ in range(5):  # interleaved runs: drift hits both alike
            a = parse(run([TOOL, "load", path, module, reps] + extra, env=SIM_PVC, cwd=work))
            b = parse(run([TOOL, "load", path, module, reps] + extra,
                          env=dict(SIM_PVC, AOTPACK_TRUSTED_KEYS=trusted), cwd=work))
            plain.append(a["aotpack_load_ms"])
            policy.append(b["aotpack_load_ms"])
            raw += [a["raw_load_ms"], b["raw_load_ms"]]
        rows[name] = (statistics.median(plain), statistics.median(policy), statistics.median(raw))
    for f in work.glob("*.aub"):
        f.unlink()
    return rows


def check_cost(work, archives, module, reps, trusted):
    pub = str(Path(trusted) / "bench.key.pub")
    rows = [parse(run([TOOL, "check", archives["default"], module, "0x030f0007", reps, pub]))
            for _ in range(5)]
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def build_cost(work, runs):
    kernels = sorted((ROOT / "examples" / "kernels").glob("*.cl"))
    env = {"AOTPACK_CACHE_DIR": str(work / "build-cache")}
    run([AOTPACK, "build", "-q", "-d", "pvc,tgllp", *kernels, "-o", work / "warm.aotpack"], env=env)
    times = {"plain": [], "signed": []}
    for i in range(runs):
        for name, extra in (("plain", []), ("signed", ["--sign", work / "bench.key"])):
            start = time.monotonic()
            run([AOTPACK, "build", "-q", "-d", "pvc,tgllp", *kernels, "-o", work / f"{name}{i}.aotpack"]
                + extra, env=env)
            times[name].append(time.monotonic() - start)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    modules, reps, runs = (2000, 5, 2) if args.smoke else (args.modules, args.reps, 7)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run([AOTPACK, "keygen", "-o", work / "bench.key"])
        (work / "trusted").mkdir()
        (work / "bench.key.pub").rename(work / "trusted" / "bench.key.pub")
        trusted = str(work / "trusted")
        o = open_cost(work, modules, reps, trusted)
        archives, module = zebin_archive(work, args.smoke)
        loads = load_cost(work, archives, module, reps, trusted)
        check = check_cost(work, archives, module, reps, trusted)
        builds = build_cost(work, runs)
    print(f"Open + select of a signed archive of {modules} modules ({o['entries']} entries), "
          f"median of 3x{reps}:")
    print(f"  without a policy {o['open_ms']:.3f} ms, with AOTPACK_TRUSTED_KEYS "
          f"{o['open_trusted_ms']:.3f} ms: verification on open "
          f"{o['open_trusted_ms'] - o['open_ms']:.3f} ms (goal <= 1 ms); signing it took "
          f"{o['sign_s']:.2f} s")
    first = loads["first"][0]
    print(f"Check of {module}'s pvc native before a first load, median of 5x{reps}: "
          f"{check['check_ms']:.4f} ms (SHA-256 of {int(check['stored_bytes'])} stored bytes), "
          f"{100 * check['check_ms'] / first:.1f}% of a first native load ({first:.3f} ms; "
          f"goal <= 5%); the raw zebin's SHA-256 ({int(check['raw_bytes'])} bytes, signature "
          f"blocks of version 1) {check['raw_sha256_ms']:.4f} ms, "
          f"{100 * check['raw_sha256_ms'] / first:.1f}%")
    print(f"Native load of {module} on simulated pvc, median of 5x{reps}:")
    for name, (plain, policy, raw) in loads.items():
        print(f"  {name:8s} without {plain:.3f} ms, with the policy {policy:.3f} ms: "
              f"{100 * (policy / plain - 1):+.1f}% (goal <= 5%); the driver alone "
              f"(zeModuleCreate of the zebin) {raw:.3f} ms")
    p, s = builds["plain"], builds["signed"]
    spread = (max(p) - min(p)) / statistics.median(p)
    print(f"Build of examples/kernels for pvc,tgllp (warm cache), median of {runs}: "
          f"{statistics.median(p):.3f} s, with --sign {statistics.median(s):.3f} s "
          f"({100 * (statistics.median(s) / statistics.median(p) - 1):+.1f}%; spread of the "
          f"unsigned runs {100 * spread:.1f}%)")


if __name__ == "__main__":
    main()
