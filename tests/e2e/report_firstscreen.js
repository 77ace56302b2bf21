// The report's first screen as a reader with a 1280 x 800 window sees it,
// through puppeteer-core driving Debian's Chromium (offline, no browser
// download): it keeps a screenshot of that screen, measures that the page
// needs no horizontal scroll at 1280 px (and says which elements stick
// out), prints the page to PDF, checks that every number the first
// screen shows is one the embedded impact JSON gives, and that the
// case-study table fits the window and an A4 page.
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

  // The case-study table fits: at 1280 px its scrolling container needs
  // no scroll and no cell reaches past the window; printed on A4 (the
  // page box 210 mm less the report's 14 mm margins, at 96 px an inch)
  // the table and every cell lie within the page box.
  const casesTable = (box) => {
    const h = document.getElementById('cases');
    let e = h && h.nextElementSibling;
    while (e && !e.classList.contains('scroll')) {
      if (e.tagName === 'H2') return null;
      e = e.nextElementSibling;
    }
    const t = e && e.querySelector('table');
    if (!t) return null;
    const limit = box || document.documentElement.clientWidth;
    const cells = [...t.querySelectorAll('th, td')];
    const past = cells.filter((c) => c.getBoundingClientRect().right > limit + 0.5)
      .map((c) => `"${c.textContent.slice(0, 30)}" to ${Math.round(c.getBoundingClientRect().right)} px`);
    return {rows: t.tBodies[0].rows.length, scroll: e.scrollWidth, client: e.clientWidth,
      width: t.getBoundingClientRect().width, tableScroll: t.scrollWidth, limit, cells: cells.length, past};
  };
  const fits = (m, where) => {
    check(m !== null, `${where}: no case-study table`);
    if (!m) return false;
    check(m.rows === 2 && m.cells === 18, `${where}: the case-study table has ${m.rows} rows, ${m.cells} cells (want 2, 18)`);
    const ok = m.scroll <= m.client && m.width <= m.limit + 0.5 && m.past.length === 0;
    return {ok, what: `${where}: the case-study table is ${Math.round(m.width)} px wide (container ${m.client} px, ` +
      `scrolls to ${m.scroll} px; room ${Math.round(m.limit)} px)${m.past.length ? '; cells past it: ' + m.past.join(', ') : ''}`};
  };
  const screen = fits(await page.evaluate(casesTable, 0), 'at 1280 px');
  if (screen) check(screen.ok, screen.what);
  const a4 = (210 - 2 * 14) / 25.4 * 96;
  await page.emulateMediaType('print');
  await page.setViewport({width: Math.floor(a4), height: 1123});
  const printed = fits(await page.evaluate(casesTable, a4), 'printed on A4');
  if (printed) check(printed.ok, printed.what);
  // The measure must be able to fail: cells kept on one line do not fit.
  await page.addStyleTag({content: '#cases ~ .scroll td{white-space:nowrap !important}'});
  const unwrapped = fits(await page.evaluate(casesTable, a4), 'unwrapped');
  check(unwrapped && !unwrapped.ok, 'the measure missed a case-study table kept on one line per cell');
  await page.reload({waitUntil: 'load'});
  await page.emulateMediaType(null);
  await page.setViewport({width: 1280, height: 800});

  // The printed page.
  await page.pdf({path: path.join(out, 'report-print.pdf'), format: 'A4', printBackground: true});
  await browser.close();
  if (failed) process.exit(1);
  console.log(`report_firstscreen.js: ok (${numbers} numbers on the first screen, page ${width.scroll} px wide; ` +
    `${screen.what}; ${printed.what})`);
})().catch((e) => {
  console.error(`report_firstscreen.js: ${e.stack || e}`);
  process.exit(1);
});
