#!/usr/bin/env bash
# .clang-tidy's checks over the source files of src/ (developers can instead build with
# -DAOTPACK_CLANG_TIDY=ON). Needs a configured build directory for compile_commands.json.
#   scripts/check-tidy.sh [BUILD_DIR]             every file of src/ (~8 min on 2 cores)
#   scripts/check-tidy.sh [BUILD_DIR] --changed   only what changed since the last full pass that
#                                                 .ci/tidy-clean records (what CI runs)
#   scripts/check-tidy.sh [BUILD_DIR] --record    every file; when clean, records HEAD there
# --changed checks each .cpp of src/ changed since the recorded commit and each one that includes,
# directly or through other headers, a changed header of src/ or include/; a changed .clang-tidy, or a record
# this clone cannot resolve, means every file. Files that passed and did not change still pass:
# clang-tidy's verdict on a file depends only on the file, what it includes and .clang-tidy.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build mode=all
for arg in "$@"; do
    case $arg in
    --changed) mode=changed ;;
    --record) mode=record ;;
    -*) echo "check-tidy: unknown option $arg" >&2; exit 2 ;;
    *) dir=$arg ;;
    esac
done
[ -f "$dir/compile_commands.json" ] || { echo "check-tidy: no $dir/compile_commands.json: configure first" >&2; exit 2; }

# The .cpp files of src/ that include one of the headers on stdin (paths relative to src/),
# through any chain of src/ headers.
dependents_of() {
    local -A seen=()
    local queue=() h
    while read -r h; do [ -n "$h" ] && queue+=("$h"); done
    while ((${#queue[@]})); do
        h=${queue[0]}; queue=("${queue[@]:1}")
        [ -z "${seen[$h]:-}" ] || continue
        seen[$h]=1
        while read -r f; do
            case $f in
            *.h) queue+=("${f#src/}") ;;
            *.cpp) echo "$f" ;;
            esac
        done < <(grep -rlF "#include \"$h\"" src --include='*.h' --include='*.cpp' || true)
    done
}

files=("$PWD/src/")
if [ "$mode" = changed ]; then
    base=$(cat .ci/tidy-clean 2>/dev/null || true)
    if [ -n "$base" ] && git cat-file -e "$base^{commit}" 2>/dev/null &&
        git diff --quiet "$base" -- .clang-tidy; then
        changed=$(git diff --name-only --diff-filter=d "$base" -- src include)
        mapfile -t files < <({
            grep -E '^src/.*\.(c|cpp)$' <<<"$changed" || true
            grep '\.h$' <<<"$changed" | sed -E 's#^(src|include)/##' | dependents_of
        } | sort -u | sed "s#^#$PWD/#")
        echo "check-tidy: ${#files[@]} file(s) of src/ changed since ${base:0:12} (.ci/tidy-clean)"
        ((${#files[@]})) || exit 0
    else
        echo "check-tidy: no usable .ci/tidy-clean record: every file"
    fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# run-clang-tidy's own exit status is not reliable across versions: judge by what it printed.
run-clang-tidy -quiet -p "$dir" -j "$(nproc)" "${files[@]}" >"$log" 2>&1 || true
if grep -E "(warning|error): " "$log" >/dev/null; then
    grep -E -A3 "(warning|error): " "$log" >&2
    echo "check-tidy: clang-tidy found problems (.clang-tidy)" >&2
    exit 1
fi
if [ "$mode" = record ]; then
    git diff --quiet HEAD -- src .clang-tidy || { echo "check-tidy: src/ has uncommitted changes: not recorded" >&2; exit 1; }
    git rev-parse HEAD >.ci/tidy-clean
    echo "check-tidy: src/ passes .clang-tidy; recorded $(cut -c1-12 .ci/tidy-clean) in .ci/tidy-clean (commit it)"
    exit 0
fi
echo "check-tidy: src/ passes .clang-tidy"
