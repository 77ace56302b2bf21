#!/usr/bin/env bash
# The built-in plugins pass luacheck (Debian's lua-check), with the
# settings in plugins/.luacheckrc: Lua 5.4, `casebook` the only global.
set -euo pipefail
cd "$CASEBOOK_SOURCE_DIR/plugins"
files=$(ls ./*.lua | grep -v '\.d\.lua$')
[ -n "$files" ] || { echo "no plugins found"; exit 1; }
# shellcheck disable=SC2086
luacheck --config .luacheckrc --formatter plain $files
echo "luacheck: $(echo "$files" | wc -w) files clean"
