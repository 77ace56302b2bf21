// The team's flows through `casebook serve` in Debian's Chromium, driven
// by puppeteer-core (tests/e2e/serve_flow.sh makes the workspace and
// starts the server, and checks afterwards what the command line sees):
// each person in a browser context of their own, as on their own
// machine, signing in from their invitation; every form is filled and
// sent as a person would, every page answered 2xx/3xx but the refusals
// the step expects (which must keep what was typed); axe-core on every
// distinct page, for each person, and at a phone's width; screenshots at
// 1280 x 800 and 390 x 844 of the key pages, where the phone needs no
// sideways scroll. Prints which step failed.
//   SERVE_URL=... INVITES=FILE CASEBOOK=BIN WS=DIR OUT=DIR NODE_DIR=DIR node serve_flow.js
'use strict';
const fs = require('fs');
const path = require('path');
const {execFileSync} = require('child_process');
const modules = path.join(process.env.NODE_DIR, 'node_modules');
const puppeteer = require(path.join(modules, 'puppeteer-core'));
const axeSource = fs.readFileSync(path.join(modules, 'axe-core', 'axe.min.js'), 'utf8');

const base = process.env.SERVE_URL;
const out = process.env.OUT;
const invites = Object.fromEntries(fs.readFileSync(process.env.INVITES, 'utf8')
  .trim().split('\n').map((l) => l.split(' ')));
const cli = (...args) => execFileSync(process.env.CASEBOOK, ['-C', process.env.WS, ...args],
  {encoding: 'utf8'});

let step = 'starting';
let newSession; // the key of the session the trainer records
class StepFailure extends Error {}
const must = (ok, what) => {
  if (!ok) throw new StepFailure(what);
};

const DESKTOP = {width: 1280, height: 800};
// Not isMobile: puppeteer reloads the page to change it, which would
// send a POST again and empty a form half filled in; the layout is the
// same at a 390 px viewport.
const PHONE = {width: 390, height: 844, deviceScaleFactor: 2};
const checked = new Map(); // axe's key -> the step where it ran
const distinct = new Set(); // the pages, as routes
const violations = [];

// A page as a route: its path with this run's slugs, keys and tokens as
// "*", and the names of its query (not the values, nor the flash's).
const route = (u) => {
  const x = new URL(u);
  const p = x.pathname
    .replace(/^\/(invite|sessions|cases|people)\/(?!new$)[^/]+/, '/$1/*');
  const q = [...x.searchParams.keys()].filter((k) => !['saved', 'recorded', 'done'].includes(k))
    .sort().join('&');
  return p + (q ? `?${q}` : '');
};

// axe-core on the page, once per route and person (a case's page differs
// for its author, its reviewer and a manager); `state` names a page that
// is not its route's usual one (the preview, a refusal).
async function axe(page, who, state) {
  const r0 = route(page.url()) + (state ? ` (${state})` : '');
  const key = `${who} ${r0}`;
  if (who !== 'phone') distinct.add(r0);
  if (checked.has(key)) return;
  checked.set(key, step);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const r = await page.evaluate(() => axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}));
  must(r.passes.length > 10, `axe passed only ${r.passes.length} rules on ${r0}: did it run?`);
  for (const v of r.violations) {
    const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
    violations.push(`${page.url()} as ${who} (${step}): ${v.impact}: ${v.id}: ${v.help} (${where})`);
  }
}

// Sideways scroll at the page's current width; which elements stick out.
async function noSideScroll(page, what) {
  const w = await page.evaluate(() => {
    const cw = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => !e.closest('.table') && e.getBoundingClientRect().right > cw + 0.5)
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return {scroll: document.documentElement.scrollWidth, client: cw, wide};
  });
  must(w.scroll <= w.client, `${what}: ${w.scroll} px wide in a ${w.client} px phone: ${w.wide.join(', ')}`);
}

// Screenshots at both sizes; on the phone, no sideways scroll.
async function shoot(page, name, {checkPhone = true} = {}) {
  await page.evaluate(() => window.scrollTo(0, 0)); // the first screen, not where typing left it
  await page.screenshot({path: path.join(out, `${name}-desktop.png`)});
  await page.setViewport(PHONE);
  if (checkPhone) await noSideScroll(page, name);
  await axe(page, 'phone', name);
  await page.screenshot({path: path.join(out, `${name}-phone.png`), fullPage: true});
  await page.setViewport(DESKTOP);
}

class Person {
  constructor(browser, key) {
    this.browser = browser;
    this.key = key;
    this.expected = new Set(); // statuses the next navigation may answer
  }

