// The personal curator in a real browser: following from a topic page and saving an
// article change the button in place with JavaScript (no reload) and through a plain form
// post without it; /for-you leads with what is followed and says why; the account's
// reading pages fit a phone; axe clean of serious problems throughout.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BIN, SHOTS, expectAccessible, launchChromium, newContext, signIn, startServer, test } from './helpers.mjs';

let server, browser, base, data;

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-curator-'));
  for (const email of ['fan@example.org', 'plain@example.org']) {
    execFileSync(BIN, ['members', 'grant', '--email', email, '--until', '2099-01-01', '--data', data]);
  }
  ({ server, base } = await startServer(data, {}, ['--demo']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function firstLink(prefix) {
  const html = await (await fetch(`${base}/`)).text();
  const m = html.match(new RegExp(`href="(${prefix}[^"]+)"`));
  assert.ok(m, `a link to ${prefix} on the home page`);
  return m[1];
}

test('follow and save change in place, and For you leads with what is followed', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, base, data, 'fan@example.org');

  const topic = await firstLink('/topics/');
  await page.goto(base + topic);
  const name = (await page.locator('h1').textContent()).trim();
  await expectAccessible(page, 'topic page with a follow button', { everything: true });
  await page.evaluate(() => { window.notReloaded = true; });
  const follow = page.getByRole('button', { name: `Follow ${name}` });
  await follow.click();
  const following = page.getByRole('button', { name: `Following ${name}` });
  await following.waitFor();
  assert.equal(await following.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.equal(page.url(), base + topic);

  await page.goto(`${base}/for-you`);
  await expectAccessible(page, '/for-you', { everything: true });
  const first = page.locator('ol.for-you > li').first();
  assert.equal((await first.locator('.reason').textContent()).trim(), `Because you follow ${name}`);
  const { doc, view } = await page.evaluate(() => ({
    doc: document.documentElement.scrollWidth, view: window.innerWidth }));
  assert.ok(doc <= view, `/for-you is ${doc} px wide on a ${view} px screen`);
  await page.screenshot({ path: path.join(SHOTS, 'curator-390-for-you.png'), fullPage: true });

  // Save the first suggestion; it is on /account/saved on the next page load.
  await first.locator('h3 a').click();
  await page.waitForLoadState();
  const headline = (await page.locator('h1').textContent()).trim();
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByRole('button', { name: 'Save for later' }).click();
  await page.getByRole('button', { name: 'Saved' }).waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await expectAccessible(page, 'article with save and follow buttons', { everything: true });
  await page.goto(`${base}/account/saved`);
  assert.ok(await page.getByRole('link', { name: headline }).isVisible());
  await expectAccessible(page, '/account/saved', { everything: true });

  for (const p of ['/account/following', '/account/history', '/account']) {
    await page.goto(base + p);
    const size = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    assert.ok(size.doc <= size.view, `${p} is ${size.doc} px wide on a ${size.view} px screen`);
    await expectAccessible(page, p, { everything: true });
    await page.screenshot({ path: path.join(SHOTS, `curator-390${p.replace(/\//g, '-')}.png`), fullPage: true });
  }
  // The history lists the article that was opened.
  await page.goto(`${base}/account/history`);
  assert.ok(await page.getByRole('link', { name: headline }).isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test('without JavaScript the follow form posts and comes back', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, base, data, 'plain@example.org');
  await page.goto(`${base}/countries`);
  const country = await page.locator('main a[href^="/countries/"]').first().getAttribute('href');
  await page.goto(base + country);
  const name = (await page.locator('h1').textContent()).trim();
  await page.getByRole('button', { name: `Follow ${name}` }).click();
  await page.waitForLoadState();
  assert.equal(page.url(), base + country);
  assert.ok(await page.getByRole('button', { name: `Following ${name}` }).isVisible());
  await page.goto(`${base}/account/following`);
  assert.ok(await page.getByRole('link', { name }).isVisible());
  await context.close();
});
