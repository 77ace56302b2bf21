#!/usr/bin/env bash
# `casebook report` as a reader sees it: a workspace with a training effect
# (CSV import and a workspace plugin with two simple KPIs), a program in two
# formats, a report opened in headless Chromium. It must load without a
# console message (no script runs, nothing is fetched: the page's CSP would
# log any attempt), hold every chart it should (counted in the DOM Chromium
# built), and show the numbers of a fresh `impact --json`
# (tests/e2e/report_chromium.js compares them), and fit its case-study
# table into a 1280-px window and an A4 page (report_firstscreen.js
# measures them). Keeps a screenshot and a PDF
# print under the build folder and prints their paths. Fails (never skips)
# without chromium or node: scripts/install-deps installs both.
set -euo pipefail
src=${CASEBOOK_SOURCE_DIR:?}
cb=${CASEBOOK:?}
build=$(cd "$(dirname "$cb")" && pwd)
art=$build/test-artefacts/report_chromium
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "report_chromium: FAIL: $*" >&2; exit 1; }

browser=$(command -v chromium || true)
[ -n "$browser" ] || fail "chromium is not installed: run scripts/install-deps"
command -v node >/dev/null 2>&1 || fail "node is not installed: run scripts/install-deps"
rm -rf "$art"
mkdir -p "$art"

# Headless Chromium, offline and without a profile of its own; logs (with
# the page's console messages) on stderr.
chrome() {
  local profile
  profile=$(mktemp -d "$tmp/profile-XXXXXX")
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# Console messages (errors, CSP violations, anything a script would say)
# are logged as "...:CONSOLE..."; a page without scripts logs none.
console_problems() { grep -E ':CONSOLE|Uncaught' "$1" || true; }

# The check itself must be able to fail: a page with a script error and a
# blocked request is caught.
cat >"$tmp/bad.html" <<'HTML'
<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>
<body><script>undefinedFunction()</script><img src="http://example.invalid/x.png"></body></html>
HTML
chrome --dump-dom "file://$tmp/bad.html" >/dev/null 2>"$tmp/bad.log" || fail "chromium did not run (log: above)"
[ -n "$(console_problems "$tmp/bad.log")" ] ||
  fail "the console check missed a page with errors; chromium's log format changed?"

# The workspace: 30 accounts; e1..e8 trained in person, e9..e15 virtually,
# e16..e30 not at all; two case studies. Weekly scores rise by 8 after training (controls by
# 1), first-time fixes from 70% to 80% (controls unchanged).
ws=$tmp/ws
c() { "$cb" -C "$ws" "$@"; }
"$cb" init "$ws" >/dev/null
cat >"$ws/plugins/e2e.lua" <<'LUA'
casebook.api(1)
casebook.measure { key = "e.score", unit = "points", min = 0, max = 100, doc = "survey score" }
casebook.kpi { key = "e_mean", name = "Mean survey score", unit = "points", better = "higher",
  inputs = { "e.score" }, doc = "mean of the scores",
  compute = function(w)
    local s = w["e.score"]
    if #s == 0 then return nil, "no scores" end
    return s:mean()
  end }
casebook.measure { key = "e.fixed", unit = "visit", min = 0, max = 1, integer = true, doc = "1: fixed at the first visit" }
casebook.kpi { key = "e_fix_rate", name = "First-time fix rate", unit = "%", better = "higher",
  inputs = { "e.fixed" }, doc = "share of visits that fixed it first time",
  compute = function(w)
    local s = w["e.fixed"]
    if #s < 5 then return nil, "fewer than 5 visits" end
    return 100 * s:mean()
  end }
LUA
{
  echo key,name
  for i in $(seq 1 30); do echo "e$i,Account $i"; done
} >"$tmp/accounts.csv"
c account import "$tmp/accounts.csv" >/dev/null
c person add ana --name "Ana Martin" --role trainer >/dev/null
c person add jo --name "Jo Berger" --role technician >/dev/null
c program add tco --name "Total Customer Orientation" >/dev/null
c session record --program tco --title "In person" --format in-person --start 2025-03-03 \
  --end 2025-03-04 --trainer ana --account e1,e2,e3,e4,e5,e6,e7,e8 --attendee jo \
  --cost 8000 --currency EUR >/dev/null
c session record --program tco --title "Virtual" --format virtual --start 2025-04-07 \
  --end 2025-04-07 --trainer ana --account e9,e10,e11,e12,e13,e14,e15 \
  --cost 3000 --currency EUR >/dev/null
c session attend tco-2025-03-03 jo --reaction 5 --pre 40 --post 75 >/dev/null
awk -v seed=7 'BEGIN {
  srand(seed); print "account,measure,at,value"
  split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
  for (i = 1; i <= 30; i++) {
    trained = i <= 8 ? 20250303 : i <= 15 ? 20250407 : 0
    base = 50 + (i % 5) * 4
    for (y = 2024; y <= 2025; y++) for (m = 1; m <= 12; m++) {
      if ((y == 2024 && m < 9) || (y == 2025 && m > 9)) continue
      for (d = 2; d <= mdays[m]; d += 7) {
        day = y * 10000 + m * 100 + d
        after = trained && day > trained + 14
        later = day > 20250315
        score = base + (after ? 8 : 0) + (!trained && later ? 1 : 0) + (rand() - 0.5) * 4
        printf "e%d,e.score,%04d-%02d-%02d,%.2f\n", i, y, m, d, score
        for (v = 0; v < 4; v++)
          printf "e%d,e.fixed,%04d-%02d-%02dT%02d:00:00Z,%d\n", i, y, m, d, 9 + v, rand() < (after ? 0.8 : 0.7)
      }
    }
  }
}' >"$tmp/obs.csv"
c data import "$tmp/obs.csv" >/dev/null
c kpi value e_mean --per-unit 300 --currency EUR >/dev/null
c outcome set e1 e_mean --target 60 --minimum 55 --from 2025-01-01 --to 2025-09-30 >/dev/null

