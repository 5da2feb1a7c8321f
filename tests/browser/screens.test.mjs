// Every page kind of the demo publication on a phone (390 px) and a desk (1366 px):
// screenshots in build/screenshots, no sideways scrolling on the phone, a header at most
// 64 px tall there whose menu opens without JavaScript, no console errors, axe clean of
// problems of any impact; and the Nu HTML checker on the HTML every page kind sends.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { BIN, SHOTS, expectAccessible, launchChromium, newContext, signIn, startServer, test } from './helpers.mjs';

const VNU = path.join(path.dirname(createRequire(import.meta.url).resolve('vnu-jar/package.json')),
  'build/dist/vnu.jar');

let server, browser, base, data;

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-screens-'));
  execFileSync(BIN, ['staff', 'add', '--email', 'editor@example.org', '--role', 'admin', '--data', data]);
  ({ server, base } = await startServer(data, {}, ['--demo']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function firstLink(prefix) {
  const found = links(await (await fetch(`${base}/`)).text(), prefix)[0];
  assert.ok(found, `a link to ${prefix} on the home page`);
  return found;
}

test('every page kind fits a phone and a desk', async () => {
  const pages = {
    home: '/',
    article: await firstLink('/articles/'),
    topic: await firstLink('/topics/'),
    country: '/countries/kenya',
    topics: '/topics',
    archive: '/archive',
    search: '/search?q=trade',
    'search-empty': '/search',
    page: '/pages/about',
    subscribe: '/subscribe',
    signin: '/signin',
  };
  for (const [width, height] of [[390, 844], [1366, 900]]) {
    const context = await newContext(browser, { viewport: { width, height } });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`); });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    for (const [name, p] of Object.entries(pages)) {
      const response = await page.goto(base + p);
      assert.equal(response.status(), 200, p);
      await page.screenshot({ path: path.join(SHOTS, `screen-${width}-${name}.png`), fullPage: true });
      if (width === 390) {
        const { doc, view, header } = await page.evaluate(() => ({
          doc: document.documentElement.scrollWidth,
          view: window.innerWidth,
          header: document.querySelector('header.masthead').getBoundingClientRect().height,
        }));
        assert.ok(doc <= view, `${p}: the page is ${doc} px wide on a ${view} px screen`);
        assert.ok(header <= 64, `${p}: the header is ${header} px tall on a phone`);
        if (name === 'search') {
          const first = await page.evaluate(() => document.querySelector('.results .listing li').getBoundingClientRect().top);
          assert.ok(first < 700, `the first search result starts at y=${first} on a phone`);
          // The filters fold into one closed panel above the results, and open on a tap.
          const panel = page.locator('details.filters-panel');
          assert.equal(await panel.getAttribute('open'), null);
          assert.equal(await page.locator('aside.facets-side').isVisible(), false);
          await panel.locator('summary').click();
          assert.ok(await panel.locator('.facets a').first().isVisible());
        }
        if (name === 'search-empty') {
          assert.equal(await page.getByText('Sort by').count(), 0, 'no "0 results · Sort by" before a search');
        }
      }
      await expectAccessible(page, `${name} at ${width} px`, { everything: true });
    }
    assert.deepEqual(errors, [], 'console errors');
    await context.close();
  }
});

test('on a phone the menu opens without JavaScript and holds the sections', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  const menu = page.getByRole('navigation', { name: 'Menu' });
  assert.equal(await menu.isVisible(), false);
  await page.locator('details.menu > summary').click();
  assert.ok(await menu.getByRole('link', { name: 'All topics' }).isVisible());
  assert.ok(await menu.getByRole('link', { name: 'Archive' }).isVisible());
  await page.screenshot({ path: path.join(SHOTS, 'screen-390-menu-open.png') });
  // Search is one tap away, and Subscribe / Sign in stay on the header's line.
  assert.ok(await page.getByRole('link', { name: 'Search' }).first().isVisible());
  const signin = await page.getByRole('link', { name: 'Sign in' }).boundingBox();
  const subscribe = await page.getByRole('link', { name: 'Subscribe' }).first().boundingBox();
  assert.ok(Math.abs(signin.y - subscribe.y) < 20, 'Subscribe and Sign in on one line');
  await context.close();
});

test('the back office fits a phone and a desk: wide tables scroll in their own box, axe clean', async () => {
  for (const [width, height] of [[390, 844], [1366, 900]]) {
    const context = await newContext(browser, { viewport: { width, height } });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`); });
    await signIn(page, base, data, 'editor@example.org');
    for (const p of ['/admin', '/admin/articles', '/admin/articles/new', '/admin/analytics',
      '/admin/members', '/admin/pages', '/admin/newsletters', '/admin/settings', '/admin/authors', '/admin/bin',
      '/admin/staff', '/admin/redirects', '/admin/taxonomy', '/admin/integrations']) {
      assert.equal((await page.goto(base + p)).status(), 200, p);
      const { doc, view } = await page.evaluate(() => ({
        doc: document.documentElement.scrollWidth, view: window.innerWidth }));
      assert.ok(doc <= view, `${p}: the page is ${doc} px wide on a ${view} px screen`);
      await page.screenshot({ path: path.join(SHOTS, `screen-${width}${p.replace(/\//g, '-')}.png`), fullPage: true });
      await expectAccessible(page, `${p} at ${width} px`, { everything: true });
    }
    assert.deepEqual(errors, [], 'console errors');
    await context.close();
  }
});

