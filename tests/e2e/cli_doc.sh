#!/usr/bin/env bash
# docs/CLI.md is generated from --help and must be current; the bash completion knows every command.
source "$(dirname "$0")/common.sh"

bash "$SRC/scripts/gen-cli-doc.sh" "$AOTPACK" CLI.md README.md GUIDE.md
diff -u "$SRC/docs/CLI.md" CLI.md || fail "docs/CLI.md is stale: run scripts/gen-cli-doc.sh"
# One table of AOTPACK_* variables (src/common/environment.cpp): GUIDE.md carries it, and every
# name the sources read is in it.
diff -u "$SRC/docs/GUIDE.md" GUIDE.md || fail "docs/GUIDE.md's environment table is stale: run scripts/gen-cli-doc.sh"
"$AOTPACK" environment --json | python3 -c 'import json,sys; print("\n".join(r["name"] for r in json.load(sys.stdin)))' | sort >table.txt
grep -rhoE '"AOTPACK_[A-Z0-9_]+"' "$SRC/src" | tr -d '"' | sort -u >read.txt
missing=$(comm -13 table.txt read.txt)
[ -z "$missing" ] || fail "AOTPACK_* variables read in src/ but not in src/common/environment.cpp: $missing"
# One exit-code table (src/cli/exit_codes.cpp): --help prints it, README.md carries it.
diff -u "$SRC/README.md" README.md || fail "README.md's exit codes are stale: run scripts/gen-cli-doc.sh"
grep -q "^| 127 | " README.md || fail "the exit-code table lacks 127"

"$AOTPACK" completion bash > completion.bash
bash -n completion.bash || fail "completion script does not parse"
source completion.bash
COMP_WORDS=(aotpack bui); COMP_CWORD=1; _aotpack
[ "${COMPREPLY[*]}" = build ] || fail "completion of 'bui': ${COMPREPLY[*]}"
COMP_WORDS=(aotpack build --json-r); COMP_CWORD=2; _aotpack
[ "${COMPREPLY[*]}" = --json-report ] || fail "completion of 'build --json-r': ${COMPREPLY[*]}"

expect_exit 0 "$AOTPACK" --version
expect_in "aotpack 0.1.0"
expect_in "ocloc 22.43"
expect_in "IGC 1.0"
