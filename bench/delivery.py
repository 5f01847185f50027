#!/usr/bin/env python3
"""Bytes one user downloads for one GPU (#30): the fat archive of 5 targets, the split piece for
that GPU, and ocloc's fat ARs (one per module), measured on the same build.

    bench/delivery.py [--sets small,piglit] [--smoke]

Targets: pvc,acm-g10,acm-g11,tgllp,dg1 (all built by the installed ocloc 22.43). Goal (issue
#30): one GPU's download <= 0.30x the fat archive. The slim archive (+ one fetched native) is
not measured: `aotpack slim` and fetching natives by hash are not built yet.
--smoke: the examples' kernels only (CI: checks the benchmark code, not sizes).
"""
import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: corpora, ocloc baseline, helpers)

DEVICES = "pvc,acm-g10,acm-g11,tgllp,dg1"


def measure(kind, work, aotpack):
    spvs = bench.corpus(kind, work, aotpack)
    archive = work / f"{kind}.aotpack"
    bench.run([aotpack, "build", "-q", "-k", "-d", DEVICES, *map(str, spvs), "-o", archive])
    pieces = work / f"{kind}-pieces"
    bench.run([aotpack, "split", archive, "-o", pieces])
    lean = work / f"{kind}-lean"
    bench.run([aotpack, "split", archive, "-o", lean, "--natives-only"])
    ars = work / f"{kind}-ars"
    ars.mkdir()
    for spv in spvs:
        bench.run(bench.ocloc_fat(spv, DEVICES, ars), check=False)  # a module ocloc rejects is left out
    fat = archive.stat().st_size
    rows = {"modules": len(spvs), "fat": fat,
            "ocloc_ars": sum(p.stat().st_size for p in ars.glob("*.ar")),
            "spirv_piece": (pieces / f"{kind}.spirv.aotpack").stat().st_size}
    for target in DEVICES.split(","):
        rows[target] = (pieces / f"{kind}.{target}.aotpack").stat().st_size
        rows["lean-" + target] = (lean / f"{kind}.{target}.aotpack").stat().st_size
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="small,piglit")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    aotpack = bench.ROOT / "build" / "tools" / "aotpack" / "aotpack"
    sets = ["tiny"] if args.smoke else args.sets.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in sets:
            work = Path(tmp) / kind
            work.mkdir()
            r = measure(kind, work, aotpack)
            print(f"{kind}: {r['modules']} modules x {DEVICES}")
            print(f"  fat archive {r['fat']} B; ocloc fat ARs {r['ocloc_ars']} B "
                  f"({r['ocloc_ars'] / r['fat']:.2f}x the archive)")
            worst = max(r[t] for t in DEVICES.split(","))
            for target in DEVICES.split(","):
                print(f"  {target:8s} piece {r[target]:>10} B = {r[target] / r['fat']:.3f}x fat")
            print(f"  spirv    piece {r['spirv_piece']:>10} B = {r['spirv_piece'] / r['fat']:.3f}x fat")
            print(f"  one GPU's download, largest piece: {worst / r['fat']:.3f}x fat (goal <= 0.30x)")
            lean = max(r["lean-" + t] for t in DEVICES.split(","))
            print(f"  --natives-only: largest piece {lean} B = {lean / r['fat']:.3f}x fat (no JIT from it)")


if __name__ == "__main__":
    main()
