// Browser test of shared phones (issue 9): what Chromium keeps in its
// profile after a caseworker used cbpn on a phone and signed out.
//
// A fresh profile signs in by typing on the keyboard, reports a concern
// with a survivor's name, searches for her by name, opens her case and
// signs out. The browser is then CLOSED (Chromium writes its History
// database lazily, and its session files at exit) and the profile's files
// are read: the History database's titles and URLs, Web Data's autofill
// tables, and the raw bytes of every file (Local Storage, Session Storage,
// IndexedDB, the caches, the session files, Preferences...). None may hold
// the name, the username or the case's code.
//
// The control run does the same with the protections taken out of the pages
// on their way to the browser: this test rewrites every answer (no
// autocomplete="off", the page's own heading back in its <title> as before
// issue 9, no Clear-Site-Data). The server has no switch for it. The control
// must find the leaks, which shows that the checks catch them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, readFile, readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { base, finish, openBrowser, PASSWORD, signIn, startServer } from './harness.mjs';

const USERNAME = 'caseworker1';

before(startServer);
after(finish);

// Types text into the element as a person would (key by key), so that the
// browser treats it as typed by the user.
async function typeInto(page, selector, text) {
  await page.locator(selector).click();
  await page.keyboard.type(text, { delay: 5 });
}

// The control run's rewriting of an answer: the pages as they were without
// the shared-phone protections (the password field as it was too:
// current-password, which Chromium's password manager offers to save).
function unprotect(html) {
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  const heading = h1 ? h1[1].replace(/<[^>]*>/g, '').trim() : '';
  return html
    .replace(/ autocomplete="off"/g, '')
    .replace('autocomplete="one-time-code"', 'autocomplete="current-password"')
    .replace('<title>cbpn</title>', `<title>${heading} · Protection Network</title>`);
}

async function stripProtections(context) {
  await context.route(`${base}/**`, async (route) => {
    const res = await route.fetch({ maxRedirects: 0 });
    const headers = { ...res.headers() };
    delete headers['clear-site-data'];
    delete headers['content-length'];
    const type = headers['content-type'] || '';
    if (!type.startsWith('text/html')) {
      await route.fulfill({ response: res, headers });
      return;
    }
    await route.fulfill({ response: res, headers, body: unprotect(await res.text()) });
  });
}

// The steps of a caseworker on the phone; returns what she typed and saw.
async function useThePhone(page, survivor) {
  await page.goto(`${base}/login?lang=en`);
  await typeInto(page, '#username', USERNAME);
  await typeInto(page, '#password', PASSWORD);
  await Promise.all([page.waitForURL(/\/cases$/), page.keyboard.press('Enter')]);

  // Report a concern with the survivor's name, typed.
  await Promise.all([page.waitForURL(/\/cases\/new/), page.locator('#nav-report').click()]);
  for (const [select, value] of [
    ['#province', '17'],
    ['#district', '1707'],
    ['#commune', '170710'],
  ]) {
    await Promise.all([page.waitForNavigation(), page.selectOption(select, value)]);
  }
  await page.selectOption('#village', '17071001');
  const form = page.locator('#report-form');
  await form.locator('#concern-unsafe_migration').check();
  await typeInto(page, '#summary', 'A broker offered work across the border.');
  await form.locator('#sex-female').check();
  await typeInto(page, '#age', '19');
  await typeInto(page, '#name_latn', survivor);
  await Promise.all([
    page.waitForURL(/\/cases\/[^/?]+\?sent=1$/),
    form.locator('#submit-report').click(),
  ]);
  const code = (await page.locator('#case-code').innerText()).trim();

  // Search for her by name (a POST: the name never enters a URL).
  await Promise.all([page.waitForURL(/\/cases$/), page.locator('#nav-cases').click()]);
  await typeInto(page, '#q', survivor);
  await Promise.all([page.waitForURL(/\/cases\/search$/), page.keyboard.press('Enter')]);
  const hit = page.locator(`#case-list a[data-code="${code}"]`);
  assert.equal(await hit.count(), 1, 'the search finds her');
  await Promise.all([page.waitForURL(/\/cases\/[^/?]+$/), hit.click()]);
  assert.equal((await page.locator('#survivor-name-latn').innerText()).trim(), survivor);

  await Promise.all([
    page.waitForURL(/\/login\?out=1&lang=en$/),
    page.locator('#sign-out').click(),
  ]);
  return { code };
}

