#!/usr/bin/env bash
# .clang-tidy's checks over every source file of src/ (CI runs it; developers can instead build
# with -DAOTPACK_CLANG_TIDY=ON). Needs a configured build directory for compile_commands.json.
#   scripts/check-tidy.sh [BUILD_DIR]     (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
[ -f "$dir/compile_commands.json" ] || { echo "check-tidy: no $dir/compile_commands.json: configure first" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# run-clang-tidy's own exit status is not reliable across versions: judge by what it printed.
run-clang-tidy -quiet -p "$dir" -j "$(nproc)" "$PWD/src/" >"$log" 2>&1 || true
if grep -E "(warning|error): " "$log" >/dev/null; then
    grep -E -A3 "(warning|error): " "$log" >&2
    echo "check-tidy: clang-tidy found problems (.clang-tidy)" >&2
    exit 1
fi
echo "check-tidy: src/ passes .clang-tidy"
