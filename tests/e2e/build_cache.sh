#!/usr/bin/env bash
# The main job: build real kernels for ats-m150,pvc; a second build is all cache hits and
# byte-identical; changing one module recompiles only its jobs, and --explain says why.
source "$(dirname "$0")/common.sh"

cp -r "$SRC/examples/kernels" kernels
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o a.aotpack --json-report r1.json
expect_in "(6 compiled, 0 from cache)"
"$AOTPACK" verify a.aotpack
python3 - <<'PY'
import json, os
r = json.load(open("r1.json"))
assert r["archive_written"] and len(r["jobs"]) == 6, r
# Where the CPU went: aotpack's own threads and its compilers (ended, so counted) both worked.
cpu = r["cpu_seconds"]
assert cpu["aotpack"] > 0 and cpu["compilers"] > 0, cpu
for j in r["jobs"]:
    assert j["result"] == "compiled" and j["seconds"] > 0 and j["max_rss_kb"] > 0, j
    assert j["why"] == "first build of this module for this target", j
    # Compile workers time the compile itself (in-process); one ocloc per job cannot.
    if r["compile_mode"] == "workers":
        assert 0 < j["compile_seconds"] <= j["seconds"], j
    else:
        assert j["compile_seconds"] == 0, j
assert {j["ip"] for j in r["jobs"]} == {"12.55.8", "12.60.7"}
# The timeline: every compile inside the build, never more at once than -j (default: cores).
spans = [(j["started"], j["started"] + j["seconds"]) for j in r["jobs"]]
assert all(0 < s and e <= r["seconds"] for s, e in spans), (spans, r["seconds"])
most = max(sum(s <= t < e for s, e in spans) for t, _ in spans)
assert 1 <= most <= os.cpu_count(), (most, spans)
PY

expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o b.aotpack --json-report r2.json
expect_in "(0 compiled, 6 from cache)"
cmp a.aotpack b.aotpack || fail "rebuild from cache is not byte-identical"

# The same output again: nothing runs, nothing is rewritten.
before=$(stat -c %i a.aotpack) # a rewrite renames a new file into place: a new inode
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o a.aotpack
expect_in "'a.aotpack' is up to date"
[ "$(stat -c %i a.aotpack)" = "$before" ] || fail "an up-to-date archive was rewritten"
cmp a.aotpack b.aotpack || fail "up-to-date archive changed"
# ... unless the archive on disk is not the one that was built.
printf 'x' >> a.aotpack
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o a.aotpack
expect_in "(0 compiled, 6 from cache)"
cmp a.aotpack b.aotpack || fail "rewritten archive differs"

# One module changed: only its two jobs run.
echo "__kernel void extra(__global int* p) { p[0] = 1; }" >> kernels/histogram.cl
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o c.aotpack --explain
expect_in "2 compile job(s), 4 cache hit(s)"
expect_in "compiling histogram for pvc: its SPIR-V changed"
"$AOTPACK" list c.aotpack > list.txt
grep -q "histogram,extra" list.txt || fail "new kernel missing: $(cat list.txt)"

# Options are part of the key.
expect_exit 0 "$AOTPACK" build -d pvc kernels -o d.aotpack --options -cl-fast-relaxed-math --explain
expect_in "its build options changed"

# Per-target options reach only that target.
expect_exit 0 "$AOTPACK" build -d ats-m150,pvc kernels -o e.aotpack --target-options pvc=-cl-mad-enable --json-report r5.json
python3 - <<'PY'
import json
opts = {(j["module"], j["target"]): j for j in json.load(open("r5.json"))["jobs"]}
assert all(j["result"] == ("compiled" if t == "pvc" else "cache-hit") for (m, t), j in opts.items()), opts
PY

expect_exit 0 "$AOTPACK" cache stats
expect_in "entries: "
# What ccache users look for (issue "What a new user trips over"): stats as JSON with the builds'
# hits and compiles, zeroing the counters, and a size limit kept in the cache and enforced.
expect_exit 0 "$AOTPACK" cache stats --json
python3 - "$OUT" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
b = j["build"]
assert b["hits"] > 0 and b["compiled"] > 0, b
assert abs(b["hit_rate"] - b["hits"] / (b["hits"] + b["compiled"])) < 1e-9, b
assert j["entries"] > 3 and j["max_bytes"] == 5 << 30, j
PY
expect_exit 0 "$AOTPACK" cache zero
expect_exit 0 "$AOTPACK" cache stats
expect_in "builds: 0 cache hit(s), 0 compiled"
expect_exit 0 "$AOTPACK" cache --max-size 30K
expect_in "limit: 30.0 KiB"
expect_exit 0 "$AOTPACK" cache stats --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["bytes"] <= 30 << 10 and j["max_bytes"] == 30 << 10, j' "$OUT"
# A later build keeps to the limit (it evicts the oldest entries), and counts itself.
expect_exit 0 "$AOTPACK" build -q -d ats-m150,pvc,tgllp kernels -o f.aotpack
expect_exit 0 "$AOTPACK" cache stats --json
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["bytes"] <= 30 << 10 and j["build"]["hits"] + j["build"]["compiled"] > 0, j' "$OUT"
expect_exit 2 "$AOTPACK" cache --max-size 10X
expect_in "--max-size '10X' is not a size"
expect_exit 0 "$AOTPACK" cache clean
expect_exit 0 "$AOTPACK" cache stats
expect_in "entries: 0"
