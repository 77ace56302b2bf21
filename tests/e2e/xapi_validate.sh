#!/usr/bin/env bash
# `casebook export xapi` end to end: a workspace with people with and
# without a usable email, sessions in each format, every attendance status,
# reaction and pre/post scores; every statement passes Learning Locker's
# validator (tests/e2e/xapi_validate.js), the statements per verb are as
# counted by hand, ids are name-based UUIDs and two exports are the same
# bytes, --since keeps what it should, and case-study submissions and
# approvals made with `casebook case` are statements. Fails (never skips)
# without the validator.
set -euo pipefail
src=${CASEBOOK_SOURCE_DIR:?}
cb=${CASEBOOK:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "xapi_validate: FAIL: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 ||
  fail "node is not installed: run scripts/install-deps (it installs nodejs and the validator)"
validate() {
  local rc=0
  node "$src/tests/e2e/xapi_validate.js" "$1" || rc=$?
  case $rc in
  0) ;;
  1) fail "$1: statements rejected by the validator (above)" ;;
  *) fail "could not run Learning Locker's xAPI validator (above)" ;;
  esac
}
# First make sure the validator is there, before any work.
echo '[]' >"$tmp/empty.json"
validate "$tmp/empty.json" >/dev/null

ws=$tmp/ws
c() { "$cb" -C "$ws" "$@"; }
"$cb" init "$ws" >/dev/null
c person add jdoe --name "Jane Doe" --role technician --email jane.doe@example.com >/dev/null
c person add bob --name "Bob Brown" --role technician >/dev/null                  # no email
c person add carla --name "Carla Díaz" --role technician --email carla@localhost >/dev/null # no usable mbox
c person add amartin --name "Ana Martin" --role trainer --email ana@example.org >/dev/null
c person add tkoch --name "Tom Koch" --role trainer >/dev/null
c program add tco --name "Total Customer Orientation" --description "Listening to customers" >/dev/null
c session record --key a --program tco --title "TCO in Lyon" --format in-person \
  --start 2025-03-03 --end 2025-03-04 --trainer amartin --location Lyon --attendee jdoe,bob,carla >/dev/null
c session record --key b --program tco --title "TCO blended" --format blended \
  --start 2025-04-07 --end 2025-04-09 --trainer amartin --attendee jdoe,bob,carla >/dev/null
c session record --key c --program tco --title "TCO online" --format virtual \
  --start 2025-05-12 --end 2025-05-12 --trainer tkoch --attendee jdoe,bob,carla >/dev/null
c session record --key d --program tco --title "TCO cancelled" --format in-person \
  --start 2025-06-02 --end 2025-06-02 --trainer tkoch --attendee jdoe >/dev/null
c session attend a jdoe --reaction 5 --pre 50 --post 80 >/dev/null
c session attend a bob --status partial --reaction 3 --pre 40 >/dev/null
c session attend a carla --status absent >/dev/null
c session attend b bob --post 70.5 >/dev/null
c session attend b carla --status partial --reaction 4 --pre 60 --post 65 >/dev/null
c session attend c jdoe --status absent >/dev/null
c session attend c carla --reaction 1 >/dev/null
c session attend d jdoe --reaction 5 >/dev/null
c session cancel d >/dev/null

# Counted by hand. attended: a jdoe, bob; b all three; c bob, carla.
# completed: status attended only (a jdoe; b jdoe, bob; c bob, carla).
# rated: a jdoe, bob; b carla; c carla. scored: a jdoe 2, bob 1; b bob 1,
# carla 2. Absent gets nothing; the cancelled session d nothing at all.
c export xapi >"$tmp/all.json"
validate "$tmp/all.json"
counts() {
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const n = {};
    for (const x of s) n[x.verb.display["en-US"]] = (n[x.verb.display["en-US"]] || 0) + 1;
    console.log(Object.keys(n).sort().map(k => k + "=" + n[k]).join(" ") + " total=" + s.length);
  ' "$1"
}
got=$(counts "$tmp/all.json")
want="attended=7 completed=5 rated=4 scored=6 total=22"
[ "$got" = "$want" ] || fail "statements per verb: got '$got', want '$want'"

