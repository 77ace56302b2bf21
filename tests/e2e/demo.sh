#!/usr/bin/env bash
# scripts/demo on the build under test: the whole story runs, and what it
# says it made is there: 14 case studies through the workflow (submitted,
# changes requested and revised, approved, published) in a git repository
# the git CLI accepts, a consistent workspace, and reports that list the
# case studies with their evidence.
set -euo pipefail
src=${CASEBOOK_SOURCE_DIR:?}
cb=${CASEBOOK:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "demo: FAIL: $*" >&2; exit 1; }

ws=$tmp/ws
CASEBOOK=$cb "$src/scripts/demo" "$ws" >"$tmp/out" 2>"$tmp/err" ||
  fail "scripts/demo failed: $(tail -20 "$tmp/err")"
grep -q "The demo workspace is $ws" "$tmp/out" || fail "no closing lines: $(tail -5 "$tmp/out")"
for f in report.html report.md impact.json casebook.db; do
  [ -s "$ws/$f" ] || fail "$ws/$f is missing or empty"
done

c() { "$cb" -C "$ws" "$@"; }
c check >/dev/null || fail "the demo workspace is not consistent"
statuses=
for s in submitted changes-requested approved published; do
  statuses="$statuses$s=$(c case list --status $s --csv | tail -n +2 | grep -c . || true) "
done
[ "$statuses" = "submitted=2 changes-requested=0 approved=8 published=4 " ] || fail "case statuses: $statuses"
git -C "$ws/cases" fsck --strict >/dev/null 2>&1 || fail "git fsck failed on the case repository"
# 14 submissions, 4 requests for changes and 4 revisions, 12 approvals,
# 4 publications, and the first commit.
commits=$(git -C "$ws/cases" rev-list --count main)
[ "$commits" = 39 ] || fail "the case repository has $commits commits, not 39"
# every revision is authored by its technician, every review by a trainer
authors=$(git -C "$ws/cases" log --format='%ae %s' main | awk '
  /Add case|Revise case/ { if ($1 !~ /^[a-z]\.[a-z]+[0-9]+@service\.example$/) bad++ }
  /^[^ ]+ Review / { if ($1 !~ /^(amartin|bkeller|cnakamura|dosei|ebrandt|fmoreno)@/) bad++ }
  END { print bad + 0 }')
[ "$authors" = 0 ] || fail "$authors commits are not by the technician or trainer they should be"
grep -q '^- \*\*Level 3: behaviour\*\*: 14 case studies (8 approved, 4 published, 2 submitted)' "$ws/report.md" ||
  fail "the Markdown report's level 3: $(grep 'Level 3' "$ws/report.md")"
rows=$(grep -c '^| [a-z0-9-]* | .* | \(approved\|published\|submitted\) | [0-9] \(agree\|disagree\|on too few\|without data\)' "$ws/report.md" || true)
[ "$rows" = 14 ] || fail "the Markdown report lists $rows case studies with evidence, not 14"
# The effects by format agree with what the generator planted: each
# format's mean planted effect (planted.csv, the answer key) lies in the
# 95% interval of its estimate, for the KPIs that follow their measures one
# to one.
c impact --program tco --by format --kpi mttr --kpi response_time --kpi first_time_fix_rate \
  --json >"$tmp/formats.json" || fail "impact --by format failed"
[ -s "$ws/planted.csv" ] || fail "the demo left no planted.csv"
node -e '
  const fs = require("fs");
  const groups = JSON.parse(fs.readFileSync(process.argv[1])).groups;
  const sums = {};
  for (const line of fs.readFileSync(process.argv[2], "utf8").trim().split("\n").slice(1)) {
    const [, format, kpi, effect] = line.split(",");
    const k = format + " " + kpi;
    sums[k] = sums[k] || {n: 0, s: 0};
    sums[k].n++; sums[k].s += Number(effect);
  }
  let checked = 0;
  for (const g of groups)
    for (const k of g.impact.kpis) {
      const planted = sums[g.format + " " + k.kpi].s / sums[g.format + " " + k.kpi].n;
      if (!(k.effect_ci.low <= planted && planted <= k.effect_ci.high)) {
        console.error(`${g.format} ${k.kpi}: planted ${planted.toFixed(3)}, estimated ${k.effect.toFixed(3)} [${k.effect_ci.low.toFixed(3)}, ${k.effect_ci.high.toFixed(3)}]`);
        process.exit(1);
      }
      checked++;
    }
  if (checked !== 9) { console.error(`${checked} effects checked, not 9`); process.exit(1); }
' "$tmp/formats.json" "$ws/planted.csv" 2>"$tmp/planted.err" ||
  fail "an effect by format misses the planted one: $(cat "$tmp/planted.err")"
# the commands it suggests work as printed
sed -n '/^Try: /,$p' "$tmp/out" | sed 's/^Try: *//; s/^ *//' >"$tmp/try"
[ "$(grep -c . "$tmp/try")" = 3 ] || fail "the demo suggests $(grep -c . "$tmp/try") commands, not 3: $(cat "$tmp/try")"
while read -r line; do
  # shellcheck disable=SC2086 # the line is a command as printed
  $line >/dev/null 2>"$tmp/try.err" || fail "the suggested '$line' failed: $(cat "$tmp/try.err")"
done <"$tmp/try"
# With CASEBOOK_DEMO_SERVE=1 it then serves the workspace and prints a
# sign-in link per person that works; SIGTERM (Ctrl-C in a terminal) stops
# the server and the demo with it.
ws2=$tmp/ws2
CASEBOOK=$cb CASEBOOK_DEMO_SERVE=1 CASEBOOK_DEMO_PORT=0 "$src/scripts/demo" "$ws2" >"$tmp/out2" 2>"$tmp/err2" &
demo=$!
for _ in $(seq 1 600); do
  grep -q '^sign-in links ready' "$tmp/out2" && break
  kill -0 "$demo" 2>/dev/null || fail "the serving demo stopped: $(tail -5 "$tmp/err2")"
  sleep 0.1
done
grep -q '^sign-in links ready' "$tmp/out2" || { kill "$demo"; fail "no sign-in links after 60 s"; }
links=$(grep -c '^  [a-z.0-9]* *http://127\.0\.0\.1:[0-9]*/invite/' "$tmp/out2" || true)
[ "$links" = 4 ] || { kill "$demo"; fail "$links sign-in links, not 4: $(tail -8 "$tmp/out2")"; }
link=$(grep -o 'http://127\.0\.0\.1:[0-9]*/invite/[A-Za-z0-9_-]*' "$tmp/out2" | head -1)
page=$(curl -sf "$link") || { kill "$demo"; fail "the link $link does not answer"; }
grep -q 'Set your password' <<<"$page" || { kill "$demo"; fail "the link's page does not ask for a password"; }
kill -TERM "$demo"
wait "$demo" || fail "the serving demo did not stop cleanly on SIGTERM"
if curl -s -o /dev/null "$link"; then fail "the server still answers after the demo stopped"; fi
echo "demo: ok"
