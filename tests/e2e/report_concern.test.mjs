// Browser test of the walking skeleton (issue 2): a representative signs in,
// switches to Khmer, reports a concern choosing district -> commune ->
// village, signs out; a caseworker signs in and finds the case by its code.
// A second test does the report with JavaScript off.
//
// Runs with node's own test runner: `node --test tests/e2e/`. Needs the
// built binary (build/cbpn, or CBPN_BIN) and Debian's chromium
// (/usr/bin/chromium, or CHROMIUM_PATH). Nothing leaves 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.CBPN_BIN || 'build/cbpn');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PASSWORD = 'demo-password-1';
const KHMER = /[\u1780-\u17FF]/;
const PAGE_LIMIT = 50 * 1024;

// The Siem Reap demo network (cbpn demo): group 1 of rep1 is in Puok commune.
const PROVINCE = '17'; // Siem Reap
const DISTRICT = '1707'; // Puok
const COMMUNE = '170710'; // Puok
const VILLAGE = '17071001'; // Puok Chas

let tmp;
let server;
let base;
let serverLog = '';

// Runs a command to its end; rejects on a non-zero status or after ms.
function run(cmd, args, input, ms) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      if (err.length < 8192) err += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(cmd)} ${args[0]} took more than ${ms} ms`));
    }, ms);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(cmd)} ${args[0]} exited ${code ?? signal}: ${err}`));
    });
    child.stdin.end(input);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitHealthy(url, child) {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`cbpn serve exited (${child.exitCode ?? child.signalCode}): ${serverLog}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`cbpn serve did not answer /healthz within 15 s: ${serverLog}`);
}

// Stops the server with SIGTERM (SIGKILL after 10 s); its exit status.
async function stopServer() {
  if (!server) return 0;
  if (server.exitCode !== null || server.signalCode !== null) return server.exitCode ?? -1;
  const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code ?? -1)));
  server.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(10000).then(() => null)]);
  if (code !== null) return code;
  server.kill('SIGKILL');
  await exited;
  return -1;
}

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'cbpn-e2e-'));
  const db = path.join(tmp, 'demo.db');
  await run(BIN, ['demo', '--db', db, '--password-stdin'], `${PASSWORD}\n`, 180000);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d) => {
    serverLog = (serverLog + d).slice(-8192);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  await waitHealthy(base, server);
});

after(async () => {
  const code = await stopServer();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  // SIGTERM lets requests finish and exits 0 (API.md); sanitizer reports fail it too.
  if (server) assert.equal(code, 0, `cbpn serve exit status after SIGTERM; log: ${serverLog}`);
});

// A browser with a fresh profile that may reach 127.0.0.1 only. Records
// every request to another host and every console error.
async function openBrowser(t, { javaScript = true } = {}) {
  const profile = await mkdtemp(path.join(tmp, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: javaScript,
    locale: 'en-US',
    viewport: { width: 360, height: 740 }, // a small Android phone
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  context.setDefaultTimeout(15000);
  const offHost = [];
  const consoleErrors = [];
  context.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'about:') return;
    if (u.hostname !== '127.0.0.1' || u.origin !== base) offHost.push(req.url());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/favicon/.test(msg.location().url ?? ''))
      consoleErrors.push(msg.text());
  });
  t.after(() => context.close());
  return { context, page, offHost, consoleErrors };
}

async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

async function signIn(page, username) {
  await page.goto(`${base}/login`);
  const form = page.locator('#login-form');
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(PASSWORD);
  await Promise.all([
    page.waitForURL(/\/cases$/),
    form.locator('button[type=submit]').click(),
  ]);
}

async function signOut(page) {
  await Promise.all([page.waitForURL(/\/login\?out=1$/), page.locator('#sign-out').click()]);
  await assert.doesNotReject(page.locator('#signed-out').waitFor());
}

// Chooses value in a place list. With JavaScript the choice posts the form
// by itself; without, the "next list" button does.
async function choosePlace(page, select, value, javaScript) {
  const current = await page.locator(select).inputValue();
  if (current === value) return;
  if (javaScript) {
    await Promise.all([page.waitForNavigation(), page.selectOption(select, value)]);
  } else {
    await page.selectOption(select, value);
    await Promise.all([page.waitForNavigation(), page.locator('#place-next').click()]);
  }
  assert.equal(await page.locator(select).inputValue(), value, `${select} kept after the step`);
}

// Fills and sends the report form; returns the new case's code.
async function reportConcern(page, javaScript, survivorName) {
  await Promise.all([page.waitForURL(/\/cases\/new/), page.locator('#nav-report').click()]);
  await choosePlace(page, '#province', PROVINCE, javaScript);
  await choosePlace(page, '#district', DISTRICT, javaScript);
  await choosePlace(page, '#commune', COMMUNE, javaScript);
  await page.selectOption('#village', VILLAGE);

  const form = page.locator('#report-form');
  await form.locator('#concern-trafficking').check();
  await form.locator('#concern-unsafe_migration').check();
  await form.locator('#summary').fill('A broker offered work in Thailand and kept her passport.');
  await form.locator('#sex-female').check();
  await form.locator('#age').fill('17');
  await form.locator('#name_latn').fill(survivorName);
  await form.locator('#consent_to_contact').check();
  await form.locator('#urgent').check(); // urgent cases come first in every list
  await Promise.all([
    page.waitForURL(/\/cases\/[^/?]+\?sent=1$/),
    form.locator('#submit-report').click(),
  ]);

  const code = (await page.locator('#case-code').innerText()).trim();
  assert.match(code, /^[A-Z]{2,5}-\d{4}-\d{3,}$/, 'a survivor code, never a name');
  assert.ok((await page.locator('#report-sent').innerText()).includes(code));
  // A representative sees the status of what she reported, not its content.
  await assert.doesNotReject(page.locator('#details-hidden').waitFor());
  assert.equal(await page.locator('#survivor').count(), 0);
  assert.ok(!(await page.content()).includes(survivorName), 'no survivor name for the reporter');
  return code;
}

test('a representative reports a concern in Khmer and a caseworker finds it', async (t) => {
  const { context, page, offHost, consoleErrors } = await openBrowser(t);

  // Sign in as rep1 (in English first, so that switching to Khmer shows).
  await page.goto(`${base}/login?lang=en`);
  assert.equal(await htmlLang(page), 'en');
  await signIn(page, 'rep1');
  assert.equal(await htmlLang(page), 'en');

  // Switch to Khmer: the same page, in Khmer.
  await Promise.all([page.waitForURL(/\/cases\?lang=km$/), page.locator('#lang-km').click()]);
  assert.equal(await htmlLang(page), 'km');
  assert.match(await page.locator('h1').innerText(), KHMER);

  // Report a concern: Puok -> Puok commune -> Puok Chas.
  const code = await reportConcern(page, true, 'Sok Chanthy');
  assert.equal(await htmlLang(page), 'km', 'Khmer kept by the cookie');
  assert.match(await page.locator('#report-sent').innerText(), KHMER);

  // The heaviest page and its stylesheet stay under 50 KB.
  const form = await context.request.get(`${base}/cases/new`);
  const css = await context.request.get(`${base}/assets/cbpn.css`);
  assert.equal(form.status(), 200);
  assert.equal(css.status(), 200);
  assert.match(css.headers()['content-type'], /^text\/css/);
  const size = (await form.body()).length + (await css.body()).length;
  assert.ok(size < PAGE_LIMIT, `report page + CSS = ${size} bytes`);

  await signOut(page);

  // caseworker1 finds the case in her list by its code and opens it.
  await signIn(page, 'caseworker1');
  const link = page.locator(`#case-list a[data-code="${code}"]`);
  assert.equal(await link.count(), 1, `case ${code} in caseworker1's list`);
  await Promise.all([page.waitForURL(/\/cases\/[^/?]+$/), link.click()]);
  assert.equal((await page.locator('#case-code').innerText()).trim(), code);
  assert.equal(await htmlLang(page), 'km');
  assert.match(await page.locator('#case-concerns').innerText(), KHMER);
  // The case team sees the details.
  assert.equal((await page.locator('#survivor-name-latn').innerText()).trim(), 'Sok Chanthy');
  assert.match(await page.locator('#case-place').innerText(), KHMER);

  await signOut(page);
  assert.deepEqual(offHost, [], 'no request left 127.0.0.1');
  assert.deepEqual(consoleErrors, [], 'no console errors (CSP included)');
});

test('reporting works without JavaScript', async (t) => {
  const { page, offHost } = await openBrowser(t, { javaScript: false });
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'rep1');
  const code = await reportConcern(page, false, 'Chan Sreymom');
  await Promise.all([page.waitForURL(/\/cases$/), page.locator('#back-to-cases').click()]);
  assert.equal(await page.locator(`#case-list a[data-code="${code}"]`).count(), 1);
  await signOut(page);
  assert.deepEqual(offHost, [], 'no request left 127.0.0.1');
});
