#!/usr/bin/env bash
# Library code never calls a throwing std::filesystem function: every call passes a
# std::error_code (the error model is Expected<T>; an exception would escape as a crash or an
# "internal error"). Checked by a grep, line by line: a call whose arguments close on the same
# line must name an error_code variable (ec, ignored, error, ...). CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
calls='(create_directories|create_directory|exists|file_size|absolute|canonical|weakly_canonical|remove|remove_all|rename|is_directory|is_regular_file|is_symlink|copy_file|copy|last_write_time|directory_iterator|recursive_directory_iterator|read_symlink|status|symlink_status|resize_file|permissions|create_symlink|equivalent|space|temp_directory_path|current_path|hard_link_count)'
found=$(grep -rnE "(fs|std::filesystem)::$calls\(" src --include=*.cpp --include=*.h |
    grep -vE "(fs|std::filesystem)::$calls\([^()]*(\([^()]*\)[^()]*)*\b(ec|ec2|ignored|error|err)\)" |
    grep -vE "(fs|std::filesystem)::$calls\($" | grep -vE "directory_iterator\(\)" || true)
# directory_entry's own queries throw too: entry.is_regular_file() -> entry.is_regular_file(ec).
found+=$(grep -rnE "\.(is_regular_file|is_directory|is_symlink|file_size|exists|last_write_time)\(\)" \
    src --include=*.cpp --include=*.h || true)
if [ -n "$found" ]; then
    echo "check-nothrow-fs: these std::filesystem calls can throw; pass a std::error_code:" >&2
    echo "$found" >&2
    exit 1
fi
echo "check-nothrow-fs: no throwing std::filesystem call in src/"