  async open() {
    this.ctx = await this.browser.createBrowserContext();
    this.page = await this.ctx.newPage();
    // Generous: other builds may share this machine; a page that never
    // comes still fails, and says which step it was.
    this.page.setDefaultTimeout(90000);
    await this.page.setViewport(DESKTOP);
    this.messages = [];
    this.page.on('console', (m) => this.messages.push(m.text()));
    this.page.on('pageerror', (e) => this.messages.push(String(e)));
    this.page.on('response', (r) => {
      if (r.request().resourceType() !== 'document' && r.request().resourceType() !== 'stylesheet')
        return;
      const s = r.status();
      if (s >= 400 && !this.expected.has(s))
        this.bad = `${r.request().method()} ${r.url()} answered ${s}`;
      // The headers every answer carries (README; Referrer-Policy is
      // same-origin, as core/serve/server.c says why, not no-referrer).
      const h = r.headers();
      const csp = h['content-security-policy'] || '';
      const missing = [
        [/default-src 'none'/.test(csp) && /frame-ancestors 'none'/.test(csp) && !/script-src/.test(csp), 'the CSP'],
        [h['x-content-type-options'] === 'nosniff', 'X-Content-Type-Options'],
        [h['referrer-policy'] === 'same-origin', 'Referrer-Policy'],
        [h['x-frame-options'] === 'DENY', 'X-Frame-Options'],
        [/no-store/.test(h['cache-control'] || ''), 'Cache-Control'],
      ].filter(([ok]) => !ok).map(([, what]) => what);
      if (missing.length && !this.bad)
        this.bad = `${r.request().method()} ${r.url()} (${s}) lacks ${missing.join(', ')}`;
    });
  }

  // Runs `act` (a click, a goto) and waits for the page it leads to;
  // fails on an unexpected 4xx/5xx, a console message or a missing style.
  async nav(act, {expect = [], check = true} = {}) {
    this.bad = null;
    this.expected = new Set(expect);
    const [resp] = await Promise.all([
      this.page.waitForNavigation({waitUntil: 'load'}),
      act(),
    ]);
    // The browser logs every 4xx it loads: those the step expects are no news.
    this.messages = this.messages.filter((m) => {
      const st = /responded with a status of (\d+)/.exec(m);
      return !(st && this.expected.has(Number(st[1])));
    });
    this.expected = new Set();
    if (this.bad) {
      const flash = await this.page.$eval('body', (b) => b.innerText.slice(0, 400)).catch(() => '');
      throw new StepFailure(`${this.bad}: ${flash.replace(/\s+/g, ' ')}`);
    }
    must(this.messages.length === 0, `console messages on ${this.page.url()}: ${this.messages.join(' | ')}`);
    if (expect.length)
      must(resp && expect.includes(resp.status()),
        `${this.page.url()} answered ${resp && resp.status()}, not the refusal expected (${expect})`);
    // Both style sheets (the pages' and the report's) set the body's margin.
    must(await this.page.evaluate(() => getComputedStyle(document.body).marginTop === '0px'),
      `${this.page.url()} is not styled: did the style sheet load?`);
    if (check) {
      await axe(this.page, this.key);
      const one = /\b1 (account|session|cohort|KPI|claim|observation|day|week)s\b/.exec(
        await this.page.$eval('body', (b) => b.innerText));
      must(!one, `${this.page.url()} says "${one && one[0]}"`);
    }
    return resp;
  }

  goto(p, opts) {
    return this.nav(() => this.page.goto(base + p, {waitUntil: 'load'}), opts);
  }

  click(sel, opts) {
    return this.nav(() => this.page.click(sel), opts);
  }

  async text() {
    return this.page.$eval('main', (m) => m.innerText).catch(() => this.page.$eval('body', (b) => b.innerText));
  }

  async path() {
    const u = new URL(this.page.url());
    return u.pathname + u.search;
  }

  async type(sel, value) {
    const el = await this.page.$(sel);
    must(el, `no field ${sel} on ${this.page.url()}`);
    await el.click({clickCount: 3});
    await this.page.evaluate((e) => { e.value = ''; }, el);
    await el.type(value);
  }

