// Browser test of the dashboard (issue 10 item 3): the analyst signs in on a
// small phone and starts on /reports; with JavaScript off she chooses a
// quarter and a province in the form and sees the page again for them; the
// page has no horizontal scroll at 360 px; printed, the top bar, the form
// and the downloads are left out and the charts and tables fit an A4 page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KHMER, base, finish, htmlLang, openBrowser, signIn, startServer } from './harness.mjs';

before(startServer);
after(finish);

// Whether the document is wider than the window.
function overflows(page) {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  );
}

test('the analyst chooses a period and an area, at 360 px and printed', async (t) => {
  const { page, offHost, consoleErrors } = await openBrowser(t, { javaScript: false });
  await signIn(page, 'analyst', /\/reports$/);
  // The browser asks for English (en-US); Khmer is one tap away.
  assert.equal(await htmlLang(page), 'en');
  assert.equal(await page.locator('h1').innerText(), "The network's results");
  assert.match(await page.locator('#lang-km').innerText(), KHMER);
  assert.equal(await overflows(page), false, 'no horizontal scroll at 360 px');

  const form = page.locator('#report-filter');
  await form.locator('#kind').selectOption('quarter');
  await form.locator('#year').selectOption('2026');
  await form.locator('#quarter').selectOption('2');
  await form.locator('#province').selectOption('17');
  await Promise.all([page.waitForURL(/\/reports\?kind=quarter/), form.locator('#report-show').click()]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('quarter'), '2');
  assert.equal(url.searchParams.get('province'), '17');
  // the districts of the province are offered now
  assert.ok((await page.locator('#district option').count()) > 5, 'districts listed');
  assert.equal(await overflows(page), false, 'no horizontal scroll with the districts');

  // The figures come with the indicator engine; until then its error box.
  const failed = (await page.locator('#report-failed').count()) === 1;
  if (!failed) {
    assert.ok((await page.locator('#charts svg[role=img]').count()) >= 2, 'charts drawn');
    for (const box of await page.locator('#charts svg').evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect().width),
    ))
      assert.ok(box <= 360, `a chart ${box} px wide`);
  }

  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').isVisible(), false, 'no top bar printed');
  assert.equal(await page.locator('#report-filter').isVisible(), false, 'no form printed');
  // A4 less its margins: 186 mm is about 703 CSS px.
  await page.setViewportSize({ width: 703, height: 1000 });
  assert.equal(await overflows(page), false, 'fits an A4 page');
  if (!failed) {
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 1000, 'printed');
  }
  assert.deepEqual(offHost, []);
  // (the placeholder engine's page is a 500, which the console reports)
  assert.deepEqual(
    consoleErrors.filter((e) => !(failed && /status of 500/.test(e))),
    [],
  );
});
