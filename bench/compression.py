#!/usr/bin/env python3
"""How each way of storing payloads compares, on the payloads of a bench set: the numbers behind
the archive's compression choices (docs/ARCHITECTURE.md, "SPIR-V as byte planes").

    bench/compression.py [--set small|piglit|tiny] [--devices LIST]

Builds the set (aotpack build, its own cache), extracts every payload, then compresses them with
the zstd CLI (the same library aotpack links):
  SPIR-V   plain zstd vs zstd of the words' byte planes (what format 1.1 stores when smaller),
           at levels 9 and 19
  zebins   plain zstd 19 per binary (what aotpack stores) vs per-target trained dictionaries
           (zstd --train on that target's binaries, then each binary with -D): the dictionary is
           counted once per target, as an archive would store it; with the CPU time of training
           and of compressing with the dictionary, against the set's cold build: a dictionary
           needs every binary of its target, so all of that work would come after the last
           compile, where the build's goal allows 1% of its time
Sizes are totals over the set; times are CPU seconds of the zstd processes (one at a time).
"""
import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def zstd_size(path, level, extra=()):
    """Bytes of `path` compressed at `level`, and the CPU seconds it took."""
    before = cpu_seconds()
    out = subprocess.run(["zstd", "-q", "-c", f"-{level}"] + list(extra) + [str(path)],
                         capture_output=True, check=True).stdout
    return len(out), cpu_seconds() - before


def byte_planes(src, dst):
    data = src.read_bytes()
    n = len(data) // 4 * 4
    dst.write_bytes(b"".join(data[i:n:4] for i in range(4)) + data[n:])


def spirv_rows(spvs, work):
    rows = {}
    for level in (9, 19):
        plain = planes = best = plain_t = planes_t = 0
        for s in spvs:
            p = work / (s.name + ".planes")
            byte_planes(s, p)
            a, ta = zstd_size(s, level)
            b, tb = zstd_size(p, level)
            plain, planes, best = plain + a, planes + b, best + min(a, b)
            plain_t, planes_t = plain_t + ta, planes_t + tb
        rows[level] = (plain, plain_t, planes, planes_t, best)
    return rows


def zebin_level_rows(zebins_by_target):
    """Total stored bytes and CPU seconds of every zebin at each level."""
    files = [f for fs in zebins_by_target.values() for f in fs]
    rows = {}
    for level in (3, 9, 12, 15, 19):
        size = cpu = 0
        for f in files:
            n, t = zstd_size(f, level)
            size, cpu = size + n, cpu + t
        rows[level] = (size, cpu)
    return rows


def dictionary_rows(zebins_by_target, work):
    rows = {}
    for target, files in sorted(zebins_by_target.items()):
        plain = sum(zstd_size(f, 19)[0] for f in files)
        raw = sum(f.stat().st_size for f in files)
        entry = {"files": len(files), "raw": raw, "plain": plain}
        for size in (16384, 65536):
            d = work / f"{target}-{size}.dict"
            before = cpu_seconds()
            r = subprocess.run(["zstd", "-q", "--train", f"--maxdict={size}", "-o", str(d)] +
                               [str(f) for f in files], capture_output=True)
            if r.returncode != 0:  # too few samples to train on
                entry[size] = None
                continue
            train = cpu_seconds() - before
            compressed = [zstd_size(f, 19, ["-D", str(d)]) for f in files]
            entry[size] = sum(n for n, _ in compressed) + d.stat().st_size
            entry[f"cpu {size}"] = train + sum(t for _, t in compressed)
        rows[target] = entry
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="small", choices=["tiny", "small", "piglit"])
    ap.add_argument("--devices", default="ats-m150,pvc")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = bench.corpus(a.set, work, bench.AOTPACK)
        archive = work / "set.aotpack"
        start = time.monotonic()
        bench.run([bench.AOTPACK, "build", "-q", "-d", a.devices, "-o", archive,
                   "--cache-dir", work / "cache"] + [str(s) for s in spvs])
        cold = time.monotonic() - start
        payloads = work / "payloads"
        bench.run([bench.AOTPACK, "extract", archive, "-o", payloads])
        zebins = {}
        for f in sorted(payloads.glob("*.bin")):  # <module>.<ip>.bin
            zebins.setdefault(".".join(f.stem.split(".")[-3:]), []).append(f)
        spirv = spirv_rows(sorted(payloads.glob("*.spv")), work)
        levels = zebin_level_rows(zebins)
        dicts = dictionary_rows(zebins, work)
    raw = sum(s.stat().st_size for s in spvs)
    print(f"compression, set '{a.set}' ({len(spvs)} modules, {raw} B of SPIR-V), devices {a.devices}\n")
    print("SPIR-V        plain B   CPU s   planes B   CPU s   smaller of the two B")
    for level, (plain, pt, planes, qt, best) in spirv.items():
        print(f"  level {level:<3} {plain:>10} {pt:>7.2f} {planes:>10} {qt:>7.2f} {best:>12} "
              f"(planes {planes / plain:.3f}x plain)")
    print("\nzebins, every binary of the set: level, stored B, CPU s (of the zstd processes)")
    for level, (size, cpu) in levels.items():
        print(f"  level {level:<3} {size:>10} {cpu:>7.2f}  ({size / levels[19][0]:.3f}x level 19)")
    print("\nzebins (zstd 19)   files   raw B   plain B   16 KiB dict + data   64 KiB dict + data")
    for target, e in dicts.items():
        cells = [f"{e[s]:>10} ({e[s] / e['plain']:.3f}x)" if e[s] else f"{'-':>18}" for s in (16384, 65536)]
        print(f"  {target:<16} {e['files']:>5} {e['raw']:>9} {e['plain']:>9}   " + "   ".join(cells))
    late = sum(e.get("cpu 16384", 0) for e in dicts.values())
    print(f"\ntraining + compressing with the 16 KiB dictionaries: {late:.2f} CPU s, all after the "
          f"last compile = {100 * late / cold:.1f}% of this set's cold build ({cold:.2f} s); "
          f"(half that if both cores trained at once); the build allows 1% there")


if __name__ == "__main__":
    main()
