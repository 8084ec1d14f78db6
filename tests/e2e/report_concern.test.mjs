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
import {
  KHMER,
  base,
  finish,
  htmlLang,
  openBrowser,
  signIn,
  signOut,
  startServer,
} from './harness.mjs';

const PAGE_LIMIT = 50 * 1024;

// The Siem Reap demo network (cbpn demo): group 1 of rep1 is in Puok commune.
const PROVINCE = '17'; // Siem Reap
const DISTRICT = '1707'; // Puok
const COMMUNE = '170710'; // Puok
const VILLAGE = '17071001'; // Puok Chas

before(startServer);
after(finish);

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
