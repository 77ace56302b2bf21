#!/usr/bin/env bash
# casebook serve keeps the impact answers it gave (core/serve/cache.h):
# the same question on the same data is answered from the cache, and any
# change to the data (a session recorded, a batch imported) is a new
# question. Rights come first: a reader the table refuses gets 403 even
# for a cached answer.
set -euo pipefail
cb=${CASEBOOK:?}
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "serve_cache: FAIL: $*" >&2; exit 1; }
ws=$tmp/ws
c() { "$cb" -C "$ws" "$@"; }

"$cb" init "$ws" >/dev/null
for a in north south east west; do c account add "$a" --name "$a" >/dev/null; done
c person add tina --name "Tina Trainer" --role trainer >/dev/null
c person add tom --name "Tom Tech" --role technician >/dev/null
c person add mia --name "Mia Manager" --role manager >/dev/null
c program add tco --name "Customer orientation" >/dev/null
c session record --program tco --title "Cohort 1" --format virtual --start 2025-03-03 \
  --end 2025-03-03 --trainer tina --attendee tom --account north --account south >/dev/null
{
  echo "account,measure,at,value"
  for a in north south east west; do
    for m in 01 02 03 04 05 06; do
      for d in 05 12 19 26; do echo "$a,repair.hours,2025-$m-${d}T10:00:00Z,$((RANDOM % 5 + 2))"; done
    done
  done
} >"$tmp/obs.csv"
c data import "$tmp/obs.csv" >/dev/null
manager=$(c person token mia --name cache --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
tech=$(c person token tom --name cache --json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
[ -n "$manager" ] && [ -n "$tech" ] || fail "no API tokens"

# The binary itself in the background, not the function c: $! would be
# the subshell running c, and killing it would leave the server running.
"$cb" -C "$ws" serve --listen 127.0.0.1:0 --json >"$tmp/ready" 2>"$tmp/err" &
server=$!
for _ in $(seq 1 100); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$tmp/ready")
[ -n "$url" ] || fail "the server did not start: $(cat "$tmp/err")"

# get TOKEN N: the answer's body in $tmp/bodyN, its cache header echoed
get() {
  curl -s -D "$tmp/head$2" -o "$tmp/body$2" -H "Authorization: Bearer $1" \
    "${url}api/v1/impact?program=tco&kpi=mttr"
  sed -n 's/^X-Casebook-Cache: *\([a-z]*\).*/\1/ip' "$tmp/head$2" | tr -d '\r'
}
[ "$(get "$manager" 1)" = miss ] || fail "the first question was not a miss"
grep -q '"exposure"\|"kpis"' "$tmp/body1" || fail "the first answer is not an impact: $(head -c 300 "$tmp/body1")"
[ "$(get "$manager" 2)" = hit ] || fail "the same question on the same data was computed again"
cmp -s "$tmp/body1" "$tmp/body2" || fail "the cached answer differs from the computed one"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tech" "${url}api/v1/impact?program=tco&kpi=mttr")
[ "$code" = 403 ] || fail "a technician read a cached impact (HTTP $code)"

c session record --program tco --title "Cohort 2" --format blended --start 2025-04-07 \
  --end 2025-04-07 --trainer tina --attendee tom --account east >/dev/null
[ "$(get "$manager" 3)" = miss ] || fail "a new session did not make a new question"
cmp -s "$tmp/body1" "$tmp/body3" && fail "the answer did not change with a new session"
[ "$(get "$manager" 4)" = hit ] || fail "the new answer was not kept"
echo "account,measure,at,value" >"$tmp/more.csv"
echo "west,repair.hours,2025-07-01T10:00:00Z,3" >>"$tmp/more.csv"
c data import "$tmp/more.csv" >/dev/null
[ "$(get "$manager" 5)" = miss ] || fail "a new batch did not make a new question"
echo "serve_cache: ok"