  async signInFromInvitation(password) {
    step = `${this.key}: opens the invitation`;
    await this.goto(new URL(invites[this.key]).pathname);
    must(/Set your password/.test(await this.text()), 'the invitation page does not offer to set a password');
    step = `${this.key}: sets a password`;
    await this.type('input[name=password]', password);
    await this.type('input[name=again]', password);
    await this.click('form button[type=submit]');
    must((await this.path()).startsWith('/signin'), `setting the password led to ${await this.path()}, not /signin`);
    must(/password is set/.test(await this.text()), 'no word that the password is set');
    if (this.key === 'tina') {
      step = `${this.key}: signs in with a wrong password (refused)`;
      await this.type('input[name=key]', this.key);
      await this.type('input[name=password]', 'not-my-password');
      await this.click('form[action="/signin"] button[type=submit]', {expect: [401]});
      must(/\/signin$/.test(this.page.url()), `a wrong password led to ${await this.path()}`);
      must(await this.page.$eval('input[name=key]', (e) => e.value) === this.key,
        'the refused sign-in form forgot the name');
      await axe(this.page, this.key, 'refused');
    }
    step = `${this.key}: signs in`;
    await this.type('input[name=key]', this.key);
    await this.type('input[name=password]', password);
    await this.click('form button[type=submit]');
    must((await this.path()) === '/', `signing in led to ${await this.path()}, not /`);
    must((await this.page.$eval('body', (b) => b.innerText)).includes(this.key),
      'the home page does not name who is signed in');
    if (this.key === 'tom') {
      step = `${this.key}: opens the used invitation again`;
      await this.goto(new URL(invites[this.key]).pathname, {expect: [400]});
      must(/already used/.test(await this.text()) && !(await this.page.$('input[name=password]')),
        'a used invitation still offers to set a password');
      await axe(this.page, this.key, 'used');
      await this.goto('/');
    }
  }

  async signOut() {
    step = `${this.key}: signs out`;
    const cookie = (await this.page.cookies(base)).find((k) => k.name === 'cb_session');
    must(cookie, 'no session cookie while signed in');
    await this.click('form[action="/signout"] button', {check: false});
    must((await this.path()).startsWith('/signin'), `signing out led to ${await this.path()}`);
    step = `${this.key}: the home page after signing out`;
    await this.goto('/', {check: false});
    must((await this.path()).startsWith('/signin'), `after signing out / shows ${await this.path()}, not /signin`);
    // The session is over on the server too, not only gone from the browser.
    const r = await fetch(`${base}/`, {headers: {Cookie: `cb_session=${cookie.value}`}, redirect: 'manual'});
    must(r.status === 303 && r.headers.get('location') === '/signin',
      `the session cookie of before signing out still opens / (HTTP ${r.status})`);
  }
}

// Not ASCII, and markup that must show as typed.
const TITLE = 'Faster repairs at North Mill — 2× quicker, <b>Grüße</b>';
const SITUATION = 'North Mill waited days for repairs.\nThe line stopped twice a week.\nParts came late.';
const ACTIONS = 'I asked the plant manager what a stop costs them.\n\nWe agreed on a weekly call.';
const OUTCOME = 'Repairs take half the time.\nThe plant manager says so in the review.';

