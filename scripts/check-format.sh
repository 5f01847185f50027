#!/usr/bin/env bash
# Fails when a C/C++ file differs from .clang-format's layout. Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.cpp' '*.h' '*.c' 2>/dev/null |
  while read -r f; do [ -f "$f" ] && echo "$f"; done || true)
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--fix" ]; then
  clang-format -i $files
  exit 0
fi
bad=0
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "check-format: $f is not formatted (run scripts/check-format.sh --fix)" >&2
    bad=1
  fi
done
exit $bad
