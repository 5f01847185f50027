#!/usr/bin/env bash
# `aotpack --version` says what it knows and exits 0, also where dpkg-query does not exist (any
# non-Debian system) and where no ocloc is installed.
source "$(dirname "$0")/common.sh"

mkdir only-ocloc empty
OCLOC=$(command -v ocloc) || skip "ocloc is not installed"
ln -s "$OCLOC" only-ocloc/ocloc
expect_exit 0 env PATH="$WORK/only-ocloc" "$AOTPACK" --version
expect_in "ocloc 22."
expect_in "IGC: unknown"
expect_exit 0 env PATH="$WORK/empty" "$AOTPACK" --version
expect_in "ocloc: not available"
expect_exit 0 "$AOTPACK" --version
expect_in "IGC 1."
echo "PASS: $TEST_NAME"
