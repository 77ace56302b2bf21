#!/usr/bin/env bash
# The server's main flows as the team lives them, in real headless
# Chromium against a real `casebook serve` on 127.0.0.1 (tests/e2e/
# serve_flow.js, no mocks): a technician sets a password from an
# invitation, writes a case study in the form, previews its evidence,
# submits and revises it, reads its history and diff and answers the
# changes a reviewer asks for; a trainer records the class and a new
# session and reviews the case (changes, then approval despite the
# evidence) and publishes it; an administrator invites the manager in the
# browser and imports a KPI file; the manager reads the dashboard and the
# live report, downloads it (JSON, CSV as impact, HTML and Markdown as
# report give them) and may not publish; everyone signs out. Refused forms
# keep what was typed. axe-core checks every distinct page; a phone needs
# no sideways scroll on the homes, the forms and the report. Then the
# command line must find what the browser entered, committed in the right
# names, the workspace consistent. Keeps screenshots and downloads under
# the build folder (KEEP_WS=1 keeps the workspace of a failed run). Fails
# (never skips) without chromium, node or the npm tools.
set -euo pipefail
cb=${CASEBOOK:?}
src=${CASEBOOK_SOURCE_DIR:?}
build=$(cd "$(dirname "$cb")" && pwd)
art=$build/test-artefacts/serve_flow
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "${KEEP_WS:-}" ] || rm -rf "$tmp"' EXIT
fail() {
  echo "serve_flow: FAIL: $*" >&2
  [ -s "$tmp/err" ] && { echo "serve_flow: the server said:" >&2; tail -n 20 "$tmp/err" >&2; }
  [ -n "${KEEP_WS:-}" ] && echo "serve_flow: the workspace is kept in $ws" >&2
  exit 1
}
ws=$tmp/ws
c() { "$cb" -C "$ws" "$@"; }

command -v chromium >/dev/null 2>&1 || fail "chromium is not installed: run scripts/install-deps"
command -v node >/dev/null 2>&1 || fail "node is not installed: run scripts/install-deps"
for m in puppeteer-core axe-core; do
  [ -d "$src/build-node/node_modules/$m" ] ||
    fail "$m is not installed in $src/build-node: run scripts/install-deps (it needs the npm registry)"
done
rm -rf "$art"
mkdir -p "$art"

# The workspace: four accounts measured daily for half a year (north and
# south trained in March), a trainer, two technicians, a manager.
"$cb" init "$ws" >/dev/null
for a in north south east west; do c account add "$a" --name "${a^} Mill" >/dev/null; done
c person add tina --name "Tina Trainer" --role trainer --email tina@example.com >/dev/null
c person add tom --name "Tom Tech" --role technician --email tom@example.com >/dev/null
c person add ted --name "Ted Field" --role technician --email ted@example.com >/dev/null
c person add mia --name "Mia Manager" --role manager --email mia@example.com >/dev/null
c person add ada --name "Ada Admin" --role admin --email ada@example.com >/dev/null
c cover tom north --from 2024-01-01 >/dev/null
c cover tom south --from 2024-01-01 >/dev/null
c cover ted east --from 2024-01-01 >/dev/null
c program add tco --name "Customer orientation" >/dev/null
c session record --program tco --title "Cohort 1" --format in-person --start 2025-03-03 \
  --end 2025-03-04 --trainer tina --attendee tom --attendee ted --account north --account south \
  --key tco-c1 >/dev/null
c session record --program tco --title "Follow-up clinic" --format virtual --start 2025-03-17 \
  --end 2025-03-17 --trainer tina --attendee tom --key tco-c1b >/dev/null
{
  echo "account,measure,at,value"
  i=0
  for a in north south east west; do
    for m in 01 02 03 04 05 06; do
      for d in $(seq -w 1 28); do
        i=$((i + 1))
        echo "$a,repair.hours,2025-$m-${d}T10:00:00Z,$((i * 7 % 5 + 2))"
      done
    done
  done
} >"$tmp/obs.csv"
c data import "$tmp/obs.csv" >/dev/null

