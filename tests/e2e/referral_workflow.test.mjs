// Browser test of a referral, on a 360 px phone: caseworker1 opens one of
// her demo cases, records the survivor's consent to be referred and her
// consent to share her details with Safe Roof Women's Shelter (a
// thumbprint, with its instruction), and refers her to the shelter's
// service, chosen by type, nearest first; the slip prints the verification
// code. The shelter's officer signs in, sees the count of new referrals in
// the top bar, opens the referral, accepts it and completes it with an
// outcome; the referral page shows it completed with its history.
//
// Runs with node's own test runner (`node --test tests/e2e/`), like the
// others. Nothing leaves 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { KHMER, base, finish, openBrowser, signIn, signOut, startServer } from './harness.mjs';

before(startServer);
after(finish);

const go = (page, re, action) => Promise.all([page.waitForURL(re), action]);

async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${what} is ${width} px wide`);
}

// The consent form: purpose, given, method, by (a guardian for a child).
async function recordConsent(page, purpose, method, extra) {
  await page.locator(`#consent-purpose-${purpose}`).check();
  if (extra) await extra();
  await page.locator('#consent-given-true').check();
  await page.locator(`#consent-method-${method}`).check();
  const child = (await page.locator('#guardian-hint').count()) > 0;
  await page.locator(child ? '#consent-by-guardian' : '#consent-by-survivor').check();
  await go(page, /\?ok=consent/, page.locator('#consent-submit').click());
  await page.locator('#done-notice').waitFor();
}

test('a referral from consent to completion, with its slip, on a small phone', async (t) => {
  const { page, offHost, consoleErrors } = await openBrowser(t);

  // 1. caseworker1 opens one of her open demo cases.
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'caseworker1');
  await page.goto(`${base}/cases?status=open`);
  const first = page.locator('#case-list a.case').first();
  const code = (await first.getAttribute('data-code')).trim();
  await go(page, /\/cases\/[a-z0-9]+$/, first.click());
  const caseUrl = page.url();
  assert.equal((await page.locator('#case-code').innerText()).trim(), code);

  // 2. Her consent to be referred, then to share her details with the shelter.
  await recordConsent(page, 'services', 'verbal');
  assert.ok(await page.locator('#thumbprint-hint').isVisible(), 'the thumbprint instruction');
  await recordConsent(page, 'share_with', 'thumbprint', () =>
    page.selectOption('#consent-org', { label: "Safe Roof Women's Shelter" }),
  );
  const consents = page.locator('#consent-list li.given');
  assert.equal(await consents.count(), 2, 'two standing consents');
  assert.match(await page.locator('#consent-list').innerText(), /Safe Roof Women's Shelter/);
  assert.match(await page.locator('#consent-list').innerText(), /Thumbprint/);
  await fitsThePhone(page, 'the case page with its consents');

  // 3. Refer: the shelter's services (the type list shows them by itself).
  await go(page, /refer_type=shelter/, page.selectOption('#refer-type', 'shelter'));
  const service = page.locator('#services input[data-type="shelter"]').first();
  assert.match(
    await page.locator('label.service').first().innerText(),
    /Safe Roof Women's Shelter[\s\S]*Hours: 24 hours/,
  );
  await service.check();
  await page.locator('#refer-urgency-urgent').check();
  await page.locator('#refer-reason').fill('She cannot go home tonight; she needs a safe place.');
  await page.locator('#refer-contact').fill('012 000 777 (Demo caseworker 1)');
  assert.equal(await page.locator('#override').count(), 0, 'a caseworker may not override');
  await go(page, /\?ok=referred/, page.locator('#refer-submit').click());
  const row = page.locator('#case-referral-list a.referral[data-service-type="shelter"]').first();
  assert.equal(await row.getAttribute('data-status'), 'sent');

  // 4. The slip: the code to print, in Khmer and English.
  await go(page, /\/referrals\/[a-z0-9]+$/, row.click());
  const referralUrl = page.url();
  await go(page, /\/slip$/, page.locator('#link-slip').click());
  assert.equal((await page.locator('#slip-case-code').innerText()).trim(), code);
  assert.match((await page.locator('#slip-verification').innerText()).trim(), /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(await page.locator('#slip h1').innerText(), KHMER);
  assert.match(await page.locator('#slip h1').innerText(), /Referral slip/);
  assert.match(await page.locator('#slip-contact').innerText(), /012 000 777/);
  assert.equal(await page.locator('#slip-name').count(), 1, 'her name: the shelter may see it');
  await page.emulateMedia({ media: 'print' });
  assert.ok(!(await page.locator('header.top').isVisible()), 'no top bar on paper');
  assert.ok(await page.locator('#slip-verification').isVisible(), 'the code on paper');
  await page.emulateMedia({ media: 'screen' });
  await fitsThePhone(page, 'the slip');
  await signOut(page);

  // 5. The shelter's officer: the count of new referrals on her page.
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'shelter', /\/referrals$/);
  const badge = page.locator('#referrals-new');
  assert.ok(Number(await badge.innerText()) >= 1, 'the new referrals in the top bar');
  const mine = page.locator(`#referral-list a[data-code="${code}"][data-status="sent"]`).first();
  await go(page, /\/referrals\/[a-z0-9]+$/, mine.click());
  assert.equal(page.url(), referralUrl);
  assert.equal(await page.locator('#ref-identity').count(), 1, 'her details: consent covers it');
  assert.equal(await page.locator('#link-slip').count(), 0, 'the slip is the sender\'s');
  await fitsThePhone(page, 'the referral page');

  // 6. Accept, then complete with the outcome.
  await go(page, /\?ok=accepted$/, page.locator('#accept-submit').click());
  assert.equal(await page.locator('#ref-status .rst-accepted').count(), 1);
  await page.locator('#complete-note').fill('Five nights at the shelter; now with her aunt.');
  await go(page, /\?ok=completed$/, page.locator('#complete-submit').click());
  assert.equal(await page.locator('#ref-status .rst-completed').count(), 1);
  assert.match(await page.locator('#ref-status').innerText(), /Completed/);
  const moves = await page.locator('#referral-history li').evaluateAll((lis) =>
    lis.map((li) => li.getAttribute('data-status')),
  );
  assert.deepEqual(moves, ['sent', 'accepted', 'completed']);
  assert.match(await page.locator('#referral-history').innerText(), /now with her aunt/);
  assert.equal(await page.locator('#accept-form, #decline-form, #complete-form').count(), 0);
  // In Khmer too.
  await page.goto(`${referralUrl}?lang=km`);
  assert.match(await page.locator('#ref-status').innerText(), KHMER);
  await signOut(page);

  // 7. The caseworker sees it completed on the case page.
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'caseworker1');
  await page.goto(caseUrl);
  assert.equal(
    await page
      .locator('#case-referral-list a.referral[data-service-type="shelter"]')
      .first()
      .getAttribute('data-status'),
    'completed',
  );
  await signOut(page);

  assert.deepEqual(offHost, [], 'no request left 127.0.0.1');
  assert.deepEqual(consoleErrors, [], 'no console errors (CSP included)');
});
