#!/usr/bin/env bash
# The import's progress bar: drawn on stderr when it is a terminal and the
# work takes more than a moment; nothing of the kind when it is not.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CASEBOOK" init "$tmp/ws" >/dev/null
mkdir -p "$tmp/ws/plugins"
cat >"$tmp/ws/plugins/p.lua" <<'LUA'
casebook.api(1)
for i = 1, 10 do casebook.measure { key = "bench.m" .. i, unit = "x", min = 0, max = 100, doc = "m" } end
LUA
for i in $(seq 1 200); do printf 'acct-%04d,Account %d\n' "$i" "$i"; done |
  (echo key,name; cat) | "$CASEBOOK" -C "$tmp/ws" account import - >/dev/null
awk -v n=100000 -v accounts=200 -v measures=10 -v seed=3 \
  -f "$CASEBOOK_SOURCE_DIR/tests/bench/gen_observations.awk" >"$tmp/a.csv"
awk -v n=1000000 -v accounts=200 -v measures=10 -v seed=4 \
  -f "$CASEBOOK_SOURCE_DIR/tests/bench/gen_observations.awk" >"$tmp/b.csv"

# Not a terminal: no bar, no escape codes.
"$CASEBOOK" -C "$tmp/ws" data import "$tmp/a.csv" >/dev/null 2>"$tmp/plain.err"
if grep -q $'\033' "$tmp/plain.err"; then
  echo "escape codes on a stderr that is not a terminal"; exit 1
fi
# A terminal (script(1) gives the command a pseudo-terminal): a bar that
# counts up, then is erased.
TERM=xterm script -qec "'$CASEBOOK' -C '$tmp/ws' data import '$tmp/b.csv'" "$tmp/tty.log" >/dev/null
grep -q '%' "$tmp/tty.log" || { echo "no progress bar on a terminal"; cat -v "$tmp/tty.log" | head; exit 1; }
grep -q $'\r\033\[K' "$tmp/tty.log" || { echo "the bar is not redrawn in place"; exit 1; }
grep -q 'imported 1000000 rows' "$tmp/tty.log" || { echo "import did not finish"; exit 1; }
echo "progress: ok"