async function technician(tom) {
  await tom.signInFromInvitation('field-work-2025!');
  step = 'technician: home';
  must(/My case studies/.test(await tom.text()), 'the technician\'s home has no "My case studies"');
  await shoot(tom.page, 'home-technician');

  step = 'technician: opens the case form';
  await tom.click('a[href="/cases/new"]');
  await shoot(tom.page, 'case-form');
  step = 'technician: fills in the case form';
  await tom.type('input[name=title]', TITLE);
  const accounts = await tom.page.$$eval('select[name=account] option', (o) => o.map((x) => x.value));
  must(accounts.includes('north') && accounts.includes('south'),
    `the account list does not offer the technician's accounts: ${accounts}`);
  await tom.page.select('select[name=account]', 'north');
  const sessions = await tom.page.$$eval('input[name=sessions]', (o) => o.map((x) => x.value));
  must(sessions.includes('tco-c1') && sessions.includes('tco-c1b'),
    `the sessions offered are not those attended: ${sessions}`);
  await tom.page.click('input[name=sessions][value="tco-c1"]');
  await tom.page.click('input[name=sessions][value="tco-c1b"]');
  await tom.type('textarea[name=situation]', SITUATION);
  await tom.type('textarea[name=actions]', ACTIONS);
  await tom.type('textarea[name=outcome]', OUTCOME);
  // A claim the data contradicts (the repairs took 2 to 6 hours): the
  // reviewer must give a reason to approve it.
  await tom.type('input[name="claim1.kpi"]', 'mttr');
  await tom.type('input[name="claim1.before"]', '48');
  await tom.type('input[name="claim1.after"]', '1.5');
  await tom.type('input[name="claim1.from"]', '2025-04-01');
  await tom.type('input[name="claim1.to"]', '2025-06-28');

  step = 'technician: a claim with a wrong date is refused';
  await tom.type('input[name="claim2.kpi"]', 'mttr');
  await tom.type('input[name="claim2.from"]', '2025-13-01');
  await tom.click('button[name=step][value=preview]', {expect: [400]});
  const flash = await tom.page.$eval('.flash', (e) => e.textContent).catch(() => '');
  must(/claim 2/.test(flash), `the refusal does not name claim 2: "${flash}"`);
  must(await tom.page.$eval('textarea[name=outcome]', (e) => e.value) === OUTCOME &&
    await tom.page.$eval('input[name="claim2.from"]', (e) => e.value) === '2025-13-01' &&
    await tom.page.$eval('input[name="claim1.after"]', (e) => e.value) === '1.5' &&
    await tom.page.$eval('select[name=account]', (e) => e.value) === 'north' &&
    await tom.page.$eval('input[name=sessions][value="tco-c1b"]', (e) => e.checked),
    'the refused form lost what was typed');
  await axe(tom.page, 'tom', 'refused');
  await tom.type('input[name="claim2.kpi"]', '');
  await tom.type('input[name="claim2.from"]', '');

  step = 'technician: previews the case study';
  await tom.click('button[name=step][value=preview]');
  let t = await tom.text();
  must(/Preview: the claims against the data/.test(t), 'the preview shows no evidence check');
  must(/mttr/.test(t) && /disagree/i.test(t), `the preview's evidence does not show the claim disagreeing: ${t.slice(-600)}`);
  must(await tom.page.$eval('textarea[name=situation]', (e) => e.value) === SITUATION,
    'the preview did not keep the multi-line situation');
  must(await tom.page.$eval('input[name=sessions][value="tco-c1b"]', (e) => e.checked),
    'the preview did not keep the sessions ticked');
  await axe(tom.page, 'tom', 'preview');
  await shoot(tom.page, 'case-preview');

  step = 'technician: submits the case study';
  await tom.click('button[name=step][value=submit]');
  const m = /^\/cases\/([^/?]+)\?saved=1$/.exec(await tom.path());
  must(m, `submitting led to ${await tom.path()}, not the case's page`);
  const slug = m[1];
  fs.writeFileSync(path.join(out, 'slug'), slug);
  t = await tom.text();
  must(/Saved and committed in your name/.test(t), 'no word that the case is saved');
  must(await tom.page.$eval('h1', (h) => h.textContent) === TITLE, 'the case page does not show the title as typed');
  must(!(await tom.page.$('main b')), 'markup typed in the title became markup');
  must(t.includes('The line stopped twice a week.\nParts came late.'),
    'the case page does not keep the situation\'s line breaks');
  must(/submitted/.test(t), 'the case is not shown as submitted');
  await shoot(tom.page, 'case-page');

  step = 'technician: revises the case study';
  await tom.click(`a[href="/cases/${slug}/edit"]`);
  must(await tom.page.$eval('textarea[name=situation]', (e) => e.value) === SITUATION,
    'the revision form does not hold the situation as written');
  must(await tom.page.$eval('input[name="claim1.kpi"]', (e) => e.value) === 'mttr',
    'the revision form does not hold the claim');
  must(await tom.page.$eval('select[name=account]', (e) => e.value) === 'north',
    'the revision form does not hold the account');
  must((await tom.page.$$eval('input[name=sessions]:checked', (o) => o.map((x) => x.value))).join() === 'tco-c1,tco-c1b',
    'the revision form does not hold the sessions ticked');
  await tom.type('textarea[name=actions]', `${ACTIONS}\nThen I revised in the browser.`);
  await tom.click('button[name=step][value=submit]');
  must((await tom.path()) === `/cases/${slug}?saved=1`, `revising led to ${await tom.path()}`);

  step = 'technician: reads the history';
  const diffs = await tom.page.$$eval('a[href*="/diff?to="]', (a) => a.map((x) => x.getAttribute('href')));
  must(diffs.length >= 2, `the history shows ${diffs.length} commits, not the submission and the revision`);
  step = 'technician: reads the diff of the revision';
  await tom.click(`a[href="${diffs[0]}"]`);
  t = await tom.text();
  must(/\+Then I revised in the browser\./.test(t), `the diff does not show the added line: ${t.slice(0, 500)}`);
  await shoot(tom.page, 'case-diff');

  step = 'technician: the case studies and sessions lists';
  await tom.goto('/cases');
  must((await tom.text()).includes(TITLE), 'the case list lacks the case, its title as typed');
  await tom.goto('/sessions');
  await tom.goto('/sessions/tco-c1');
  must(!(await tom.page.$('form[action$="/attendance"]')), 'a technician is offered the attendance form');
  return slug;
}