async function filesUnder(dir) {
  const out = [];
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    const st = await lstat(p);
    if (st.isDirectory()) out.push(...(await filesUnder(p)));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

// Rows of a query on a copy of an SQLite file of the profile (python3's
// sqlite3: node 20 has none), as arrays of strings.
async function sqliteRows(file, sql) {
  const copy = `${file}.read-copy`;
  await copyFile(file, copy);
  const py =
    'import json, sqlite3, sys\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type=\'table\'")}\n' +
    'q = sys.argv[2]\n' +
    'need = [t for t in q.split() if t.startswith("T:")]\n' +
    'q = q.replace("T:", "")\n' +
    'rows = [] if any(t[2:] not in names for t in need) else ' +
    '[[str(v) for v in r] for r in c.execute(q)]\n' +
    'print(json.dumps(rows))\n';
  return JSON.parse(execFileSync('python3', ['-c', py, copy, sql], { encoding: 'utf8' }));
}

// What the closed profile holds of each secret.
async function readProfile(profile, secrets) {
  const dflt = path.join(profile, 'Default');
  const history = await sqliteRows(path.join(dflt, 'History'), 'SELECT url, title FROM T:urls');
  const autofill = await sqliteRows(
    path.join(dflt, 'Web Data'),
    'SELECT name, value FROM T:autofill',
  );
  const found = {};
  for (const [label, s] of Object.entries(secrets)) {
    const needles = [
      Buffer.from(s, 'utf8'),
      Buffer.from(s, 'utf16le'),
      Buffer.from(s.toLowerCase(), 'utf8'),
      Buffer.from(s.toUpperCase(), 'utf8'),
    ];
    found[label] = [];
    for (const f of await filesUnder(profile)) {
      if (f.endsWith('.read-copy')) continue;
      const bytes = await readFile(f);
      if (needles.some((n) => bytes.includes(n))) found[label].push(path.relative(profile, f));
    }
  }
  return { history, autofill, found };
}

async function run(t, protect) {
  const survivor = protect ? 'Malis Zephyrqua' : 'Bopha Quillnext';
  const { context, page, profile } = await openBrowser(t);
  if (!protect) await stripProtections(context);
  const { code } = await useThePhone(page, survivor);
  await context.close(); // Chromium writes History and the session files now
  const seen = await readProfile(profile, { survivor, username: USERNAME, code });
  return { survivor, code, ...seen };
}

test('a shared phone keeps nothing after sign-out: titles, URLs, autofill, every file', async (t) => {
  const r = await run(t, true);
  assert.ok(r.history.length >= 5, `the History database recorded the visits: ${r.history}`);
  for (const [url, title] of r.history) {
    assert.equal(title, 'cbpn', `a neutral title in History (${url})`);
    assert.ok(!url.toLowerCase().includes('malis') && !url.includes('Zephyr'), url);
    assert.ok(!url.includes(USERNAME), url);
  }
  assert.deepEqual(r.autofill, [], 'nothing typed is in the autofill table');
  assert.deepEqual(r.found.survivor, [], 'the survivor name is in no file of the profile');
  assert.deepEqual(r.found.username, [], 'the username is in no file of the profile');
  assert.deepEqual(r.found.code, [], 'the case code is in no file of the profile');
});

test('control: without the protections the same checks find the leaks', async (t) => {
  const r = await run(t, false);
  // The titles: the case's code (and the pages' own names) in History.
  assert.ok(
    r.history.some(([, title]) => title.includes(r.code)),
    `History keeps a title with the case code: ${JSON.stringify(r.history)}`,
  );
  assert.ok(r.found.code.length > 0, 'the raw scan finds the code in the profile');
  // What was typed: the autofill table keeps the name and the username.
  const values = r.autofill.map(([, v]) => v);
  assert.ok(values.includes(r.survivor), `autofill keeps the name: ${JSON.stringify(r.autofill)}`);
  assert.ok(values.includes(USERNAME), `autofill keeps the username: ${JSON.stringify(r.autofill)}`);
  assert.ok(r.found.survivor.length > 0, 'the raw scan finds the name in the profile');
  assert.ok(r.found.username.length > 0, 'the raw scan finds the username in the profile');
  // The password manager's offer to save (dismissed when the browser closed)
  // keeps the username in Login Data.
  assert.ok(
    r.found.username.includes(path.join('Default', 'Login Data')),
    `the username in Login Data: ${r.found.username}`,
  );
});

// The quick exit: with JavaScript it replaces the page in the tab's history
// (Back does not bring it again); with or without, the session ends and
// the cookies go.
for (const javaScript of [true, false]) {
  test(`the quick exit leaves nothing to go back to (JavaScript ${javaScript ? 'on' : 'off'})`, async (t) => {
    const { context, page } = await openBrowser(t, { javaScript });
    await page.goto(`${base}/login?lang=en`);
    await signIn(page, USERNAME);
    await Promise.all([page.waitForURL(/\/cases\/new$/), page.locator('#nav-report').click()]);
    const before = await page.evaluate(() => history.length);
    await Promise.all([page.waitForURL(/\/exit$/), page.locator('#quick-exit').click()]);
    assert.equal(await page.title(), 'cbpn');
    assert.equal((await page.locator('body').innerText()).trim(), '', 'a blank page');
    const length = await page.evaluate(() => history.length);
    if (javaScript) assert.equal(length, before, 'location.replace: no new history entry');
    else assert.equal(length, before + 1, 'a plain link without JavaScript');
    const names = (await context.cookies()).map((c) => c.name);
    assert.ok(!names.includes('cbpn_session'), `no session cookie left: ${names}`);
    await page.goBack();
    // With JavaScript Back skips the report form (replaced) to the case
    // list; either way the session has ended, so the page is the sign-in.
    assert.match(page.url(), /\/login/, `Back shows the sign-in page, not ${page.url()}`);
    assert.equal(await page.locator('#report-form').count(), 0);
  });
}
