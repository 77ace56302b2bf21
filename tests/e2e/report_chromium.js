// Compares the DOM Chromium built from a casebook report with a fresh
// `impact --json` (and `impact --by format --json`) of the same question:
// the embedded data equals them, every chart the data calls for is there,
// and each number the page shows is the JSON's, rounded to 2 decimals. The
// Markdown report must show the same cells.
//
//   node report_chromium.js DOM.html IMPACT.json BY_FORMAT.json REPORT.md
// Exit 0 when all holds, 1 (saying what differs) otherwise.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');

const [domFile, impactFile, byFile, mdFile] = process.argv.slice(2);
const dom = fs.readFileSync(domFile, 'utf8');
const impact = JSON.parse(fs.readFileSync(impactFile, 'utf8'));
const byFormat = JSON.parse(fs.readFileSync(byFile, 'utf8'));
const md = fs.readFileSync(mdFile, 'utf8');
let checks = 0;

function check(cond, what) {
  checks++;
  if (!cond) {
    console.error(`report_chromium.js: ${what}`);
    process.exit(1);
  }
}

// The embedded data, as the browser kept it.
const block = dom.match(/<script type="application\/json" id="casebook-data">([\s\S]*?)<\/script>/);
check(block, 'no casebook-data block in the DOM');
const data = JSON.parse(block[1]);
try {
  assert.deepStrictEqual(data.impact, impact);
  checks++;
} catch (e) {
  check(false, `the embedded impact differs from impact --json:\n${e.message.slice(0, 2000)}`);
}
try {
  assert.deepStrictEqual(data.by_format, byFormat);
  checks++;
} catch (e) {
  check(false, `the embedded formats differ from impact --by format --json:\n${e.message.slice(0, 2000)}`);
}

// Every chart the data calls for, and no other.
const observed = (k) => Object.values(k.observations).some((n) => n > 0);
const kpis = impact.kpis.filter(observed);
const count = (re) => (dom.match(re) || []).length;
const expected = {
  'chart-kpi': kpis.filter((k) => k.exposed.paired > 0 || (k.control && k.control.paired > 0)).length,
  'chart-effect': kpis.filter((k) => !k.thin).length,
  // The event study of every KPI with an effect, one window -1 .. 0 at least.
  'chart-events': kpis.filter((k) => !k.thin && k.event_study.length >= 2).length,
  'chart-series': data.series.length,
  'chart-format': kpis.filter((k) =>
    !k.thin || byFormat.groups.some((g) => !g.impact.kpis.find((x) => x.kpi === k.kpi).thin)).length,
  'chart-roi': impact.kpis.some((k) => k.roi && k.roi.computed && k.roi.estimate.roi_percent !== null) ? 1 : 0,
};
let total = 0;
for (const [cls, want] of Object.entries(expected)) {
  const got = count(new RegExp(`<svg[^>]*class="chart ${cls}"`, 'g'));
  check(got === want, `${want} ${cls} charts expected, the page has ${got}`);
  total += want;
}
check(count(/<svg\b/g) === total, `${total} charts in all expected, the page has ${count(/<svg\b/g)}`);
check(expected['chart-series'] > 0 && expected['chart-effect'] > 0, 'the test data shows no effect');
// Charts are readable without hovering: real text labels.
check(/<svg[^>]*chart-kpi[\s\S]*?<text[^>]*>Exposed \(\d+\)<\/text>/.test(dom), 'no labels in the KPI charts');

// The numbers shown: the summary table's row of each KPI.
const cells = (row) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
const close = (text, value) => {
  const shown = Number(text);
  return value === null ? text === '–' : Math.abs(shown - value) <= 0.005 + 1e-9;
};
for (const k of kpis) {
  const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const row = dom.match(new RegExp(`<tr[^>]*><td class="w">${esc(k.name)}</td>[\\s\\S]*?</tr>`));
  check(row, `no summary row for ${k.kpi}`);
  const c = cells(row[0]);
  check(close(c[3], k.exposed.baseline), `${k.kpi}: baseline ${c[3]} is not ${k.exposed.baseline}`);
  check(close(c[4], k.exposed.follow_up), `${k.kpi}: follow-up ${c[4]} is not ${k.exposed.follow_up}`);
  check(close(c[7], k.effect), `${k.kpi}: effect ${c[7]} is not ${k.effect}`);
  if (!k.thin) {
    const ci = c[8].match(/^\[(-?[\d.]+), (-?[\d.]+)\]$/);
    check(ci && close(ci[1], k.effect_ci.low) && close(ci[2], k.effect_ci.high),
      `${k.kpi}: interval ${c[8]} is not [${k.effect_ci.low}, ${k.effect_ci.high}]`);
    // p and its adjusted value, 3 decimals ("&lt;0.001" below).
    const shownP = (v) => (v < 0.001 ? '&lt;0.001' : v.toFixed(3));
    check(c[9] === `${shownP(k.p_value)} (${shownP(k.p_adjusted)})`,
      `${k.kpi}: p ${c[9]} is not ${k.p_value} (${k.p_adjusted})`);
  }
  // The same cells in the Markdown report (which escapes brackets and _).
  const unhtml = (x) => x.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const mdRow = `| ${c.map((x) => unhtml(x).replace(/[\\`*_[\]<>#|]/g, '\\$&')).join(' | ')} |`;
  check(md.includes(mdRow), `the Markdown report lacks the row ${mdRow}`);
}
// The case studies: a row each in the case-study table, slug first and
// the evidence (with the reason of an approval against it) last.
check(data.case_studies.length === 2, `2 case studies expected in the data, ${data.case_studies.length} found`);
const casesSection = dom.slice(dom.indexOf('<h2 id="cases">'), dom.indexOf('<h2 id="method">'));
for (const cs of data.case_studies) {
  const row = casesSection.match(new RegExp(`<tr><td class="w">${cs.slug}</td>[\\s\\S]*?</tr>`));
  check(row, `no case-study row for ${cs.slug}`);
  if (!row) continue;
  const c = cells(row[0]);
  const evidence = cs.despite_evidence
    ? `${cs.evidence}; approved despite the evidence by ${cs.despite_evidence.reviewer}: ${cs.despite_evidence.reason}`
    : cs.evidence;
  check(c.length === 6 && c[2] === cs.account && c[4] === cs.status &&
    c[5].replace(/&#39;|&#x27;/g, "'") === evidence,
  `${cs.slug}: the row ${c.join(' | ')} is not ${cs.account}, ${cs.status}, ${evidence}`);
}
console.log(`report_chromium.js: ${checks} checks passed (${total} charts, ${kpis.length} KPIs with data)`);
