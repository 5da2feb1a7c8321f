// Browser test: a reader pays for All-Access in real Chromium. The wall's subscribe link,
// /subscribe, the Stripe stand-in's checkout page, Pay, back to the site, the premium
// article in full; the account page with "Manage billing" to the customer portal. axe on
// the pages we render.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, SHOTS, expectAccessible, launchChromium, newContext, test, startServer,
  startStripe } from './helpers.mjs';

let server, browser, base, data, stripe;

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-browser-billing-'));
  fs.writeFileSync(path.join(data, 'meridian.toml'), `
[[plans]]
id = "monthly"
name = "All-Access monthly"
price = "$15"
period = "month"
stripe_price = "price_monthly"

[[plans]]
id = "annual"
name = "All-Access annual"
price = "$150"
period = "year"
stripe_price = "price_annual"
`);
  const file = path.join(data, 'articles.jsonl');
  fs.writeFileSync(file, JSON.stringify({
    slug: 'premium-a', access: 'premium', headline: 'Why the grid matters', dek: 'A long read.',
    body: 'First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nThe gated part: CANARYpremiumaX.',
    authors: ['Ann Lee'], topics: ['Energy'], countries: ['Chile'], published_at: '2026-01-15T09:00:00Z',
  }) + '\n');
  execFileSync(BIN, ['import', file, '--data', data]);
  stripe = await startStripe();
  await stripe.control('config', { prices: { price_monthly: { unit_amount: 1500, interval: 'month' },
    price_annual: { unit_amount: 15000, interval: 'year' } } });
  ({ server, base } = await startServer(data, stripe.env));
  await stripe.control('config', { webhook_url: `${base}/billing/stripe/webhook` });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  stripe?.proc.kill('SIGTERM');
});

test('subscribe from the wall, pay on Checkout, read the article; manage billing', async () => {
  const context = await newContext(browser, { viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/articles/premium-a`);
  assert.equal(await page.getByText('CANARYpremiumaX').count(), 0);
  await page.getByRole('link', { name: 'See subscription options' }).click();
  await page.waitForURL(/\/subscribe\?next=/);
  await expectAccessible(page, 'subscribe, anonymous');
  await page.screenshot({ path: path.join(SHOTS, 'billing-1-subscribe.png'), fullPage: true });

  await page.locator('#email-monthly').fill('payer@example.org');
  await page.getByRole('button', { name: 'Subscribe — All-Access monthly' }).click();
  await page.waitForURL(`${stripe.base}/checkout/**`);
  await page.screenshot({ path: path.join(SHOTS, 'billing-2-checkout.png'), fullPage: true });
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL(/\/billing\/return\?session_id=cs_test_/);
  await page.getByRole('heading', { name: 'Welcome, you now have All-Access' }).waitFor();
  await expectAccessible(page, 'welcome');
  await page.screenshot({ path: path.join(SHOTS, 'billing-3-welcome.png'), fullPage: true });

  await page.getByRole('link', { name: 'Continue reading' }).click();
  await page.waitForURL(`${base}/articles/premium-a`);
  assert.ok(await page.getByText('CANARYpremiumaX').isVisible(), 'the premium article in full');

  await page.goto(`${base}/account`);
  assert.ok(await page.getByText(/Active, renewing on/).isVisible());
  await expectAccessible(page, 'account with billing');
  await page.screenshot({ path: path.join(SHOTS, 'billing-4-account.png'), fullPage: true });
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await page.waitForURL(`${stripe.base}/portal/**`);
  assert.ok(await page.getByRole('heading', { name: /Customer portal/ }).isVisible());
  await context.close();
});

test('a cancelled Checkout comes back to the plans with nothing charged', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${base}/subscribe`);
  await page.locator('#email-annual').fill('hesitant@example.org');
  await page.getByRole('button', { name: 'Subscribe — All-Access annual' }).click();
  await page.waitForURL(`${stripe.base}/checkout/**`);
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.waitForURL(`${base}/subscribe?canceled=1`);
  assert.ok(await page.getByText('Your payment was not completed, and nothing was charged').isVisible());
  await expectAccessible(page, 'subscribe after cancel, mobile');
  await page.goto(`${base}/articles/premium-a`);
  assert.equal(await page.getByText('CANARYpremiumaX').count(), 0);
  await context.close();
});
