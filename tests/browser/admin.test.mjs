// Browser tests of the back office: an editor writes an article with the live preview,
// uploads a hero image, previews it as each reader state, publishes it, sees it live and
// then sees its views, walls and registrations on the analytics page. axe-core on every
// admin page; screenshots in build/screenshots.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { BIN, SHOTS, expectAccessible, launchChromium, newContext, test, expectNoCspViolations, signIn, startServer } from './helpers.mjs';

let server, browser, base, data;

// A small valid PNG (solid colour), built here so the test needs no image file.
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, body) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type), body]);
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(tb));
    return Buffer.concat([len, tb, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-admin-browser-'));
  execFileSync(BIN, ['staff', 'add', '--email', 'editor@example.org', '--role', 'editor', '--data', data]);
  execFileSync(BIN, ['staff', 'add', '--email', 'admin@example.org', '--role', 'admin', '--data', data]);
  ({ server, base } = await startServer(data));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('an editor writes, previews as each reader, publishes and sees the numbers', async () => {
  const context = await newContext(browser, { viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, base, data, 'editor@example.org');
  await page.goto(`${base}/admin`);
  await expectAccessible(page, 'dashboard');
  await page.getByRole('link', { name: 'Articles' }).first().click();
  await expectAccessible(page, 'article list');
  await page.getByRole('link', { name: 'New article' }).click();

  await page.getByLabel('Headline').fill('Drought tests the Andes water pact');
  await page.getByLabel('Dek (standfirst)').fill('Three countries, one shrinking glacier.');
  await page.getByLabel('Topics').fill('Water, Climate');
  await page.getByLabel('Countries').fill('Chile, Peru');
  const body = page.getByLabel('Body (Markdown)');
  await body.fill('The public opening paragraph.\n\nA second public paragraph.\n\n');
  await page.getByRole('button', { name: 'Insert paywall cut at cursor' }).click();
  await body.press('End');
  await body.pressSequentially('\n\nGATEDPASSAGE only subscribers read this.');
  const preview = page.locator('#live-preview');
  await preview.getByText('GATEDPASSAGE').waitFor();
  assert.ok(await preview.getByText('Paywall cut').isVisible(), 'the live preview shows the cut');
  await expectAccessible(page, 'editor');
  await page.screenshot({ path: path.join(SHOTS, 'admin-1-editor.png'), fullPage: true });
  // The hero image is chosen before the article was ever saved: a wrong file is refused
  // and nothing typed is lost; a picture is kept with the first save.
  await page.getByLabel(/Hero image/).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain',
    buffer: Buffer.from('not an image') });
  await page.getByRole('button', { name: 'Save draft' }).click();
  assert.ok(await page.getByRole('alert').filter({ hasText: 'only JPEG, PNG, WebP and GIF' }).isVisible());
  assert.equal(await page.getByLabel('Headline').inputValue(), 'Drought tests the Andes water pact');
  assert.match(await page.getByLabel('Body (Markdown)').inputValue(), /GATEDPASSAGE/);
  await page.getByLabel(/Hero image/).setInputFiles({ name: 'hero.png', mimeType: 'image/png',
    buffer: png(64, 36) });
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const editUrl = page.url().split('?')[0];
  assert.ok(await page.getByRole('img', { name: 'Current hero image' }).isVisible());

  // Preview as each reader state.
  await page.getByRole('link', { name: 'anonymous reader' }).click();
  assert.ok(await page.getByRole('heading', { name: 'Keep reading for free' }).isVisible());
  assert.equal(await page.getByText('GATEDPASSAGE').count(), 0);
  await expectAccessible(page, 'preview as anonymous');
  await page.screenshot({ path: path.join(SHOTS, 'admin-2-preview-anonymous.png'), fullPage: true });
  await page.getByRole('link', { name: 'registered reader' }).click();
  assert.equal(await page.getByText('GATEDPASSAGE').count(), 0);
  assert.ok(await page.getByRole('button', { name: /free articles left/ }).isVisible());
  await page.screenshot({ path: path.join(SHOTS, 'admin-3-preview-registered.png'), fullPage: true });
  await page.getByRole('link', { name: 'subscriber' }).click();
  assert.ok(await page.getByText('GATEDPASSAGE').isVisible());
  await page.screenshot({ path: path.join(SHOTS, 'admin-4-preview-subscriber.png'), fullPage: true });

  // Publish and see it live, as an anonymous reader would.
  await page.goto(editUrl);
  await page.getByRole('button', { name: 'Publish now' }).click();
  await page.getByRole('status').filter({ hasText: 'Published' }).waitFor();
  const reader = await newContext(browser);
  const live = await reader.newPage();
  await live.goto(`${base}/articles/drought-tests-the-andes-water-pact`);
  assert.ok(await live.getByRole('heading', { name: 'Drought tests the Andes water pact' }).isVisible());
  assert.equal(await live.getByText('GATEDPASSAGE').count(), 0);
  const hero = live.locator('figure.hero img');
  assert.ok(await hero.evaluate((img) => img.complete && img.naturalWidth === 64), 'hero image loads');
  await live.goto(`${base}/`);
  assert.ok(await live.getByRole('link', { name: 'Drought tests the Andes water pact' }).first().isVisible());
  // A reader registers from the wall.
  await live.goto(`${base}/articles/drought-tests-the-andes-water-pact`);
  await live.getByLabel('Email address').fill('new.reader@example.org');
  await live.getByRole('button', { name: 'Keep reading' }).click();
  await live.getByText('GATEDPASSAGE').waitFor();
  expectNoCspViolations(reader);
  await reader.close();

  // The analytics page shows the views, walls and registration within seconds.
  let row;
  for (let i = 0; i < 40; i++) {
    await page.goto(`${base}/admin/analytics?days=7`);
    row = page.getByRole('row').filter({ hasText: 'Drought tests the Andes water pact' });
    // Events are written every few seconds, not necessarily all in the same write.
    if (await row.count() > 0 && (await row.innerText()).split('\t')[3] === '1') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const cells = (await row.innerText()).split('\t');
  assert.match(cells[1], /^[1-9]/, 'views counted');
  assert.ok(Number(cells[2]) >= 1, 'wall impressions counted');
  assert.equal(cells[3], '1', 'one registration');
  assert.ok(await page.locator('svg[role=img]').first().isVisible());
  await expectAccessible(page, 'analytics');
  await page.screenshot({ path: path.join(SHOTS, 'admin-5-analytics.png'), fullPage: true });

  // Revision history with restore.
  await page.goto(editUrl + '/revisions');
  assert.ok(await page.getByRole('cell', { name: 'editor@example.org' }).first().isVisible());
  await expectAccessible(page, 'revisions');
  await page.goto(`${base}/admin/newsletters`);
  await expectAccessible(page, 'newsletters');
  await page.getByRole('link', { name: "Today's edition" }).first().click();
  // The email preview: the article just published is in today's Daily Review.
  await page.frameLocator('iframe[title="Email preview (HTML)"]')
    .getByRole('link', { name: 'Drought tests the Andes water pact' }).waitFor();
  await expectAccessible(page, 'newsletter desk');
  await page.screenshot({ path: path.join(SHOTS, 'admin-6-newsletter-desk.png'), fullPage: true });
  await page.goto(`${base}/admin/taxonomy`);
  await expectAccessible(page, 'taxonomy');
  expectNoCspViolations(context);
  await context.close();
});

test('admin pages are accessible and closed to editors', async () => {
  const context = await newContext(browser, { viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await signIn(page, base, data, 'admin@example.org');
  for (const [url, label] of [['/admin/members', 'members'], ['/admin/staff', 'staff'],
    ['/admin/institutions', 'institutions'], ['/admin/settings', 'settings']]) {
    const res = await page.goto(base + url);
    assert.equal(res.status(), 200, url);
    await expectAccessible(page, label);
  }
  await page.goto(`${base}/admin/members?q=new.reader`);
  await page.getByRole('link', { name: 'new.reader@example.org' }).click();
  assert.ok(await page.getByText('unverified').first().isVisible());
  await expectAccessible(page, 'member');
  await page.screenshot({ path: path.join(SHOTS, 'admin-7-member.png'), fullPage: true });
  const editor = await newContext(browser);
  const ep = await editor.newPage();
  await signIn(ep, base, data, 'editor@example.org');
  const res = await ep.goto(`${base}/admin/members`);
  assert.equal(res.status(), 403);
  expectNoCspViolations(editor);
  await editor.close();
  expectNoCspViolations(context);
  await context.close();
});