# Two case studies, so that the report has its case-study table: Jo (who
# attended the in-person session, which reached e1) claims e1's first-time
# fixes went from 70% to 80%, as planted, and is approved by the trainer; Lee (covering e9, reached by the virtual session) claims more
# than the data show and is approved despite the evidence, with a long
# reason: the longest cell the table can get.
c person add lee --name "Lee Okafor" --role technician >/dev/null
c cover lee e9 --from 2024-01-01 >/dev/null
cat >"$tmp/case-e1.md" <<'MD'
---
title: "Listening first turned a sceptical maintenance manager at Account 1 into our advocate"
technician: jo
account: e1
sessions:
  - tco-2025-03-03
claims:
  - kpi: e_fix_rate
    before: 70
    after: 80
    period: 2025-03-19..2025-06-16
---

## Situation

The customer's maintenance manager doubted every visit report.

## Actions

Jo asked about the plant's production goals before opening the cabinet, and wrote them into each report.

## Outcome

Four visits in five fixed the fault the first time, up from seven in ten.
MD
cat >"$tmp/case-e9.md" <<'MD'
---
title: "A virtual session, a weekly call, and an account that renewed without a tender"
technician: lee
account: e9
sessions:
  - tco-2025-04-07
claims:
  - kpi: e_mean
    before: 40
    after: 95
    period: 2025-04-23..2025-07-21
  - kpi: e_fix_rate
    before: 50
    after: 99
    period: 2025-04-23..2025-07-21
---

## Situation

Account 9 was about to put its service contract out to tender.

## Actions

Lee set up a weekly call with the site's engineers and followed up every open work order in writing.

## Outcome

The account renewed for three years without a tender.
MD
c case submit "$tmp/case-e1.md" --slug listening-first-at-account-1 >/dev/null
c case review listening-first-at-account-1 --reviewer ana --decision approve >/dev/null
c case submit "$tmp/case-e9.md" --slug weekly-call-renewal-at-account-9 >/dev/null
c case review weekly-call-renewal-at-account-9 --reviewer ana --decision approve \
  --despite-evidence "The customer's own survey tool was replaced in April 2025 and its scale changed from 0-100 to a five-point scale converted by hand; the contract renewal is the outcome that matters here" >/dev/null

# The report, and what impact says about the same question.
c report --program tco --out "$art/report.html" >/dev/null
c report --program tco --out "$art/report.md" >/dev/null
c impact --program tco --json >"$tmp/impact.json"
c impact --program tco --by format --json >"$tmp/by-format.json"

# Chromium builds the page: no console message, then the DOM it built.
chrome --dump-dom "file://$art/report.html" >"$tmp/dom.html" 2>"$tmp/load.log" ||
  fail "chromium could not load the report (log: $tmp/load.log)"
problems=$(console_problems "$tmp/load.log")
[ -z "$problems" ] || fail "the report logged console messages: $problems"
[ -s "$tmp/dom.html" ] || fail "chromium dumped no DOM"

node "$src/tests/e2e/report_chromium.js" "$tmp/dom.html" "$tmp/impact.json" \
  "$tmp/by-format.json" "$art/report.md" || fail "the page does not show what impact --json says (above)"

# What a reader sees, and what a printer gets.
chrome --hide-scrollbars --window-size=1280,2400 --screenshot="$art/report.png" \
  "file://$art/report.html" >/dev/null 2>"$tmp/shot.log" || fail "no screenshot (log: $tmp/shot.log)"
[ "$(stat -c %s "$art/report.png" 2>/dev/null || echo 0)" -gt 20000 ] || fail "the screenshot is empty"
chrome --no-pdf-header-footer --print-to-pdf="$art/report.pdf" "file://$art/report.html" \
  >/dev/null 2>"$tmp/pdf.log" || fail "could not print the report (log: $tmp/pdf.log)"
head -c 5 "$art/report.pdf" | grep -q '%PDF-' || fail "the printed report is not a PDF"

# The first screen in a 1280 x 800 window (puppeteer-core): no horizontal
# scroll, its numbers the JSON's, a screenshot of it and an A4 print,
# whose first page pdftoppm turns into an image for the artefacts; the
# case-study table measured at 1280 px and in print on A4.
command -v pdftoppm >/dev/null 2>&1 || fail "pdftoppm is not installed: run scripts/install-deps"
NODE_DIR=$src/build-node node "$src/tests/e2e/report_firstscreen.js" "$art/report.html" "$art" ||
  fail "the first screen (above)"
pdftoppm -png -r 60 -f 1 -l 2 "$art/report-print.pdf" "$art/report-print" ||
  fail "pdftoppm could not read the printed report"
[ -s "$art/report-print-1.png" ] || ls "$art"/report-print*.png >/dev/null 2>&1 ||
  fail "no image of the printed page"

echo "report_chromium: first screen $art/first-screen.png"
echo "report_chromium: printed page $(ls "$art"/report-print*.png | head -1)"
echo "report_chromium: screenshot $art/report.png"
echo "report_chromium: printed   $art/report.pdf"
echo "report_chromium: report    $art/report.html"
echo "report_chromium: ok"
