// A sample of the server's pages (tests/view/page_sample.c) as a reader
// sees it, through puppeteer-core driving Debian's Chromium: axe-core's
// WCAG 2.x A and AA rules find no serious or critical violation, at a
// desktop width and at a phone's; on the phone nothing needs a sideways
// scroll but a table's own box; no console message.
//   node page_axe.js PAGE.html OUT_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.join(process.env.NODE_DIR, 'node_modules');
const puppeteer = require(path.join(modules, 'puppeteer-core'));
const axe = fs.readFileSync(path.join(modules, 'axe-core', 'axe.min.js'), 'utf8');

const [file, out] = process.argv.slice(2);
let failed = 0;
const check = (ok, what) => {
  if (!ok) {
    console.error(`page_axe.js: ${what}`);
    failed++;
  }
};

(async () => {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const screens = [
    {name: 'desktop', width: 1280, height: 800, isMobile: false},
    {name: 'phone', width: 375, height: 667, isMobile: true, deviceScaleFactor: 2},
  ];
  let rules = 0;
  for (const screen of screens) {
    const page = await browser.newPage();
    const messages = [];
    page.on('console', (m) => messages.push(m.text()));
    page.on('pageerror', (e) => messages.push(String(e)));
    await page.setViewport(screen);
    await page.goto(`file://${path.resolve(file)}`, {waitUntil: 'load'});
    check(messages.length === 0, `${screen.name}: console messages: ${messages.join(' | ')}`);
    const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.field label')).display);
    check(styled === 'block', `${screen.name}: the stylesheet did not load`);

    // axe runs through the DevTools protocol, as no page script could.
    await page.evaluate(axe);
    const result = await page.evaluate(() =>
      axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}));
    rules += result.passes.length;
    for (const v of result.violations) {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
      if (v.impact === 'serious' || v.impact === 'critical')
        check(false, `${screen.name}: ${v.impact}: ${v.id}: ${v.help} (${where})`);
      else
        console.log(`page_axe.js: ${screen.name}: note, ${v.impact}: ${v.id}: ${v.help} (${where})`);
    }

    // Only a table's own box may scroll sideways.
    const width = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.table') && e.getBoundingClientRect().right > w + 0.5)
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      return {scroll: document.documentElement.scrollWidth, client: w, wide};
    });
    check(width.scroll <= width.client,
      `${screen.name}: the page is ${width.scroll} px wide in ${width.client} px: ${width.wide.join(', ')}`);
    await page.screenshot({path: path.join(out, `page-${screen.name}.png`), fullPage: true});
    await page.close();
  }
  await browser.close();
  check(rules > 20, `axe passed only ${rules} rules: did it run?`);
  if (!failed)
    console.log(`page_axe.js: no serious accessibility violation (${rules} rule checks passed), ` +
      'no sideways scroll on a phone');
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(`page_axe.js: ${e.stack || e}`);
  process.exit(1);
});
