#!/usr/bin/env bash
# `aotpack build --shard i/N` and `aotpack merge`: N partial archives merged in any order are
# byte-identical to the one-machine build; `--shard auto` reads Slurm, GitLab and Bazel-style
# variables; a missing, duplicated or foreign shard is an error naming it; bad values exit 2.
source "$(dirname "$0")/common.sh"

json() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
devices=pvc,acm-g10,acm-g11,tgllp
kernels=("$SRC"/examples/kernels/*.cl)
shard() { # shard SPEC OUT [ARGS]: one shard, each with its own cache (another machine)
    local spec=$1 out=$2; shift 2
    AOTPACK_CACHE_DIR=$WORK/cache-$out "$AOTPACK" build -q -d $devices "${kernels[@]}" \
        -o "$out" --shard "$spec" --json-report "$out.json" "$@"
}

"$AOTPACK" build -q -d $devices "${kernels[@]}" -o one.aotpack --no-cache
for n in 1 2 3 5 13; do # 13 > 12 jobs: a shard with no job is still a valid partial archive
    parts=()
    for i in $(seq $n); do
        shard "$i/$n" "p$n-$i.aotpack"
        parts+=("p$n-$i.aotpack")
    done
    jobs=0
    for p in "${parts[@]}"; do jobs=$((jobs + $(json "$p.json" "len(d['jobs'])"))); done
    [ $jobs = 12 ] || fail "$n shards built $jobs jobs, not 12"
    "$AOTPACK" merge "${parts[@]}" -o "m$n.aotpack"
    cmp one.aotpack "m$n.aotpack" || fail "$n shards merged differ from the one-machine build"
    mapfile -t reversed < <(printf '%s\n' "${parts[@]}" | tac)
    "$AOTPACK" merge "${reversed[@]}" -o "r$n.aotpack"
    cmp one.aotpack "r$n.aotpack" || fail "$n shards merged in reverse order differ"
done
# Every shard planned the same split, balanced by expected cost.
[ "$(json p3-1.aotpack.json "d['shard']['plan']")" = "$(json p3-3.aotpack.json "d['shard']['plan']")" ]

# --compression max and --compression fast-load survive the merge.
for c in max fast-load; do
    "$AOTPACK" build -q -d $devices "${kernels[@]}" -o "one-$c.aotpack" --compression $c --no-cache
    shard 1/2 "c$c-1.aotpack" --compression $c
    shard 2/2 "c$c-2.aotpack" --compression $c
    "$AOTPACK" merge "c$c-2.aotpack" "c$c-1.aotpack" -o "m-$c.aotpack"
    cmp "one-$c.aotpack" "m-$c.aotpack" || fail "--compression $c: merged shards differ"
done

# --shard-costs: the split follows an earlier build's measured times; every shard must use the
# same file (the plan covers it), and the merge is still the one-machine archive.
"$AOTPACK" build -q -d $devices "${kernels[@]}" -o timed.aotpack --no-cache --json-report timed.json
python3 - timed.json skewed.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, j in enumerate(d["jobs"]):
    j["seconds"] = 100.0 if i == 0 else 1.0  # one job dominates: it gets a shard to itself
json.dump(d, open(sys.argv[2], "w"))
PY
shard 1/2 k1.aotpack --shard-costs skewed.json
shard 2/2 k2.aotpack --shard-costs skewed.json
n1=$(json k1.aotpack.json "len(d['jobs'])")
n2=$(json k2.aotpack.json "len(d['jobs'])")
[ "$n1" = 1 ] && [ "$n2" = 11 ] || fail "--shard-costs ignored: $n1 + $n2 jobs"
"$AOTPACK" merge k2.aotpack k1.aotpack -o k.aotpack
cmp one.aotpack k.aotpack || fail "shards split by measured costs merge to other bytes"
expect_exit 8 "$AOTPACK" merge k1.aotpack p2-2.aotpack -o bad.aotpack
expect_in "of another build"
echo '{"jobs": 3}' >notareport.json
expect_exit 3 "$AOTPACK" build -d pvc "${kernels[@]}" -o bad.aotpack --shard 1/2 --shard-costs notareport.json
expect_in "notareport.json"
expect_exit 2 "$AOTPACK" build -d pvc "${kernels[@]}" -o bad.aotpack --shard-costs timed.json
expect_in "--shard-costs needs --shard"

# --shard auto: Slurm (IDs from SLURM_ARRAY_TASK_MIN, with a step), GitLab, Bazel-style.
auto() { # auto OUT VAR=VALUE...
    local out=$1; shift
    env "$@" AOTPACK_CACHE_DIR=$WORK/cache-auto "$AOTPACK" build -q -d $devices "${kernels[@]}" \
        -o "$out" --shard auto --json-report "$out.json"
    json "$out.json" "'%d/%d' % (d['shard']['index'], d['shard']['count'])"
}
[ "$(auto a1 SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3)" = 1/3 ]
[ "$(auto a2 SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=4)" = 3/4 ]
[ "$(auto a3 CI_NODE_INDEX=2 CI_NODE_TOTAL=3)" = 2/3 ]
[ "$(auto a4 TEST_SHARD_INDEX=0 TEST_TOTAL_SHARDS=3)" = 1/3 ]
cmp a1 p3-1.aotpack || fail "--shard auto (Slurm 1/3) differs from --shard 1/3"

# Merge errors: exit 8, the shard named, no output.
expect_exit 8 "$AOTPACK" merge p3-1.aotpack p3-3.aotpack -o bad.aotpack
expect_in "shard(s) 2 of 3 missing"
expect_exit 8 "$AOTPACK" merge p3-1.aotpack p3-2.aotpack p3-2.aotpack p3-3.aotpack -o bad.aotpack
expect_in "shard 2/3 is given twice"
shard 2/3 other.aotpack --options -cl-fast-relaxed-math
expect_exit 8 "$AOTPACK" merge p3-1.aotpack other.aotpack p3-3.aotpack -o bad.aotpack
expect_in "'other.aotpack' is shard 2/3 of another build"
expect_exit 8 "$AOTPACK" merge p3-1.aotpack p2-2.aotpack -o bad.aotpack
expect_in "of another build"
expect_exit 8 "$AOTPACK" merge p3-1.aotpack one.aotpack -o bad.aotpack
expect_in "'one.aotpack' is not a shard"
[ ! -e bad.aotpack ] || fail "a failed merge left output"
# Ordinary merges are unchanged.
"$AOTPACK" build -q -d pvc "${kernels[@]}" -o pvc.aotpack --no-cache
"$AOTPACK" build -q -d tgllp "${kernels[@]}" -o tgl.aotpack --no-cache
"$AOTPACK" merge pvc.aotpack tgl.aotpack -o both.aotpack

# Bad --shard values: exit 2, one line, nothing written.
for v in 0/3 4/3 1/0 text 3 /3 1/ -1/3; do
    expect_exit 2 "$AOTPACK" build -d pvc "${kernels[@]}" -o bad.aotpack --shard "$v"
    [ "$(wc -l <<<"$OUT")" = 1 ] || fail "--shard $v: one line expected: $OUT"
done
expect_exit 2 env -u SLURM_ARRAY_TASK_ID -u CI_NODE_INDEX -u TEST_SHARD_INDEX "$AOTPACK" build \
    -d pvc "${kernels[@]}" -o bad.aotpack --shard auto
expect_in "no scheduler variables"
expect_exit 2 env SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=2 "$AOTPACK" \
    build -d pvc "${kernels[@]}" -o bad.aotpack --shard auto
[ ! -e bad.aotpack ] || fail "a bad --shard left output"
echo "PASS: shard"
