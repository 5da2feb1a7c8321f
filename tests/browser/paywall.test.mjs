// Browser tests: the wall -> register -> read flow and the unlock flow in real Chromium,
// with screenshots, and axe-core on the article page in each reader state.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, SHOTS, expectAccessible, launchChromium, newContext, test, expectNoCspViolations, mailLink as mailLinkIn,
  startServer } from './helpers.mjs';

let server, browser, base, data;

function article(slug, access, extra = {}) {
  return JSON.stringify({
    slug, access, headline: `A headline for ${slug}`, dek: `Why ${slug} matters.`,
    body: `First paragraph of ${slug}.\n\nSecond paragraph.\n\nThird paragraph.\n\n` +
          `The gated part: CANARY${slug.replace(/-/g, '')}X.\n\nMore gated text.`,
    authors: ['Ann Lee'], topics: ['Energy'], countries: ['Chile'],
    published_at: '2026-01-15T09:00:00Z', ...extra,
  });
}

const mailLink = (to, prefix) => mailLinkIn(data, to, prefix);

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-browser-'));
  const file = path.join(data, 'articles.jsonl');
  fs.writeFileSync(file, ['metered-a', 'metered-b', 'metered-c'].map((s) => article(s, 'metered'))
    .concat([article('premium-a', 'premium')]).join('\n') + '\n');
  execFileSync(BIN, ['import', file, '--data', data]);
  execFileSync(BIN, ['members', 'grant', '--email', 'sub@example.org', '--until', '2099-12-31',
    '--data', data]);
  ({ server, base } = await startServer(data));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('wall -> register -> read, then verify and unlock', async () => {
  const context = await newContext(browser, { viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/articles/metered-a`);
  assert.ok(await page.getByRole('heading', { name: 'Keep reading for free' }).isVisible());
  assert.equal(await page.getByText('CANARYmeteredaX').count(), 0);
  await expectAccessible(page, 'anonymous, registration wall');
  await page.screenshot({ path: path.join(SHOTS, '1-anonymous-wall.png'), fullPage: true });

  await page.getByLabel('Email address').fill('browser.reader@example.org');
  await page.getByRole('button', { name: 'Keep reading' }).click();
  // Back where the teaser ended, told to confirm the address.
  await page.waitForURL(`${base}/articles/metered-a?registered=1#continue`);
  assert.ok(await page.getByRole('status').filter({ hasText: 'We sent a link to browser.reader@example.org' }).isVisible());
  assert.ok(await page.getByText('CANARYmeteredaX').isVisible(), 'the rest of the article shows');
  await page.screenshot({ path: path.join(SHOTS, '2-registered-reads.png'), fullPage: true });

  await page.goto(`${base}/articles/metered-b`);
  assert.ok(await page.getByRole('heading', { name: 'Confirm your email to keep reading' }).isVisible());
  await expectAccessible(page, 'registered, not verified');

  await page.goto(base + await mailLink('browser.reader@example.org', '/verify'));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  // On the account page, with the signed-in header.
  await page.waitForURL(`${base}/account?notice=confirmed`);
  assert.ok(await page.getByRole('status').filter({ hasText: 'Address confirmed.' }).isVisible());
  assert.ok(await page.getByRole('navigation', { name: 'Account' })
    .getByRole('button', { name: 'Sign out', exact: true }).isVisible());

  await page.goto(`${base}/articles/metered-b`);
  const unlock = page.getByRole('button', { name: /Read this article — 3 of 3 free articles left/ });
  assert.ok(await unlock.isVisible());
  await expectAccessible(page, 'registered, unlock offer');
  await page.screenshot({ path: path.join(SHOTS, '3-unlock-offer.png'), fullPage: true });
  await unlock.click();
  await page.waitForURL(`${base}/articles/metered-b`);
  assert.ok(await page.getByText('CANARYmeteredbX').isVisible());
  await page.screenshot({ path: path.join(SHOTS, '4-unlocked.png'), fullPage: true });

  await page.goto(`${base}/articles/metered-c`);
  assert.ok(await page.getByRole('button', { name: /2 of 3 free articles left/ }).isVisible());
  await page.goto(`${base}/articles/premium-a`);
  assert.ok(await page.getByRole('heading', { name: 'This article is for subscribers' }).isVisible());
  await expectAccessible(page, 'registered, premium wall');
  expectNoCspViolations(context);
  await context.close();
});

test('a subscriber signs in by link and reads everything', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await expectAccessible(page, 'sign-in page');
  await page.getByLabel('Email address').fill('sub@example.org');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.ok(await page.getByRole('heading', { name: 'Check your inbox' }).isVisible());
  await page.goto(base + await mailLink('sub@example.org', '/signin/confirm'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(`${base}/articles/premium-a`);
  assert.ok(await page.getByText('CANARYpremiumaX').isVisible());
  await expectAccessible(page, 'subscriber, full article');
  await page.screenshot({ path: path.join(SHOTS, '5-subscriber-mobile.png'), fullPage: true });
  await page.goto(`${base}/account`);
  assert.ok(await page.getByText(/All-Access subscriber/).isVisible());
  await expectAccessible(page, 'account page');
  expectNoCspViolations(context);
  await context.close();
});

test('search from the header, narrow by a facet, keyboard and axe clean', async () => {
  const context = await newContext(browser, { viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByRole('searchbox', { name: 'Search' }).first().fill('headline');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\?q=headline/);
  assert.ok(await page.getByRole('status').filter({ hasText: 'results' }).isVisible());
  assert.ok(await page.getByRole('link', { name: 'A headline for metered-a' }).isVisible());
  // Gated words never show in anonymous snippets.
  assert.equal(await page.getByText(/CANARY/).count(), 0);
  await expectAccessible(page, 'search results');
  await page.screenshot({ path: path.join(SHOTS, '6-search.png'), fullPage: true });
  await page.getByRole('complementary', { name: 'Filter results' })
    .getByRole('link', { name: 'Chile' }).click();
  await page.waitForURL(/country=chile/);
  assert.ok(await page.getByRole('link', { name: 'Any Country or region' }).isVisible());
  await page.goto(`${base}/search?q=CANARYmeteredaX`);
  assert.ok(await page.getByText('No articles match that search.').isVisible());
  expectNoCspViolations(context);
  // The watch itself works: an injected inline script is refused and reported.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = true';
    document.body.appendChild(s);
  });
  for (let i = 0; i < 100 && context.cspViolations.length === 0; i++) await page.waitForTimeout(50);
  assert.equal(await page.evaluate(() => window.injected === true), false, 'inline script ran');
  assert.equal(context.cspViolations.length, 1, 'the refused inline script was reported');
  context.cspViolations.length = 0;
  await context.close();
});
