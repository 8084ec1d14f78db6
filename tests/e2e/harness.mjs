// The harness of the browser tests: a demo database, a cbpn server on a
// free loopback port, a browser that may reach nothing but 127.0.0.1, and
// signing in and out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.CBPN_BIN || 'build/cbpn');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PASSWORD = 'demo-password-1';
export const KHMER = /[\u1780-\u17FF]/;

let tmp;
let server;
export let base;
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

export async function startServer() {
  tmp = await mkdtemp(path.join(tmpdir(), 'cbpn-e2e-'));
  const db = path.join(tmp, 'demo.db');
  await run(BIN, ['demo', '--db', db, '--password-stdin'], `${PASSWORD}\n`, 180000);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // CBPN_TEST_LOGS: the whole log is kept there too, for tests/logcheck.py
  // (no name or phone number typed in these tests may reach it).
  const runLogs = process.env.CBPN_TEST_LOGS;
  const logFile = runLogs ? path.join(runLogs, `e2e-${path.basename(tmp)}.log`) : null;
  if (logFile) mkdirSync(runLogs, { recursive: true });
  const keep = (d) => {
    serverLog = (serverLog + d).slice(-8192);
    if (logFile) appendFileSync(logFile, d);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  await waitHealthy(base, server);
  return base;
}

export async function finish() {
  const code = await stopServer();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  // SIGTERM lets requests finish and exits 0 (API.md); sanitizer reports fail it too.
  if (server) assert.equal(code, 0, `cbpn serve exit status after SIGTERM; log: ${serverLog}`);
}

// A browser with a fresh profile that may reach 127.0.0.1 only. Records
// every request to another host and every console error. profile is the
// profile's folder (kept until the run ends, for a test that reads it).
export async function openBrowser(t, { javaScript = true } = {}) {
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
  return { context, page, offHost, consoleErrors, profile };
}

export async function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

// Signs in; landing is where she starts (her cases; a provider's referrals).
export async function signIn(page, username, landing = /\/cases$/) {
  await page.goto(`${base}/login`);
  const form = page.locator('#login-form');
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(PASSWORD);
  await Promise.all([page.waitForURL(landing), form.locator('button[type=submit]').click()]);
}

export async function signOut(page) {
  await Promise.all([
    page.waitForURL(/\/login\?out=1&lang=[a-z]+$/),
    page.locator('#sign-out').click(),
  ]);
  await assert.doesNotReject(page.locator('#signed-out').waitFor());
}

