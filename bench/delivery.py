#!/usr/bin/env python3
"""Bytes one user downloads for one GPU: the fat archive of 5 targets, the split piece for
that GPU, the slim archive plus that GPU's natives fetched by hash, and ocloc's fat ARs (one per
module), measured on the same build.

    bench/delivery.py [--sets small,piglit] [--smoke]

Targets: pvc,acm-g10,acm-g11,tgllp,dg1 (all built by the installed ocloc 22.43). Goal: one
GPU's download <= 0.30x the fat archive. A runtime fetches `cas/<sha256>.zst`, the
zstd copy `aotpack publish` writes beside each raw native (published here to a directory);
`slim --remote-spirv` leaves the SPIR-V on the server too.
--smoke: the examples' kernels only (CI: checks the benchmark code, not sizes).
"""
import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: corpora, ocloc baseline, helpers)

DEVICES = "pvc,acm-g10,acm-g11,tgllp,dg1"
IPS = {"pvc": "12.60.7", "acm-g10": "12.55.8", "acm-g11": "12.56.5", "tgllp": "12.0.0",
       "dg1": "12.10.0"}


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
    slim = work / f"{kind}.slim.aotpack"
    bench.run([aotpack, "slim", archive, "--natives-url", "https://natives.invalid/x", "-o", slim])
    bare = work / f"{kind}.bare.aotpack"  # slim --remote-spirv: the SPIR-V on the server too
    bench.run([aotpack, "slim", archive, "--natives-url", "https://natives.invalid/x",
               "--remote-spirv", "-o", bare])
    extracted = work / f"{kind}-extracted"
    bench.run([aotpack, "extract", archive, "-o", extracted])
    server = work / f"{kind}-server"
    bench.run([aotpack, "publish", archive, "--to", f"file://{server}"])
    fat = archive.stat().st_size
    rows = {"modules": len(spvs), "fat": fat,
            "ocloc_ars": sum(p.stat().st_size for p in ars.glob("*.ar")),
            "spirv_piece": (pieces / f"{kind}.spirv.aotpack").stat().st_size}
    for target in DEVICES.split(","):
        rows[target] = (pieces / f"{kind}.{target}.aotpack").stat().st_size
        rows["lean-" + target] = (lean / f"{kind}.{target}.aotpack").stat().st_size
        digests = [hashlib.sha256(p.read_bytes()).hexdigest()
                   for p in extracted.glob(f"*.{IPS[target]}.bin")]
        rows["fetch-" + target] = sum((server / "cas" / d).stat().st_size for d in digests)
        rows["fetchzst-" + target] = sum((server / "cas" / f"{d}.zst").stat().st_size
                                         for d in digests)
    rows["slim"] = slim.stat().st_size
    rows["bare"] = bare.stat().st_size
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
            raw = max(r["fetch-" + t] for t in DEVICES.split(","))
            zst = max(r["fetchzst-" + t] for t in DEVICES.split(","))
            print(f"  slim archive {r['slim']} B + one GPU's natives fetched (.zst): "
                  f"{(r['slim'] + zst) / r['fat']:.3f}x fat (largest GPU; goal <= 0.30x); "
                  f"from a server without .zst copies {(r['slim'] + raw) / r['fat']:.3f}x")
            print(f"  slim --remote-spirv {r['bare']} B + one GPU's natives fetched (.zst): "
                  f"{(r['bare'] + zst) / r['fat']:.3f}x fat (largest GPU; goal <= 0.30x; a GPU "
                  f"without natives also fetches the SPIR-V it JIT-compiles)")


if __name__ == "__main__":
    main()
