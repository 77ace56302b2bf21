#!/usr/bin/env bash
# cmake --install puts the binary and the built-in plugins under a prefix,
# and the installed binary finds its plugins there, even after the whole
# tree is moved.
set -euo pipefail
build=$(dirname "$CASEBOOK")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/casebook"
test -f "$tmp/prefix/share/casebook/plugins/README.md"
want="built-in plugins: $tmp/prefix/share/casebook/plugins"
got=$("$tmp/prefix/bin/casebook" --version | sed -n 2p)
[ "$got" = "$want" ] || { echo "installed: '$got', want '$want'"; exit 1; }

mv "$tmp/prefix" "$tmp/moved"
want="built-in plugins: $tmp/moved/share/casebook/plugins"
got=$("$tmp/moved/bin/casebook" --version | sed -n 2p)
[ "$got" = "$want" ] || { echo "moved: '$got', want '$want'"; exit 1; }

# The installed binary makes and uses a workspace like the built one.
"$tmp/moved/bin/casebook" init "$tmp/ws" >/dev/null
"$tmp/moved/bin/casebook" -C "$tmp/ws" account add acme --name Acme >/dev/null
"$tmp/moved/bin/casebook" -C "$tmp/ws" account list --csv | grep -q '^acme,Acme,'
# casebook serve runs the casebook-serve installed beside it.
test -x "$tmp/moved/bin/casebook-serve"
"$tmp/moved/bin/casebook" serve --help | grep -q '^usage: casebook serve'
echo "install: ok"