# Actors, ids and the shapes the README promises.
node -e '
  const crypto = require("crypto");
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const fail = m => { console.error("xapi_validate: FAIL: " + m); process.exit(1); };
  const ids = new Set(s.map(x => x.id));
  if (ids.size !== s.length) fail("statement ids are not unique");
  const by = (verb, who) => s.filter(x => x.verb.display["en-US"] === verb &&
    (x.actor.mbox === "mailto:" + who || (x.actor.account && x.actor.account.name === who)));
  if (by("attended", "jane.doe@example.com").length !== 2) fail("jdoe is not identified by her mbox");
  for (const who of ["bob", "carla"]) {
    const a = by("attended", who)[0];
    if (!a || a.actor.account.homePage !== "https://casebook.invalid/") fail(who + " has no account actor");
  }
  // The id is the version 5 UUID of verb IRI, object id and person key.
  const uuid5 = name => {
    const ns = Buffer.from("e5f22150ee1951af920244e07dc28c24", "hex");
    const h = crypto.createHash("sha1").update(ns).update(name).digest();
    h[6] = (h[6] & 0x0f) | 0x50; h[8] = (h[8] & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString("hex");
    return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join("-");
  };
  const att = by("attended", "jane.doe@example.com").find(x => x.object.id.endsWith("/sessions/a"));
  const want = uuid5("http://adlnet.gov/expapi/verbs/attended\nhttps://casebook.invalid/xapi/sessions/a\njdoe");
  if (!att || att.id !== want) fail("the id of jdoe attended a is " + (att && att.id) + ", want " + want);
  if (att.timestamp !== "2025-03-04T00:00:00Z") fail("attended is not dated by the last day: " + att.timestamp);
  if (att.context.instructor.mbox !== "mailto:ana@example.org") fail("no trainer as instructor");
  if (att.context.contextActivities.parent[0].id !== "https://casebook.invalid/xapi/programs/tco")
    fail("the program is not the parent");
  if (att.context.extensions["https://casebook.invalid/xapi/extensions/format"] !== "in-person")
    fail("no format extension");
  const partial = by("attended", "bob").find(x => x.object.id.endsWith("/sessions/a"));
  if (partial.result.completion !== false ||
      partial.result.extensions["https://casebook.invalid/xapi/extensions/attendance-status"] !== "partial")
    fail("partial attendance is not marked");
  if (by("completed", "bob").some(x => x.object.id.endsWith("/sessions/a"))) fail("partial completed");
  const pre = by("scored", "jane.doe@example.com").find(x => x.object.id.endsWith("/sessions/a/tests/pre"));
  if (!pre || pre.result.score.raw !== 50 || pre.result.score.scaled !== 0.5 ||
      pre.context.extensions["https://casebook.invalid/xapi/extensions/test-phase"] !== "pre" ||
      pre.timestamp !== "2025-03-03T00:00:00Z")
    fail("the pre-test statement is wrong: " + JSON.stringify(pre));
  const rated = by("rated", "carla").find(x => x.object.id.endsWith("/sessions/c"));
  if (!rated || rated.result.score.raw !== 1 || rated.result.score.scaled !== 0 ||
      rated.context.instructor.account.name !== "tkoch")
    fail("the reaction statement is wrong: " + JSON.stringify(rated));
  if (s.some(x => x.object.id.endsWith("/sessions/d"))) fail("a cancelled session was exported");
  for (let i = 1; i < s.length; i++)
    if (s[i - 1].timestamp > s[i].timestamp) fail("statements are not in timestamp order");
' "$tmp/all.json"

# Deterministic: the same bytes again, on stdout and through --out.
c export xapi >"$tmp/again.json"
cmp -s "$tmp/all.json" "$tmp/again.json" || fail "two exports differ"
out=$(c export xapi --out "$tmp/out.json")
[ "$out" = "wrote 22 xAPI statements to $tmp/out.json" ] || fail "--out said: $out"
cmp -s "$tmp/all.json" "$tmp/out.json" || fail "--out wrote other bytes than stdout"
ls "$tmp" | grep -q '\.tmp-' && fail "--out left a temporary file"

# --since keeps statements dated on or after it: from 2025-04-08, b's
# statements but its pre-test (dated 2025-04-07) and all of c.
c export xapi --since 2025-04-08 >"$tmp/since.json"
validate "$tmp/since.json"
got=$(counts "$tmp/since.json")
want="attended=5 completed=4 rated=2 scored=2 total=13"
[ "$got" = "$want" ] || fail "--since 2025-04-08: got '$got', want '$want'"
got=$(counts <(c export xapi --since 2025-04-07))
[ "$got" = "attended=5 completed=4 rated=2 scored=3 total=14" ] || fail "--since 2025-04-07: got '$got'"
got=$(c export xapi --since 2025-05-12T00:00:01Z)
[ "$got" = "[]" ] || fail "--since after the last statement: got '$got'"
# The same statements keep their ids when filtered.
node -e '
  const fs = require("fs");
  const all = new Set(JSON.parse(fs.readFileSync(process.argv[1], "utf8")).map(x => x.id));
  for (const x of JSON.parse(fs.readFileSync(process.argv[2], "utf8")))
    if (!all.has(x.id)) { console.error("xapi_validate: FAIL: --since changed an id"); process.exit(1); }
' "$tmp/all.json" "$tmp/since.json"

# Case studies: submissions and approvals made through `casebook case` are
# statements too. bob's case is only submitted; then jdoe submits, amartin
# asks for changes, jdoe revises, amartin approves (the newest event, or in
# the same second as bob's, after it by slug).
c account add nordmill --name "Nordmill Paper" >/dev/null
c cover jdoe nordmill --from 2024-01-01 >/dev/null
c cover bob nordmill --from 2024-01-01 >/dev/null
case_doc() { # FILE TITLE TECHNICIAN
  printf -- '---\ntitle: %s\ntechnician: %s\naccount: nordmill\nsessions:\n  - a\n---\n\n## Situation\n\nStoppages.\n\n## Actions\n\nListened.\n\n## Outcome\n\nUptime.\n' \
    "$2" "$3" >"$1"
}
case_doc "$tmp/up.md" "Uptime at Nordmill" jdoe
case_doc "$tmp/draft.md" "A first case" bob
c case submit "$tmp/draft.md" --slug first-case >/dev/null
c case submit "$tmp/up.md" --slug nordmill-uptime >/dev/null
c case review nordmill-uptime --reviewer amartin --decision changes --comment "Which period?" >/dev/null
case_doc "$tmp/up.md" "Uptime at Nordmill since May" jdoe
c case revise nordmill-uptime "$tmp/up.md" >/dev/null
c case review nordmill-uptime --reviewer amartin --decision approve >/dev/null
c export xapi >"$tmp/cases.json" 2>"$tmp/cases.err"
[ ! -s "$tmp/cases.err" ] || fail "export with case studies warned: $(cat "$tmp/cases.err")"
validate "$tmp/cases.json"
got=$(counts "$tmp/cases.json")
want="approved=1 attended=7 completed=5 rated=4 scored=6 submitted=2 total=25"
[ "$got" = "$want" ] || fail "with case studies: got '$got', want '$want'"
# the commit that added the case (SHARD/SLUG/case.md; SHARD as FORMAT.md says)
first=$(TZ=UTC git -C "$ws/cases" log --diff-filter=A --date=format-local:%Y-%m-%dT%H:%M:%SZ \
  --format=%ad main -- "$(printf %s nordmill-uptime | git hash-object --stdin | cut -c1-2)/nordmill-uptime/case.md")
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const is = (x, verb, who, slug) => x.verb.id === "http://activitystrea.ms/schema/1.0/" + verb &&
    (x.actor.mbox === "mailto:" + who || (x.actor.account && x.actor.account.name === who)) &&
    x.object.id === "https://casebook.invalid/xapi/cases/" + slug;
  const sub = s.filter(x => is(x, "submit", "jane.doe@example.com", "nordmill-uptime"));
  const app = s.filter(x => is(x, "approve", "ana@example.org", "nordmill-uptime"));
  const bob = s.filter(x => is(x, "submit", "bob", "first-case"));
  const ok = sub.length === 1 && app.length === 1 && bob.length === 1 &&
    sub[0].timestamp === process.argv[2] && app[0] === s[s.length - 1] &&
    sub[0].object.definition.name.und === "Uptime at Nordmill since May";
  if (!ok) { console.error("xapi_validate: FAIL: case events: " + JSON.stringify([sub, app, bob])); process.exit(1); }
' "$tmp/cases.json" "$first"
# The sessions are of 2025; the cases were written now, from the first
# case's commit on (first-case, a second or more before nordmill-uptime
# on a slow machine).
since=$(TZ=UTC git -C "$ws/cases" log --diff-filter=A --date=format-local:%Y-%m-%dT%H:%M:%SZ \
  --format=%ad main -- "$(printf %s first-case | git hash-object --stdin | cut -c1-2)/first-case/case.md")
got=$(counts <(c export xapi --since "$since"))
[ "$got" = "approved=1 submitted=2 total=3" ] || fail "--since $since with case studies: got '$got'"
got=$(counts <(c export xapi --since 2099-01-01))
[ "$got" = " total=0" ] || fail "--since 2099-01-01: got '$got'"
# With the workspace's own base the validator takes them too.
c export xapi --base https://training.example.com/acme/xapi/ >"$tmp/based.json"
validate "$tmp/based.json"
grep -q '"https://training.example.com/acme/xapi/cases/nordmill-uptime"' "$tmp/based.json" ||
  fail "--base: no case activity under the base"
echo "xapi_validate: ok"