async function trainer(tina, slug) {
  await tina.signInFromInvitation('class-room-2025!');
  step = 'trainer: home';
  let t = await tina.text();
  must(/To review/.test(t) && t.includes(TITLE), 'the trainer\'s home does not list the case to review');
  await shoot(tina.page, 'home-trainer');

  step = 'trainer: sees their sessions';
  await tina.click('a[href="/sessions?mine=1"]');
  t = await tina.text();
  must(t.includes('Cohort 1') && t.includes('Follow-up clinic'), 'the trainer\'s sessions are not listed');

  step = 'trainer: records the class of Cohort 1';
  await tina.click('a[href="/sessions/tco-c1"]');
  const form = 'form[action="/sessions/tco-c1/attendance"]';
  must(await tina.page.$(form), 'the trainer is not offered the class form');
  await tina.page.select(`${form} select[name="status.tom"]`, 'attended');
  await tina.type(`${form} input[name="reaction.tom"]`, '5');
  await tina.type(`${form} input[name="pre.tom"]`, '40');
  await tina.type(`${form} input[name="post.tom"]`, '85');
  await tina.page.select(`${form} select[name="status.ted"]`, 'partial');
  await tina.type(`${form} input[name="reaction.ted"]`, '3');
  await tina.type(`${form} input[name="pre.ted"]`, '55.5');
  await tina.type(`${form} input[name="post.ted"]`, '70');
  await tina.type(`${form} input[name="reaction.ted"]`, '7');
  await shoot(tina.page, 'session-class');
  step = 'trainer: a reaction out of range refuses the whole class';
  await tina.click(`${form} button[type=submit]`, {expect: [400]});
  must(/ted: the reaction must be a whole number from 1 to 5/.test(await tina.text()),
    `no word of which row is wrong: ${(await tina.text()).slice(0, 300)}`);
  const kept = await tina.page.$$eval(`${form} input, ${form} select`, (e) =>
    Object.fromEntries(e.filter((x) => x.name).map((x) => [x.name, x.value])));
  must(kept['reaction.tom'] === '5' && kept['post.tom'] === '85' && kept['pre.ted'] === '55.5' &&
    kept['reaction.ted'] === '7' && kept['status.ted'] === 'partial',
    `the refused class form lost what was typed: ${JSON.stringify(kept)}`);
  must(!/"reaction": 5/.test(cli('session', 'show', 'tco-c1', '--json')), 'a refused class was saved in part');
  step = 'trainer: records the class of Cohort 1, corrected';
  await tina.type(`${form} input[name="reaction.ted"]`, '3');
  await tina.click(`${form} button[type=submit]`);
  must((await tina.path()) === '/sessions/tco-c1?saved=1', `saving the class led to ${await tina.path()}`);
  must(/The class is saved/.test(await tina.text()), 'no word that the class is saved');
  const shown = await tina.page.$eval(`${form} input[name="pre.ted"]`, (e) => e.value);
  must(shown === '55.5', `the saved class shows ted's test before as "${shown}", not 55.5`);

  step = 'trainer: records a new session';
  await tina.goto('/sessions');
  await tina.click('a[href="/sessions/new"]');
  await tina.page.select('select[name=program]', 'tco');
  await tina.type('input[name=title]', 'Cohort 3 (browser)');
  await tina.page.select('select[name=format]', 'blended');
  await tina.type('input[name=starts_on]', '2025-05-05');
  await tina.type('input[name=ends_on]', '2025-05-06');
  await tina.type('input[name=location]', 'Lyon');
  await tina.type('input[name=cost]', '1200.50');
  await tina.type('input[name=currency]', 'EUR');
  await tina.page.click('input[name=attendees][value=ted]');
  await tina.page.click('input[name=accounts][value=east]');
  await tina.type('input[name=currency]', '');
  await shoot(tina.page, 'session-new');
  step = 'trainer: a cost without a currency is refused';
  await tina.click('main form[action="/sessions/new"] button[type=submit]', {expect: [400]});
  const flash = await tina.page.$eval('.flash', (e) => e.textContent).catch(() => '');
  must(/currency/i.test(flash), `the refusal does not name the currency: "${flash}"`);
  must(await tina.page.$eval('input[name=title]', (e) => e.value) === 'Cohort 3 (browser)' &&
    await tina.page.$eval('input[name=attendees][value=ted]', (e) => e.checked) &&
    await tina.page.$eval('input[name=accounts][value=east]', (e) => e.checked) &&
    await tina.page.$eval('select[name=format]', (e) => e.value) === 'blended',
    'the refused session form lost what was typed');
  await axe(tina.page, 'tina', 'refused');
  step = 'trainer: records a new session, corrected';
  await tina.type('input[name=currency]', 'EUR');
  await tina.click('main form[action="/sessions/new"] button[type=submit]');
  const m = /^\/sessions\/([^/?]+)\?recorded=1$/.exec(await tina.path());
  must(m, `recording the session led to ${await tina.path()}`);
  t = await tina.text();
  must(t.includes('Cohort 3 (browser)') && t.includes('1200.50 EUR') && t.includes('Ted Field'),
    `the new session's page does not show what was entered: ${t.slice(0, 400)}`);
  newSession = m[1];

  step = 'trainer: asks for changes';
  await tina.goto(`/cases/${slug}`);
  t = await tina.text();
  must(/disagree/i.test(t), 'the case page does not show the claim disagreeing');
  await tina.page.select('select[name=decision]', 'changes');
  await tina.type('textarea[name=comment]', 'Which parts came late?\nName the supplier.');
  await tina.click('form[action$="/review"] button[type=submit]');
  must((await tina.path()) === `/cases/${slug}?saved=1`, `asking for changes led to ${await tina.path()}`);
  must(/changes-requested/.test(await tina.text()), 'the case is not shown as changes requested');
  must(!(await tina.page.$('form[action$="/review"]')), 'the review form is still offered while the technician revises');
}

