// Browser test of a case from report to closure, on a 360 px phone: a
// representative reports a concern (in Khmer); the supervisor finds it in
// her queue (the urgent count in the top bar) and assigns it to caseworker1;
// caseworker1 does the intake (in Khmer), adds a note and a task, ticks the
// task done, records an incident and screens her for trafficking (both in
// Khmer, each checked on the case page) and asks to close the case; supervisor2 (not the one who asked)
// approves; the case shows closed with its whole timeline, each step with
// its date and time.
//
// Runs with node's own test runner (`node --test tests/e2e/`), like
// report_concern.test.mjs. Nothing leaves 127.0.0.1.
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

before(startServer);
after(finish);

const go = (page, re, action) => Promise.all([page.waitForURL(re), action]);

// Submits the form with button and waits for the redirect back to the case page.
async function send(page, button, ok) {
  await go(page, new RegExp(`/cases/[a-z0-9]+\\?ok=${ok}`), page.locator(button).click());
  await page.locator('#done-notice').waitFor();
}

// The date n days before today, YYYY-MM-DD.
function daysAgo(n) {
  return new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
}

// Nothing wider than the phone.
async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${what} is ${width} px wide`);
}

async function openCase(page, code) {
  const link = page.locator(`#case-list a[data-code="${code}"]`);
  assert.equal(await link.count(), 1, `case ${code} in the list`);
  await go(page, /\/cases\/[a-z0-9]+$/, link.click());
  assert.equal((await page.locator('#case-code').innerText()).trim(), code);
}

