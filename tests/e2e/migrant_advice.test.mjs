// Browser test of safe-migration advice (issue 8 items 4 and 10): member1
// signs in on a small phone, opens the advice pages from the menu, records
// advice for a neighbour who would cross to Thailand irregularly without a
// passport, and sees the plan's warnings in plain words after saving, in
// English and then in Khmer; the record is on her group's list with them.
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

test('a member records advice that raises warnings and sees them', async (t) => {
  const { page, offHost, consoleErrors } = await openBrowser(t);
  await page.goto(`${base}/login?lang=en`);
  await signIn(page, 'member1');
  assert.equal(await htmlLang(page), 'en');

  await Promise.all([page.waitForURL(/\/advice$/), page.locator('#nav-advice').click()]);
  // The demo's follow-ups due for her group are on her list.
  assert.ok((await page.locator('#due-list > li').count()) >= 2, 'follow-ups due listed');
  await Promise.all([page.waitForURL(/\/advice\/new$/), page.locator('#new-advice').click()]);

  const form = page.locator('#advice-form');
  // Today's date and her group are filled in for her.
  assert.match(await form.locator('#date').inputValue(), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(await form.locator('#group').count(), 1);
  await form.locator('#name_latn').fill('Keo Sreypov');
  await form.locator('#sex').selectOption('female');
  await form.locator('#birth_year').fill('1999');
  await form.locator('#destination-TH').check();
  await form.locator('#sector').selectOption('agriculture');
  await form.locator('#channel').selectOption('irregular');
  // No passport, no contract; a broker keeps her identity card.
  await form.locator('#doc-visa').check();
  await form.locator('#risk-documents_held_by_broker').check();
  await Promise.all([
    page.waitForURL(/\/advice\?saved=[a-z0-9]+$/),
    form.locator('#submit-advice').click(),
  ]);

  await assert.doesNotReject(page.locator('#saved-notice').waitFor());
  const warnings = page.locator('#saved-warnings li');
  const codes = await warnings.evaluateAll((els) => els.map((e) => e.dataset.code));
  assert.deepEqual(codes, [
    'no_written_contract',
    'documents_held_by_broker',
    'irregular_border_crossing',
    'missing_documents',
  ]);
  const text = await page.locator('#saved-warnings').innerText();
  assert.match(text, /cross the border irregularly/);
  assert.match(text, /no passport/);
  assert.ok((await page.locator('#saved').innerText()).includes('Keo Sreypov'));

  // The record is first among her group's recent advice, with its warnings.
  const id = new URL(page.url()).searchParams.get('saved');
  const item = page.locator(`#advice-${id}`);
  assert.equal(await item.count(), 1);
  assert.equal(await item.locator('li.warning').count(), 4);

  // In Khmer, the same record's warnings are in Khmer.
  await page.goto(`${base}/advice?saved=${id}&lang=km`);
  assert.equal(await htmlLang(page), 'km');
  assert.match(await page.locator('#saved-warnings').innerText(), KHMER);

  await signOut(page);
  assert.deepEqual(offHost, [], 'no request left 127.0.0.1');
  assert.deepEqual(consoleErrors, [], 'no console errors (CSP included)');
});
