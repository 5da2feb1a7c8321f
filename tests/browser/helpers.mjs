// Shared by the browser tests: a meridian server on a free port, Chromium, mail links
// from the outbox, and axe-core checks.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { test as nodeTest } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const HERE = path.dirname(new URL(import.meta.url).pathname);
export const BIN = process.env.MERIDIAN_BIN || path.join(HERE, '../../build/meridian');
export const SHOTS = process.env.SCREENSHOT_DIR || path.join(HERE, '../../build/screenshots');
fs.mkdirSync(SHOTS, { recursive: true });

// On a PostgreSQL run (MERIDIAN_TEST_BACKEND=postgres: ctest's browser_pg.paywall), each
// test file (node --test runs each in a process of its own, with one data folder) keeps its
// publication in a new database on the test server (MERIDIAN_TEST_PG_DIR, else one started
// here): every command and server it starts inherits MERIDIAN_DATABASE_URL.
if (process.env.MERIDIAN_TEST_BACKEND === 'postgres' && !process.env.MERIDIAN_DATABASE_URL) {
  let dir = process.env.MERIDIAN_TEST_PG_DIR;
  if (!dir) {
    const script = path.join(HERE, '../../scripts/pg-server');
    dir = fs.mkdtempSync('/tmp/meridian-browser-pg-');
    execFileSync(script, ['start', dir], { stdio: 'ignore' });
    process.on('exit', () => execFileSync(script, ['stop', dir], { stdio: 'ignore' }));
  }
  const name = `browser_${process.pid}_${Date.now() % 100000}`;
  execFileSync('/usr/lib/postgresql/15/bin/psql',
    ['-h', dir, '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
  process.env.MERIDIAN_DATABASE_URL = `postgresql://postgres@/${name}?host=${dir}`;
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts `meridian serve` on data; returns { server, base }. Throws when it exits or does
// not answer within 10 s, so a broken server fails the tier instead of hanging it.
// `args`: more for `serve` (e.g. ['--demo']).
export async function startServer(data, env = {}, args = []) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // One sign-in link per address per second (the default is minutes): these tests sign
  // the same staff member in from several browsers.
  const server = spawn(BIN, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, ...args],
    { stdio: 'ignore', env: { ...process.env, MERIDIAN_LINK_SPACING_SECONDS: '1', ...env } });
  let exited = null;
  server.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 600; i++) {
    if (exited !== null) throw new Error(`meridian serve exited with ${exited}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { server, base };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  server.kill();
  throw new Error(`meridian serve did not answer on ${base}`);
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// Every link to `prefix` mailed to `to`, oldest first, as local paths.
export function mailLinks(data, to, prefix) {
  const dir = path.join(data, 'outbox');
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.eml')).sort()) {
    // Quoted-printable: undo soft line breaks and =XX escapes before searching.
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    const text = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g,
      (_, h) => String.fromCharCode(parseInt(h, 16)));
    if (!text.includes(`To: ${to}`)) continue;
    const m = text.match(new RegExp(`https?://[^/\\s]+(${prefix}[^\\s]*)`));
    if (m) out.push(m[1]);
  }
  return out;
}

// The newest link to `prefix` mailed to `to` once more than `skip` have arrived. Account
// mail goes out from a worker just after the answer, so this waits (up to 10 s).
export async function mailLink(data, to, prefix, skip = 0) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const links = mailLinks(data, to, prefix);
    if (links.length > skip) return links[links.length - 1];
    if (Date.now() > deadline) throw new Error(`no ${prefix} link for ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A browser context that records every Content-Security-Policy violation its pages log;
// expectAccessible (called on every page the tests look at) and expectNoCspViolations
// fail on any.
const openContexts = new Set();

// node:test's test(), plus a screenshot of every open page when the test fails (named
// after the test, in SHOTS), so a failure leaves a picture of what the browser showed.
export function test(name, fn) {
  return nodeTest(name, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      let i = 0;
      for (const context of openContexts) {
        for (const page of context.pages()) {
          const file = path.join(SHOTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}-${++i}.png`);
          await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        }
      }
      throw error;
    }
  });
}

export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  context.cspViolations = [];
  context.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) {
      context.cspViolations.push(`${msg.page()?.url()}: ${msg.text()}`);
    }
  });
  return context;
}

export function expectNoCspViolations(context) {
  assert.deepEqual(context.cspViolations || [], [], 'Content-Security-Policy violations');
}

// `everything`: violations of any impact fail (the reader-facing page kinds); otherwise
// serious and critical ones.
export async function expectAccessible(page, label, { everything = false } = {}) {
  expectNoCspViolations(page.context());
  // Evaluated through the debugging protocol, not as an inline <script>: the site's
  // Content-Security-Policy (script-src 'self') would rightly refuse that.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  }));
  const serious = result.violations.filter((v) => everything || v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [],
    `axe found ${everything ? 'problems' : 'serious or critical problems'} (${label})`);
}

// Signs a new browser context in through the emailed link.
export async function signIn(page, base, data, email) {
  const seen = mailLinks(data, email, '/signin/confirm').length;
  await page.goto(`${base}/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await page.goto(base + await mailLink(data, email, '/signin/confirm', seen));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
}

// The Stripe stand-in (tests/stripe/standin.mjs) on a free port: { proc, base, env, control }.
export async function startStripe() {
  const key = 'sk_test_meridian_browser_0000';
  const secret = 'whsec_meridian_browser';
  const proc = spawn(process.execPath, [path.join(HERE, '../stripe/standin.mjs'), '--key', key,
    '--secret', secret, '--fixtures', path.join(HERE, '../../../shared/stripe/fixtures3.json')],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0]);
    });
    proc.on('exit', (code) => reject(new Error(`Stripe stand-in exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${JSON.parse(line).port}`;
  const control = async (what, body = {}) => {
    const r = await fetch(`${base}/_test/${what}`, { method: 'POST', body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`stand-in ${what}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return {
    proc, base, control, key, secret,
    env: { MERIDIAN_BILLING_STRIPE_SECRET_KEY: key, MERIDIAN_BILLING_STRIPE_WEBHOOK_SECRET: secret,
      MERIDIAN_BILLING_STRIPE_API_BASE: base },
  };
}