test('a case from report to closure, in Khmer and English, on a small phone', async (t) => {
  const { page, offHost, consoleErrors } = await openBrowser(t);

  // 1. rep1 reports an urgent concern, in Khmer (the default).
  await page.goto(`${base}/login?lang=km`);
  assert.equal(await htmlLang(page), 'km');
  await signIn(page, 'rep1');
  await go(page, /\/cases\/new/, page.locator('#nav-report').click());
  await go(page, /\/cases/, page.selectOption('#province', '17'));
  await go(page, /\/cases/, page.selectOption('#district', '1707'));
  await go(page, /\/cases/, page.selectOption('#commune', '170710'));
  await page.selectOption('#village', '17071001');
  await page.locator('#concern-unsafe_migration').check();
  await page.locator('#summary').fill('She was promised work in Thailand; the broker keeps her ID.');
  await page.locator('#sex-female').check();
  await page.locator('#age').fill('16');
  await page.locator('#name_latn').fill('Keo Bopha');
  await page.locator('#urgent').check();
  await go(page, /\?sent=1$/, page.locator('#submit-report').click());
  const code = (await page.locator('#case-code').innerText()).trim();
  await signOut(page);

  // 2. The supervisor (in English) sees it in her queue and assigns it.
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'supervisor');
  const badge = page.locator('#urgent-unassigned');
  assert.ok(Number(await badge.innerText()) > 0, 'the urgent count in the top bar');
  await go(page, /\/queue$/, page.locator('#nav-queue').click());
  const queued = page.locator(`#queue-assign a[data-code="${code}"]`);
  assert.equal(await queued.count(), 1, 'the new case waits in the queue');
  await go(page, /\/cases\/[a-z0-9]+$/, queued.click());
  assert.equal(await page.locator('#case-child').count(), 1, 'a child: she is 16');
  await page.selectOption('#caseworker', { label: 'Demo caseworker 1 (caseworker1)' });
  await send(page, '#assign-submit', 'assigned');
  assert.equal((await page.locator('#case-assigned').innerText()).trim(), 'Demo caseworker 1');
  await signOut(page);

  // 3. caseworker1 does the intake in Khmer.
  await page.goto(`${base}/login?lang=km`);
  await signIn(page, 'caseworker1');
  await page.goto(`${base}/cases?status=open&urgent=true`);
  await openCase(page, code);
  await go(page, /\/edit$/, page.locator('#link-edit').click());
  assert.match(await page.locator('h1').innerText(), KHMER);
  await page.locator('#name_km').fill('កែវ បុប្ផា');
  await page.locator('#phone').fill('012 000 555');
  await page.locator('#occupation').fill('Rice farmer');
  await page.selectOption('#marital_status', 'single');
  await page.locator('#country-TH').check();
  await page.locator('#migration-years').fill('1');
  await page.selectOption('#migration-channel', 'irregular');
  await page.selectOption('#migration-sector', 'agriculture');
  await page.selectOption('#risk', 'high');
  await send(page, '#intake-submit', 'updated');
  assert.match(await page.locator('#done-notice').innerText(), KHMER);
  assert.equal((await page.locator('#survivor-name-km').innerText()).trim(), 'កែវ បុប្ផា');
  assert.match(await page.locator('#case-risk').innerText(), KHMER);

  // 4. A note, a task, the task done (the box saves itself with JavaScript).
  await page.locator('#note-body').fill('Called her mother; she is safe at home tonight.');
  await send(page, '#note-submit', 'note');
  await page.locator('#task-title').fill('Visit with the commune focal point');
  await page.locator('#task-due').fill('2030-01-15');
  await send(page, '#task-submit', 'task');
  const box = page.locator('#tasks input[name=done]');
  await go(page, /\?ok=task_done/, box.check());
  assert.ok(await page.locator('#tasks input[name=done]').isChecked(), 'the task is done');

  // 5. An incident, in Khmer: six yes/no questions; the type is the domain's.
  await go(page, /\/incidents\/new$/, page.locator('#link-incident').click());
  assert.match(await page.locator('h1').innerText(), KHMER);
  await page.locator('#inc-date').fill(daysAgo(10));
  await page.locator('#inc-reported-on').fill(daysAgo(3));
  await page.selectOption('#inc-time', 'evening_night');
  await page.selectOption('#inc-location-type', 'farm_or_plantation');
  await page.selectOption('#loc-province', '17'); // the next list comes by itself
  await page.locator('#loc-district').waitFor();
  await page.selectOption('#loc-district', '1707');
  await page.locator('#loc-commune').waitFor();
  await page.selectOption('#inc-stage', 'destination');
  const answers = {
    penetration: false,
    sexual_contact: true,
    physical_assault: true,
    forced_marriage: false,
    denial_of_resources: true,
    psychological_abuse: true,
  };
  for (const [act, yes] of Object.entries(answers)) await page.locator(`#q-${act}-${yes}`).check();
  await page.locator('#q-goods-false').check();
  await page.selectOption('#inc-abduction', 'trafficked');
  await page.selectOption('#inc-elsewhere', 'no');
  await page.selectOption('#perp-0-sex', 'male');
  await page.selectOption('#perp-0-age_group', '41_60');
  await page.selectOption('#perp-0-relationship', 'recruiter_or_broker');
  await page.locator('#inc-description').fill('The broker kept her on a farm across the border.');
  await fitsThePhone(page, 'the incident form');
  await send(page, '#incident-submit', 'incident');
  const type = page.locator('#incident-list .gbv-type');
  assert.equal(await type.getAttribute('data-type'), 'sexual_assault', 'the first "yes" wins');
  assert.match(await type.innerText(), KHMER);
  const flags = await page.locator('#incident-list .flag').evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-code')),
  );
  assert.deepEqual(flags, ['child_sexual_abuse', 'possible_sexual_slavery']);

  // 6. The screening checklist, in Khmer: a child (she is 16), so recruitment
  // and exploitation are enough for presumed trafficking.
  await go(page, /\/screenings\/new$/, page.locator('#link-screening').click());
  assert.ok(await page.locator('#adult-no').isChecked(), 'her known age answers it');
  assert.match(await page.locator('label:has(#ind-a_deceived_wages)').innerText(), KHMER);
  for (const code of [
    'a_deceived_nature_of_job',
    'a_deceived_wages',
    'd_excessive_hours',
    'd_low_or_no_salary',
  ])
    await page.locator(`#ind-${code}`).check();
  await fitsThePhone(page, 'the screening checklist');
  await go(page, /\/screenings$/, page.locator('#screening-next').click());
  await page.locator('#ind-fl_retention_of_documents').check();
  await send(page, '#screening-submit', 'screening');
  const result = page.locator('#screening-list .result');
  assert.equal(await result.getAttribute('data-result'), 'presumed_trafficking');
  assert.match(await result.innerText(), KHMER);
  assert.equal(await page.locator('#screening-list li.present').count(), 2, 'A and D present');

  // 7. She asks to close the case.
  await page.selectOption('#reason-code', 'services_completed');
  await page.locator('#closure-reason').fill('Back at school; family supported.');
  await send(page, '#closure-submit', 'closure');
  assert.equal(await page.locator('#approve-form').count(), 0, 'a caseworker does not approve');
  await signOut(page);

  // 8. supervisor2 (who did not ask) approves.
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'supervisor2');
  await go(page, /\/queue$/, page.locator('#nav-queue').click());
  const waiting = page.locator(`#queue-closure a[data-code="${code}"]`);
  assert.equal(await waiting.count(), 1, 'the closure request waits in the queue');
  await go(page, /\/cases\/[a-z0-9]+$/, waiting.click());
  await send(page, '#approve-submit', 'closed');

  // 9. Closed, with the whole timeline, each step dated and timed.
  assert.match(await page.locator('#case-status').innerText(), /Closed/);
  const kinds = await page.locator('#timeline li').evaluateAll((lis) =>
    lis.map((li) => li.getAttribute('data-kind')),
  );
  assert.deepEqual(kinds, [
    'reported',
    'assigned',
    'updated',
    'note',
    'task',
    'task_done',
    'incident',
    'screening',
    'closure_requested',
    'closed',
  ]);
  for (const when of await page.locator('#timeline .when').allInnerTexts())
    assert.match(when, /^\d{4}-\d\d-\d\d \d\d:\d\d$/, 'date and time of each step');
  assert.match(await page.locator('#timeline').innerText(), /Demo caseworker 1/);
  assert.equal(await page.locator('#reopen-form').count(), 1, 'a supervisor may reopen it');
  await fitsThePhone(page, 'the case page');
  if (process.env.CBPN_SCREENSHOT)
    await page.screenshot({ path: process.env.CBPN_SCREENSHOT, fullPage: true });
  await signOut(page);

  assert.deepEqual(offHost, [], 'no request left 127.0.0.1');
  assert.deepEqual(consoleErrors, [], 'no console errors (CSP included)');
});
