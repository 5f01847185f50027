#!/usr/bin/env bash
# A sharded build on a real scheduler: a private single-node Slurm cluster (tests/e2e/lib/
# slurm_cluster.sh) runs `sbatch --array=1-3` of `aotpack build --shard auto`, then a merge job
# with --dependency=afterok; the merged archive equals the one-machine build byte for byte.
source "$(dirname "$0")/common.sh"
source "$SRC/tests/e2e/lib/slurm_cluster.sh"

devices=pvc,acm-g10,acm-g11,tgllp
cp -r "$SRC/examples/kernels" kernels
"$AOTPACK" build -q -d $devices kernels -o one.aotpack --no-cache
start_slurm

# Each array task is another "machine": its own cache directory.
array=$(sbatch --parsable --array=1-3 -o "$WORK/task-%a.log" --chdir "$WORK" --wrap \
    "AOTPACK_CACHE_DIR=$WORK/cache-\$SLURM_ARRAY_TASK_ID $AOTPACK build -q -d $devices kernels \
     --shard auto -o part-\$SLURM_ARRAY_TASK_ID.aotpack --json-report part-\$SLURM_ARRAY_TASK_ID.json")
merge=$(sbatch --parsable --dependency=afterok:"$array" -o "$WORK/merge.log" --chdir "$WORK" \
    --wrap "$AOTPACK merge part-*.aotpack -o merged.aotpack")
wait_for_job "$array"
wait_for_job "$merge"
[ -s merged.aotpack ] || fail "the merge job wrote nothing: $(cat task-*.log merge.log)"
cmp one.aotpack merged.aotpack || fail "the Slurm build differs from the one-machine build"
for i in 1 2 3; do
    grep -q "\"index\": $i" part-$i.json || fail "task $i did not build shard $i"
done
echo "PASS: slurm_shards"