async function answerChanges(tom, slug) {
  step = 'technician: sees the changes asked for';
  await tom.goto('/');
  must(/changes-requested/.test(await tom.text()), 'the technician\'s home does not show the changes requested');
  await tom.goto(`/cases/${slug}`);
  const t = await tom.text();
  must(t.includes('Which parts came late?\nName the supplier.'), 'the reviewer\'s comment is not shown with its lines');
  step = 'technician: may not see a session not attended';
  await tom.goto('/sessions');
  must(!(await tom.text()).includes('Cohort 3 (browser)'), 'a technician sees a session they did not attend');
  await tom.goto(`/sessions/${newSession}`, {expect: [403]});
  must(/Not allowed/.test(await tom.text()), 'a session not attended was not refused');
  step = 'technician: revises after the review';
  await tom.goto(`/cases/${slug}`);
  await tom.click(`a[href="/cases/${slug}/edit"]`);
  await tom.type('textarea[name=situation]', `${SITUATION}\nThe supplier was Acme Bearings.`);
  await tom.click('button[name=step][value=submit]');
  must((await tom.path()) === `/cases/${slug}?saved=1`, `the second revision led to ${await tom.path()}`);
  must(/submitted/.test(await tom.text()), 'the revised case is not submitted again');
}

async function approve(tina, slug) {
  step = 'trainer: reviews the case study again';
  await tina.goto(`/cases/${slug}`);
  let t = await tina.text();
  must(t.includes('The supplier was Acme Bearings.'), 'the reviewer does not see the revision');
  await tina.page.select('select[name=decision]', 'approve');
  await tina.type('textarea[name=comment]', 'Clear story.\nWell told.');
  step = 'trainer: approves without a reason despite the evidence (refused)';
  await tina.click('form[action$="/review"] button[type=submit]', {expect: [400]});
  t = await tina.text();
  must(/despite/i.test(t), `approving a disagreeing claim without a reason was not refused with a word: ${t.slice(0, 300)}`);
  must(await tina.page.$eval('textarea[name=comment]', (e) => e.value) === 'Clear story.\nWell told.',
    'the refused review lost the comment typed');
  must(await tina.page.$eval('select[name=decision]', (e) => e.value) === 'approve',
    'the refused review lost the decision chosen');
  step = 'trainer: approves despite the evidence';
  await tina.type('input[name=despite]', 'The customer confirmed the new figures in writing');
  await tina.click('form[action$="/review"] button[type=submit]');
  must((await tina.path()) === `/cases/${slug}?saved=1`, `the review led to ${await tina.path()}`);
  t = await tina.text();
  must(/approved/.test(t), 'the case is not shown approved');
  must(await tina.page.$(`form[action="/cases/${slug}/publish"]`), 'the reviewer is not offered to publish');
}

