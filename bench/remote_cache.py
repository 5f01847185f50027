#!/usr/bin/env python3
"""The remote build cache on loopback: what a CI job with an empty local cache gains from a warm
shared cache, and what uploading costs a cold build. Measured side by side in one run.

    bench/remote_cache.py [--set tiny|small|large] [--devices LIST] [--reps N] [--smoke]

Each repetition, with nginx (WebDAV PUT) started by this script on 127.0.0.1:
    cold          aotpack build, empty local cache, no remote cache
    cold+upload   the same with --remote-cache pointing at an empty server (uploads everything)
    warm remote   empty local cache, the server warmed by cold+upload (every job a remote hit)
cold and cold+upload alternate their order between repetitions, so drift in the machine's speed
does not favour either. Goals on the medians of the per-repetition ratios: warm remote <= 0.05x
cold, cold+upload <= 1.03x cold. Every archive is compared byte for byte with the cold one.
--smoke: the tiny set, one repetition, for CI (checks that the benchmark code runs, not speed).
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (corpus, run)

NGINX_CONF = """{user}
worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp; fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;
    client_max_body_size 1g;
    server {{
        listen 127.0.0.1:{port};
        root {d}/data;
        location / {{ dav_methods PUT; create_full_put_path on; }}
    }}
}}
"""


class Nginx:
    def __init__(self, workdir):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.dir = workdir / "nginx"
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        (self.dir / "data").mkdir(exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, d=self.dir, port=self.port))
        self.cmd = ["nginx", "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")]
        bench.run(self.cmd)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        self.url = f"http://127.0.0.1:{self.port}/cache"

    def clear(self):
        shutil.rmtree(self.dir / "data" / "cache", ignore_errors=True)

    def stop(self):
        subprocess.run(self.cmd + ["-s", "stop"], capture_output=True)


def build(aotpack, spvs, devices, out, cache, extra):
    shutil.rmtree(cache, ignore_errors=True)
    start = time.monotonic()
    bench.run([aotpack, "build", "-q", "-d", devices, "-o", out, "--json-report", f"{out}.json"]
              + extra + [str(s) for s in spvs], env={"AOTPACK_CACHE_DIR": str(cache)})
    seconds = time.monotonic() - start
    return seconds, json.loads(Path(f"{out}.json").read_text())


def one_rep(aotpack, spvs, devices, server, work, upload_first):
    server.clear()
    remote = ["--remote-cache", server.url]
    times = {}
    order = ["upload", "cold"] if upload_first else ["cold", "upload"]
    for kind in order:
        times[kind], report = build(aotpack, spvs, devices, work / f"{kind}.aotpack",
                                    work / "cache", remote if kind == "upload" else [])
        if kind == "upload" and report["remote_cache"]["uploads_abandoned"]:
            sys.exit("bench: uploads were abandoned")
    times["warm"], report = build(aotpack, spvs, devices, work / "warm.aotpack", work / "cache", remote)
    if report["remote_cache"]["misses"]:
        sys.exit("bench: the warm remote cache missed")
    for kind in ("upload", "warm"):
        if (work / f"{kind}.aotpack").read_bytes() != (work / "cold.aotpack").read_bytes():
            sys.exit(f"bench: the {kind} archive differs from the cold one")
    return times


def main():
    a = bench.parse_bench_args(argparse.ArgumentParser(), devices="acm-g10,pvc,tgllp,dg1")
    if not shutil.which("nginx"):
        sys.exit("bench: nginx is not installed (scripts/setup.sh installs it)")
    aotpack = bench.AOTPACK
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spvs = bench.corpus(a.set, work, aotpack)
        server = Nginx(work)
        try:
            reps = [one_rep(aotpack, spvs, a.devices, server, work, i % 2 == 1) for i in range(a.reps)]
        finally:
            server.stop()
    print(f"remote cache (nginx WebDAV on loopback), set {a.set} ({len(spvs)} modules), "
          f"-d {a.devices}, {os.cpu_count()} cores, {a.reps} repetition(s)")
    print(f"{'':>36} {'seconds (median)':>17} {'ratio (median)':>15}  goal")
    med = lambda k: statistics.median(r[k] for r in reps)  # noqa: E731
    ratio = lambda k: statistics.median(r[k] / r["cold"] for r in reps)  # noqa: E731
    print(f"{'cold, no remote cache':>36} {med('cold'):>17.2f} {1:>15.3f}")
    print(f"{'cold, uploading to the remote':>36} {med('upload'):>17.2f} {ratio('upload'):>15.3f}  <= 1.03")
    print(f"{'empty local cache, warm remote':>36} {med('warm'):>17.2f} {ratio('warm'):>15.3f}  <= 0.05")
    print("per repetition (cold+upload / warm remote): " +
          ", ".join(f"{r['upload'] / r['cold']:.3f} / {r['warm'] / r['cold']:.3f}" for r in reps))


if __name__ == "__main__":
    main()
