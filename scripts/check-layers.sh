#!/usr/bin/env bash
# The layer picture of docs/ARCHITECTURE.md, checked against the includes: a folder under src/
# may include only itself and the folders below it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Top to bottom; a folder may use any folder on a later line (same line: not each other).
layers=(
    "cli"
    "compile dropin bundle"
    "capture toolchain delivery"
    "foreign"
    "runtime"
    "archive cache"
    "devices crypto net"
    "common"
)
status=0
for ((i = 0; i < ${#layers[@]}; i++)); do
    below="aotpack" # include/aotpack: the runtime's public header
    for ((j = i + 1; j < ${#layers[@]}; j++)); do below+=" ${layers[j]}"; done
    for dir in ${layers[i]}; do
        for used in $(grep -rhoE '#include "[a-z_]+/' "src/$dir" | sed -E 's/#include "//; s|/||' | sort -u); do
            [ "$used" = "$dir" ] && continue
            if [[ " $below " != *" $used "* ]]; then
                echo "check-layers: src/$dir includes $used/, which is not below it" \
                    "($(grep -rlE "#include \"$used/" "src/$dir" | head -1))" >&2
                status=1
            fi
        done
    done
done
[ "$status" = 0 ] && echo "check-layers: src/ follows the layers of docs/ARCHITECTURE.md"
exit "$status"