async function manager(mia, slug) {
  await mia.signInFromInvitation('money-talks-2025!');
  step = 'manager: the program dashboard';
  let t = await mia.text();
  must(t.includes('Customer orientation'), 'the manager\'s home does not show the program');
  await shoot(mia.page, 'home-manager');
  step = 'manager: the impact index';
  await mia.goto('/impact');
  step = 'manager: the live report of the program';
  const href = await mia.page.$eval('a[href="/impact?program=tco"]', (a) => a.getAttribute('href')).catch(() => null);
  must(href, 'the impact page does not link the program\'s report');
  await mia.click(`a[href="${href}"]`);
  t = await mia.page.$eval('body', (b) => b.innerText);
  must(/Customer orientation/.test(t), 'the report does not name the program');
  await shoot(mia.page, 'report');

  step = 'manager: downloads the JSON and the CSV';
  await mia.goto('/impact');
  const links = await mia.page.$$eval('a[href^="/impact?program=tco&download="]', (a) => a.map((x) => x.getAttribute('href')));
  must(links.some((l) => l.endsWith('=json')) && links.some((l) => l.endsWith('=csv')),
    `the impact page does not offer the JSON and CSV downloads: ${links}`);
  // The browser downloads them, as a click on the link does, into a
  // folder of its own; the file's name is the one the server gives.
  const dl = path.join(out, 'downloads');
  fs.rmSync(dl, {recursive: true, force: true});
  fs.mkdirSync(dl);
  const cdp = await mia.page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {behavior: 'allow', downloadPath: dl,
    browserContextId: mia.ctx.id, eventsEnabled: true});
  // A file may be seen before Chromium has written it all: wait for the
  // download's "completed".
  const names = new Map(), done = new Map();
  cdp.on('Browser.downloadWillBegin', (e) => names.set(e.guid, e.suggestedFilename));
  cdp.on('Browser.downloadProgress', (e) => {
    if (e.state !== 'inProgress') done.set(names.get(e.guid), e.state);
  });
  const download = async (kind) => {
    const name = `program-tco.${kind}`;
    await mia.page.click(`a[href="/impact?program=tco&download=${kind}"]`);
    for (let i = 0; i < 1800 && !done.has(name); i++) await new Promise((r) => setTimeout(r, 50));
    must(done.get(name) === 'completed',
      `clicking the ${kind} download did not save ${name} (${done.get(name) || 'no download'}; ` +
      `downloads: ${[...names.values()]})`);
    return fs.readFileSync(path.join(dl, name), 'utf8');
  };
  const json = await download('json');
  const csv = await download('csv');
  const md = await download('md');
  const html = await download('html');
  // The very documents `casebook report` writes.
  for (const [kind, got] of [['md', md], ['html', html]]) {
    const file = path.join(out, `report-cli.${kind}`);
    cli('report', '--program', 'tco', '--format', kind, '--out', file);
    must(got === fs.readFileSync(file, 'utf8'),
      `the ${kind} download differs from casebook report --format ${kind} (${dl}/program-tco.${kind}, ${file})`);
  }
  must(mia.page.url().endsWith('/impact'), `a download navigated away to ${mia.page.url()}`);
  let parsed;
  try { parsed = JSON.parse(json); } catch (e) { throw new StepFailure(`the JSON download does not parse: ${e}`); }
  const cliText = cli('impact', '--program', 'tco', '--json');
  fs.writeFileSync(path.join(out, 'program-tco.json'), json);
  fs.writeFileSync(path.join(out, 'impact-cli.json'), cliText);
  fs.writeFileSync(path.join(out, 'program-tco.csv'), csv);
  must(JSON.stringify(parsed) === JSON.stringify(JSON.parse(cliText)),
    `the JSON download differs from impact --json (${out}/program-tco.json, impact-cli.json)`);
  const rows = csv.trim().split('\n');
  must(rows.length > 1 && rows.every((r) => r.split(',').length >= rows[0].split(',').length || r.includes('"')),
    'the CSV download does not parse as rows of the header\'s width');
  must(csv === cli('impact', '--program', 'tco', '--csv'), 'the CSV download differs from impact --csv');
  must(parsed.sessions.some((s) => s.first_day === '2025-05-05'), 'the impact does not count the session recorded in the browser');

  step = 'manager: the sessions and case studies';
  await mia.goto('/sessions');
  must((await mia.text()).includes('Cohort 3 (browser)'), 'the manager does not see the session recorded in the browser');
  await mia.goto('/sessions/tco-c1');
  must(!(await mia.page.$('form[action$="/attendance"]')), 'a manager is offered the class form');
  await mia.goto('/cases');

  step = 'manager: reads the approved case, may not publish it';
  await mia.goto(`/cases/${slug}`);
  must(!(await mia.page.$(`form[action="/cases/${slug}/publish"]`)), 'a manager is offered to publish');
  must(!(await mia.page.$('form[action$="/review"]')), 'a manager is offered to review');
  // A publish sent anyway, with the manager's own valid form token.
  await mia.nav(() => mia.page.evaluate((s) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = `/cases/${s}/publish`;
    const tok = document.querySelector('form[action="/signout"] input[type=hidden]').cloneNode();
    f.appendChild(tok);
    document.body.appendChild(f);
    f.submit();
  }, slug), {expect: [403], check: false});
  must(/Not allowed/.test(await mia.text()), 'a manager\'s publish was not refused as not allowed');
  await axe(mia.page, 'mia', 'refused');
}