test('the type is the site\'s own: Source Serif 4 and Inter, from this server, nothing else', async () => {
  const context = await newContext(browser, { viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const fonts = [];
  page.on('response', (r) => { if (r.request().resourceType() === 'font') fonts.push([r.url(), r.status(), r.headers()['content-type']]); });
  await page.goto(`${base}${await firstLink('/articles/')}`);
  await page.evaluate(() => document.fonts.ready);
  const state = await page.evaluate(() => ({
    loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family.replace(/"/g, '')} ${f.style}`),
    body: getComputedStyle(document.body).fontFamily,
    kicker: getComputedStyle(document.querySelector('.meta, .byline') ?? document.body).fontFamily,
  }));
  assert.ok(state.loaded.includes('Source Serif 4 normal'), `loaded: ${state.loaded}`);
  assert.ok(state.loaded.includes('Inter normal'), `loaded: ${state.loaded}`);
  assert.match(state.body, /^"Source Serif 4"/);
  assert.match(state.kicker, /^Inter/);
  assert.ok(fonts.length >= 2, 'the fonts were fetched');
  for (const [url, status, type] of fonts) {
    assert.ok(url.startsWith(`${base}/static/`), `${url} is served by the site itself`);
    assert.equal(status, 200, url);
    assert.equal(type, 'font/woff2', url);
  }
  await context.close();
});

function links(html, prefix) {
  return [...new Set([...html.matchAll(new RegExp(`href="(${prefix}[^"?#]+)"`, 'g'))].map((m) => m[1]))];
}

test('every page kind is valid HTML to the Nu checker', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-html-pages-'));
  try {
    await checkHtml(out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

// What a stranger sees and what a signed-in administrator sees, saved in `out` and given
// to the Nu HTML checker (npm vnu-jar, run with Debian's Java).
async function checkHtml(out) {
  const home = await (await fetch(`${base}/`)).text();
  const article = links(home, '/articles/')[0];
  const stranger = ['/', article, links(home, '/topics/')[0], '/countries/kenya',
    '/topics', '/countries', '/authors', '/archive', '/search', '/search?q=trade', '/pages/about', '/subscribe',
    '/signin', '/no-such-page'];
  // Signed in (as an administrator): every page the route table has without a parameter
  // (those that answer HTML), the article, and an article in the editor.
  const routes = execFileSync(BIN, ['routes', '--data', data], { encoding: 'utf8' }).trim().split('\n')
    .map((l) => l.split('\t')).filter(([method, p]) => method === 'GET' && !p.includes('{')).map(([, p]) => p);
  const files = [];
  const save = async (request, who, p, htmlOnly = false) => {
    const r = await request.get(base + p, { maxRedirects: 0 });
    if (htmlOnly && (r.status() !== 200 || !(r.headers()['content-type'] ?? '').startsWith('text/html'))) return;
    assert.ok([200, 404].includes(r.status()), `${who} ${p}: ${r.status()}`);
    const file = path.join(out, `${who}${p.replace(/[^a-z0-9]+/gi, '-')}.html`);
    fs.writeFileSync(file, await r.text());
    files.push(file);
  };
  const anonymous = await newContext(browser);
  for (const p of stranger) await save(anonymous.request, 'stranger', p);
  await anonymous.close();
  const signed = await newContext(browser);
  const page = await signed.newPage();
  await signIn(page, base, data, 'editor@example.org');
  for (const p of routes) await save(signed.request, 'signed-in', p, true);
  const list = await (await signed.request.get(`${base}/admin/articles`)).text();
  const edit = links(list, '/admin/articles/').find((l) => /\/admin\/articles\/\d+$/.test(l));
  for (const p of [article, edit, `${edit}/revisions`]) await save(signed.request, 'signed-in', p, true);
  await signed.close();

  const report = JSON.parse(execFileSync('java', ['-Xss4m', '-jar', VNU, '--format', 'json', '--exit-zero-always', '--stdout', ...files],
    { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const errors = report.messages.filter((m) => m.type === 'error' || m.subType === 'fatal')
    .map((m) => `${path.basename(m.url)}:${m.lastLine}: ${m.message} [${(m.extract ?? '').trim().slice(0, 120)}]`);
  assert.deepEqual(errors, [], `Nu HTML checker errors:\n${errors.join('\n')}`);
  assert.ok(files.length >= 40, `checked ${files.length} pages`);
}
