// The report's first screen as a reader with a 1280 x 800 window sees it,
// through puppeteer-core driving Debian's Chromium (offline, no browser
// download): it keeps a screenshot of that screen, measures that the page
// needs no horizontal scroll at 1280 px (and says which elements stick
// out), prints the page to PDF, and checks that every number the first
// screen shows is one the embedded impact JSON gives.
//   node report_firstscreen.js REPORT.html OUT_DIR
'use strict';
const path = require('path');
const puppeteer = require(path.join(process.env.NODE_DIR, 'node_modules', 'puppeteer-core'));

const [report, out] = process.argv.slice(2);
let failed = 0;
const check = (ok, what) => {
  if (!ok) {
    console.error(`report_firstscreen.js: ${what}`);
    failed++;
  }
};

(async () => {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const messages = [];
  page.on('console', (m) => messages.push(m.text()));
  page.on('pageerror', (e) => messages.push(String(e)));
  await page.setViewport({width: 1280, height: 800});
  await page.goto(`file://${path.resolve(report)}`, {waitUntil: 'load'});
  check(messages.length === 0, `console messages: ${messages.join(' | ')}`);

  // No horizontal scroll at 1280 px.
  const width = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent || '').slice(0, 30)}"`);
    return {scroll: document.documentElement.scrollWidth, client: w, wide};
  });
  check(width.scroll <= width.client,
    `the page is ${width.scroll} px wide in a ${width.client} px window: ${width.wide.join(', ')}`);
  await page.screenshot({path: path.join(out, 'first-screen.png')});

  // The first screen's numbers: the answer section.
  const shown = await page.evaluate(() => {
    const s = document.querySelector('#answer');
    const parts = [];
    for (let e = s; e; e = e.nextElementSibling) {
      if (e !== s && e.tagName === 'H2') break;
      parts.push(e.innerText);
    }
    return parts.join('\n');
  });
  const data = await page.evaluate(() => JSON.parse(document.getElementById('casebook-data').textContent));
  const im = data.impact;
  check(shown.includes(im.summary), 'the first screen does not show the impact summary as --json gives it');
  const allowed = new Set();
  const add = (v, digits) => {
    if (typeof v !== 'number') return;
    for (const d of digits) {
      allowed.add(v.toFixed(d));
      allowed.add((v >= 0 ? '+' : '') + v.toFixed(d));
    }
  };
  const money = (v) => Math.round(Math.abs(v)).toLocaleString('en-US');
  const walk = (o) => {
    if (o === null || o === undefined) return;
    if (typeof o === 'number') { add(o, [0, 1, 2, 3]); return; }
    if (Array.isArray(o)) { o.forEach(walk); return; }
    if (typeof o === 'object') Object.values(o).forEach(walk);
  };
  walk({k: im.kpis.map((k) => [k.effect, k.effect_ci, k.exposed, k.control, k.p_value, k.p_adjusted]),
    roi: im.roi, counts: im.counts, by: data.by_format && data.by_format.comparison,
    n: [im.exposed_accounts, im.control.accounts, im.cohorts.length, im.sessions.length,
      im.intervals.level * 100, im.windows.days, im.windows.lag_days]});
  if (im.roi) for (const v of [im.roi.benefit, im.roi.benefit_conservative, im.roi.cost]) allowed.add(money(v));
  for (const d of im.sessions) for (const t of [d.first_day, d.last_day]) allowed.add(t);
  // Dates first (they hold hyphens), then every other number.
  let rest = shown.replace(/\d{4}-\d{2}-\d{2}/g, (m) => { check(allowed.has(m), `date ${m} is not the JSON's`); return ' '; });
  rest = rest.replace(/\d[\d,]*,\d{3}/g, (m) => { check(allowed.has(m), `amount ${m} is not the JSON's`); return ' '; });
  let numbers = 0;
  for (const m of rest.matchAll(/[+-]?\d+(\.\d+)?/g)) {
    numbers++;
    check(allowed.has(m[0]), `the first screen shows ${m[0]}, which the JSON does not give`);
  }
  check(numbers >= 5, `only ${numbers} numbers on the first screen`);

  // The printed page.
  await page.pdf({path: path.join(out, 'report-print.pdf'), format: 'A4', printBackground: true});
  await browser.close();
  if (failed) process.exit(1);
  console.log(`report_firstscreen.js: ok (${numbers} numbers on the first screen, page ${width.scroll} px wide)`);
})().catch((e) => {
  console.error(`report_firstscreen.js: ${e.stack || e}`);
  process.exit(1);
});