async function admin(ada) {
  await ada.signInFromInvitation('keys-to-all-2025!');
  step = 'admin: home';
  must(/The workspace/.test(await ada.text()), 'the administrator\'s home does not link the workspace');
  await shoot(ada.page, 'home-admin');
  step = 'admin: invites the manager';
  await ada.click('a[href="/people"]');
  await ada.click('form[action="/people/mia/invite"] button[type=submit]');
  must(/An invitation for Mia Manager/.test(await ada.text()), 'no word of the invitation made');
  const link = await ada.page.$eval('code.link', (e) => e.textContent).catch(() => '');
  must(link.startsWith(`${base}/invite/`), `the invitation link is not one to this server: "${link}"`);
  invites.mia = link;

  step = 'admin: checks a KPI file with an error';
  await ada.goto('/people');
  await ada.click('a[href="/data/import"]');
  const upload = async (file, button, opts) => {
    const input = await ada.page.$('input[type=file][name=file]');
    must(input, 'the import page has no file field');
    await input.uploadFile(path.join(process.env.UPLOADS, file));
    await ada.click(`button[name=step][value=${button}]`, opts);
    return ada.page.$eval('main', (m) => m.innerText);
  };
  let t = await upload('bad.csv', 'check', {expect: [400]});
  must(/Nothing was imported/.test(t) && /bad\.csv:3: 2025-06-31/.test(t),
    `the error is not shown with its line: ${JSON.stringify(t.slice(0, 400))}`);
  await axe(ada.page, 'ada', 'refused');
  step = 'admin: checks a good KPI file';
  t = await upload('good.csv', 'check');
  must(/good\.csv is fine: 2 rows would be stored/.test(t), `the check does not say the file is fine: ${t.slice(0, 300)}`);
  must(!cli('data', 'batches', '--json').includes('good.csv'), 'Check only imported the file');
  await axe(ada.page, 'ada', 'checked');
  step = 'admin: imports it';
  t = await upload('good.csv', 'import');
  must(/Imported good\.csv: 2 rows as batch/.test(t), `no word of the import: ${t.slice(0, 300)}`);
}

async function publish(tina, slug) {
  step = 'trainer: publishes the approved case';
  await tina.goto(`/cases/${slug}`);
  await tina.click(`form[action="/cases/${slug}/publish"] button[type=submit]`);
  must((await tina.path()) === `/cases/${slug}?saved=1`, `publishing led to ${await tina.path()}`);
  must(/published/.test(await tina.text()), 'the case is not shown published');
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let code = 0;
  try {
    const tom = new Person(browser, 'tom'), tina = new Person(browser, 'tina'), mia = new Person(browser, 'mia');
    const ada = new Person(browser, 'ada');
    for (const p of [tom, tina, mia, ada]) await p.open();
    step = 'the sign-in page';
    await tom.goto('/', {check: true});
    must((await tom.path()).startsWith('/signin'), `/ without a session shows ${await tom.path()}`);
    const slug = await technician(tom);
    await trainer(tina, slug);
    await answerChanges(tom, slug);
    await approve(tina, slug);
    await admin(ada);
    await manager(mia, slug);
    await publish(tina, slug);
    for (const p of [tom, tina, mia, ada]) await p.signOut();
    step = 'axe on every page';
    must(distinct.size >= 15, `axe ran on ${distinct.size} distinct pages, fewer than 15: ${[...distinct].join(' ')}`);
    must(violations.length === 0, `accessibility violations:\n  ${violations.join('\n  ')}`);
    console.log(`serve_flow.js: ok; axe found no violation on ${distinct.size} distinct pages ` +
      `(${checked.size} page and person pairs): ${[...distinct].join(' ')}`);
  } catch (e) {
    console.error(`serve_flow.js: FAIL at step "${step}": ${e instanceof StepFailure ? e.message : e.stack || e}`);
    if (violations.length) console.error(`also accessibility violations:\n  ${violations.join('\n  ')}`);
    code = 1;
  }
  await browser.close();
  process.exit(code);
})().catch((e) => {
  console.error(`serve_flow.js: ${e.stack || e}`);
  process.exit(1);
});
