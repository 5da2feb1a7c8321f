// The Nu HTML checker (npm vnu-jar, run with Debian's Java) on the HTML every page kind
// sends — to a stranger, to a signed-in reader and in the back office: no errors.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { BIN, launchChromium, newContext, signIn, startServer, test } from './helpers.mjs';

const require = createRequire(import.meta.url);
const VNU = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');

let server, browser, base, data, out;

before(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-html-'));
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'meridian-html-pages-'));
  execFileSync(BIN, ['staff', 'add', '--email', 'editor@example.org', '--role', 'admin', '--data', data]);
  ({ server, base } = await startServer(data, {}, ['--demo']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  fs.rmSync(out, { recursive: true, force: true });
});

function links(html, prefix) {
  return [...new Set([...html.matchAll(new RegExp(`href="(${prefix}[^"?#]+)"`, 'g'))].map((m) => m[1]))];
}

test('every page kind is valid HTML to the Nu checker', async () => {
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
});