# The binary itself in the background, not the function c: $! would be
# the subshell running c, and killing it would leave the server running.
"$cb" -C "$ws" serve --listen 127.0.0.1:0 --json >"$tmp/ready" 2>"$tmp/err" &
server=$!
for _ in $(seq 1 100); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
url=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$tmp/ready")
[ -n "$url" ] || fail "the server did not start: $(cat "$tmp/err")"
url=${url%/}
invite() { c person invite "$1" --url "$url" --json | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p'; }
# The manager's invitation the administrator makes in the browser.
for p in tom tina ada; do
  link=$(invite "$p")
  [ -n "$link" ] || fail "person invite $p printed no link"
  echo "$p $link" >>"$tmp/invites"
done

# The question the manager asks in the browser, asked of the command line
# now: the data does not change between the two but for what the browser
# enters, and serve_flow.js asks again after the trainer's changes.
printf 'account,measure,at,value\nwest,repair.hours,2025-06-29T10:00:00Z,3\nwest,repair.hours,2025-06-30T10:00:00Z,4\n' >"$tmp/good.csv"
printf 'account,measure,at,value\nwest,repair.hours,2025-06-29T10:00:00Z,3\nwest,repair.hours,2025-06-31T10:00:00Z,4\n' >"$tmp/bad.csv"
UPLOADS=$tmp SERVE_URL=$url INVITES=$tmp/invites CASEBOOK=$cb WS=$ws OUT=$art NODE_DIR=$src/build-node \
  timeout 300 node "$src/tests/e2e/serve_flow.js" || fail "the browser flows (above)"

# What the browser entered, as the command line sees it.
slug=$(cat "$art/slug")
c case show "$slug" --json >"$tmp/case.json" || fail "case show $slug"
c session show tco-c1 --json >"$tmp/session.json" || fail "session show tco-c1"
node - "$tmp/case.json" "$tmp/session.json" <<'EOF' || fail "the command line does not show what the browser entered (above)"
const fs = require('fs');
const [cf, sf] = process.argv.slice(2);
const c = JSON.parse(fs.readFileSync(cf, 'utf8'));
const s = JSON.parse(fs.readFileSync(sf, 'utf8'));
const bad = [];
const text = JSON.stringify(c);
const doc = c.doc || c.case || c;
const find = (o, k) => {
  if (!o || typeof o !== 'object') return undefined;
  if (k in o) return o[k];
  for (const v of Object.values(o)) { const r = find(v, k); if (r !== undefined) return r; }
  return undefined;
};
const situation = find(c, 'situation');
if (typeof situation !== 'string') bad.push('no situation in case show --json');
else {
  if (situation.includes('\r')) bad.push('the situation kept CR line endings');
  if (!situation.includes('The line stopped twice a week.\nParts came late.\nThe supplier was Acme Bearings.'))
    bad.push(`the multi-line situation was lost: ${JSON.stringify(situation)}`);
}
if (c.title !== 'Faster repairs at North Mill — 2× quicker, <b>Grüße</b>') bad.push(`the title did not land as typed: ${c.title}`);
const actions = find(c, 'actions');
if (typeof actions !== 'string' || !actions.includes('revised in the browser'))
  bad.push(`the revision did not land: ${JSON.stringify(actions)}`);
if (find(c, 'status') !== 'published') bad.push(`status ${find(c, 'status')}, not published`);
const reviews = c.reviews || [];
const approved = reviews.find((r) => r.decision === 'approved');
if (!approved || approved.email !== 'tina@example.com') bad.push(`no approval by tina: ${JSON.stringify(reviews)}`);
else {
  if (!approved.comment.includes('The customer confirmed the new figures in writing'))
    bad.push(`the despite-evidence reason is not in the review: ${JSON.stringify(approved.comment)}`);
  if (!approved.comment.includes('Clear story.\nWell told.') || approved.comment.includes('\r'))
    bad.push(`the review's multi-line comment was not kept with LF: ${JSON.stringify(approved.comment)}`);
}
if (!reviews.some((r) => r.decision === 'published' && r.email === 'tina@example.com'))
  bad.push('not published by tina');
const claim = (c.claims || [])[0];
if (!claim || claim.kpi !== 'mttr' || claim.before !== 48 || claim.after !== 1.5 ||
    claim.period !== '2025-04-01..2025-06-28' || claim.evidence !== 'disagrees')
  bad.push(`the claim did not land as entered: ${JSON.stringify(claim)}`);
if (JSON.stringify(c.sessions) !== JSON.stringify(['tco-c1', 'tco-c1b']) || c.account !== 'north')
  bad.push(`the account and sessions chosen did not land: ${c.account} ${JSON.stringify(c.sessions)}`);
const att = find(s, 'attendees') || [];
const tom = att.find((a) => a.person === 'tom'), ted = att.find((a) => a.person === 'ted');
if (!tom || tom.status !== 'attended' || tom.reaction !== 5 || tom.pre_score !== 40 || tom.post_score !== 85)
  bad.push(`tom's attendance did not land: ${JSON.stringify(tom)}`);
if (!ted || ted.status !== 'partial' || ted.reaction !== 3 || ted.pre_score !== 55.5 || ted.post_score !== 70)
  bad.push(`ted's attendance did not land: ${JSON.stringify(ted)}`);
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
EOF
file=$(git -C "$ws/cases" ls-tree -r --name-only HEAD | grep "/$slug/case.md\$") ||
  fail "no case.md of $slug in the repository"
git -C "$ws/cases" show "HEAD:$file" >"$tmp/case.md"
grep -q $'\r' "$tmp/case.md" && fail "the committed $file holds CR line endings"
grep -q '^The line stopped twice a week\.$' "$tmp/case.md" || fail "the committed $file lost the situation's lines"
c data batches --json | grep -q '"good.csv"' || fail "the batch imported in the browser is not in data batches"
c data batches --json | grep -q '"bad.csv"' && fail "the file with errors was imported"
c session list --json | grep -q '"Cohort 3 (browser)"' || fail "the session recorded in the browser is not in session list"

# Every commit but the repository's first (casebook init's, by Casebook).
root=$(git -C "$ws/cases" rev-list --max-parents=0 HEAD)
authors=$(git -C "$ws/cases" log --format='%an <%ae>' "$root..HEAD")
grep -qx 'Tom Tech <tom@example.com>' <<<"$authors" ||
  fail "the technician is not an author of the case commits: $authors"
grep -qx 'Tina Trainer <tina@example.com>' <<<"$authors" ||
  fail "the trainer is not an author of the review commits: $authors"
[ "$(grep -c -x 'Tom Tech <tom@example.com>' <<<"$authors")" -eq 3 ] ||
  fail "the submission and the two revisions are not all by the technician: $authors"
other=$(grep -v -x -e 'Tom Tech <tom@example.com>' -e 'Tina Trainer <tina@example.com>' <<<"$authors" || true)
[ -z "$other" ] || fail "commits by someone else than the technician and the trainer: $other"
git -C "$ws/cases" fsck --no-progress >"$tmp/fsck" 2>&1 || fail "git fsck: $(cat "$tmp/fsck")"
[ ! -s "$tmp/fsck" ] || fail "git fsck is not clean: $(cat "$tmp/fsck")"
c check >"$tmp/check" 2>&1 || fail "casebook check: $(cat "$tmp/check")"
grep -qi consistent "$tmp/check" || fail "casebook check does not say consistent: $(cat "$tmp/check")"
grep -qi 'inconsistent' "$tmp/check" && fail "casebook check: $(cat "$tmp/check")"
echo "serve_flow: ok (screenshots in $art)"
