#!/usr/bin/env python3
"""First load of an archive's modules on simulated pvc: local natives, natives fetched by
hash from a server on loopback, the JIT cache, the JIT, and what an unreachable or silent server
adds before the JIT - all measured in the same run.

    bench/fetch_load.py [--set small] [--smoke]

Each row is the sum of `aotpack load --json`'s per-module milliseconds (the C API's
aotpack_module_create on the real NEO driver with a simulated pvc), with a fresh cache where the
row is a first load. The server is Python's http.server on 127.0.0.1 serving what `aotpack
publish` wrote. Goals: first load with a fetch <= 0.05x the JIT on hashcat `small`;
an unreachable server adds <= 1 s before the JIT (one time limit per process, whatever the number
of modules), measured against loads from the JIT cache so that the JIT's own spread does not hide
it. A silent server (accepts, never answers) costs the time limit once (2 s default).
--smoke: the examples' kernels (CI: checks the benchmark code, not times).
"""
import argparse
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

SIM_PVC = {"NEOReadDebugKeys": "1", "SetCommandStreamReceiver": "1", "ProductFamilyOverride": "pvc"}


def load_ms(aotpack, archive, cache, **env):
    out = subprocess.run([aotpack, "load", archive, "--json"], capture_output=True, text=True,
                         env=dict(os.environ, **SIM_PVC, AOTPACK_CACHE_DIR=str(cache), **env))
    if out.returncode != 0:
        sys.exit(f"bench: load of {archive} failed:\n{out.stderr}")
    rows = json.loads(out.stdout)
    return sum(r["milliseconds"] for r in rows), {r["source"] for r in rows}, len(rows)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="small")
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    kind = "tiny" if a.smoke else a.set
    aotpack = bench.ROOT / "build" / "tools" / "aotpack" / "aotpack"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = bench.corpus(kind, work, aotpack)
        fat = work / "fat.aotpack"
        bench.run([aotpack, "build", "-q", "-k", "-d", "pvc", *map(str, spvs), "-o", fat])
        bench.run([aotpack, "publish", fat, "--to", f"file://{work / 'srv'}"])
        server = serve(work / "srv")
        url = f"http://127.0.0.1:{server.server_address[1]}"
        slim = work / "slim.aotpack"
        bench.run([aotpack, "slim", fat, "--natives-url", url, "-o", slim])
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections are accepted by the kernel, never answered
        rows = {
            "local native": load_ms(aotpack, fat, work / "c1"),
            "fetched native (loopback)": load_ms(aotpack, slim, work / "c2"),
            "fetched earlier (cache)": load_ms(aotpack, slim, work / "c2"),
            "JIT": load_ms(aotpack, fat, work / "c3", AOTPACK_POLICY="jit-only"),
            "JIT cache": load_ms(aotpack, fat, work / "c3", AOTPACK_POLICY="jit-only"),
            # Against the JIT cache (filled by the JIT row), so that the JIT's own spread (seconds)
            # does not hide what the failed fetch adds.
            "unreachable server, then JIT cache": load_ms(
                aotpack, slim, work / "c3",
                AOTPACK_NATIVES_URL=f"http://127.0.0.1:{closed.getsockname()[1]}"),
            "silent server, then JIT cache": load_ms(
                aotpack, slim, work / "c3",
                AOTPACK_NATIVES_URL=f"http://127.0.0.1:{silent.getsockname()[1]}"),
        }
        server.shutdown()
    modules = rows["JIT"][2]
    print(f"first load of {modules} modules ({kind}) on simulated pvc, ms (sum over modules):")
    for name, (ms, sources, _) in rows.items():
        print(f"  {name:30s} {ms:10.1f}  {ms / rows['JIT'][0]:.3f}x JIT  ({','.join(sorted(sources))})")
    fetched = rows["fetched native (loopback)"][0] / rows["JIT"][0]
    added = (rows["unreachable server, then JIT cache"][0] - rows["JIT cache"][0]) / 1000
    silent_added = (rows["silent server, then JIT cache"][0] - rows["JIT cache"][0]) / 1000
    print(f"  fetch vs JIT: {fetched:.3f}x (goal <= 0.05x): {'met' if fetched <= 0.05 else 'MISSED'}")
    print(f"  unreachable server adds {added:.2f} s (goal <= 1 s): {'met' if added <= 1 else 'MISSED'}")
    print(f"  silent server adds {silent_added:.2f} s (the 2 s time limit, once)")


if __name__ == "__main__":
    main()
