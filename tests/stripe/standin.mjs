// A stand-in for the Stripe API on loopback, for Meridian's tests. See README.md.
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const Stripe = require('stripe');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, all) => (i % 2 === 0 ? [...acc, [v.replace(/^--/, ''), all[i + 1]]] : acc), []));
const KEY = args.key || 'sk_test_standin';
let webhookSecret = args.secret || 'whsec_standin';
const fixtures = JSON.parse(fs.readFileSync(args.fixtures || '../shared/stripe/fixtures3.json', 'utf8')).resources;
const signer = new Stripe(KEY);

const state = {
  webhookUrl: args.webhook || '',
  hold: false,
  held: [],
  fail: null,        // 'down' | 'slow' | 'refuse'
  failCount: 0,      // how many API calls to fail (0: all while set)
  slowMs: 0,
  prices: {},        // price id -> {unit_amount, currency, interval}
  requests: [],
  idempotency: new Map(),
  sessions: new Map(), customers: new Map(), subscriptions: new Map(), invoices: new Map(),
  invoicePayments: new Map(), charges: new Map(), portals: new Map(),
  sent: [],
};
let base = '';
const now = () => Math.floor(Date.now() / 1000);
const rid = (prefix) => prefix + crypto.randomBytes(12).toString('hex');
const clone = (o) => JSON.parse(JSON.stringify(o));

function parseForm(body) {
  const out = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}
function priceFor(id) {
  const p = state.prices[id] || {};
  const price = clone(fixtures.price);
  Object.assign(price, { id, unit_amount: p.unit_amount ?? 1500, unit_amount_decimal: String(p.unit_amount ?? 1500),
    currency: p.currency || 'usd', type: p.interval ? 'recurring' : (p.one_time ? 'one_time' : 'recurring') });
  price.recurring = p.one_time ? null : { ...(price.recurring || {}), interval: p.interval || 'month', interval_count: 1 };
  return price;
}
function periodSeconds(priceId) {
  return (state.prices[priceId]?.interval === 'year') ? 365 * 86400 : 30 * 86400;
}

function makeCustomer(email) {
  const c = clone(fixtures.customer);
  Object.assign(c, { id: rid('cus_'), email, created: now(), livemode: false, metadata: {} });
  state.customers.set(c.id, c);
  return c;
}

function makeSubscription(session) {
  const line = session._line_items[0];
  const s = clone(fixtures.subscription);
  const id = rid('sub_');
  const t = now();
  const item = clone(s.items.data[0]);
  Object.assign(item, { id: rid('si_'), price: priceFor(line.price), quantity: Number(line.quantity || 1),
    subscription: id, current_period_start: t, current_period_end: t + periodSeconds(line.price), created: t });
  Object.assign(s, { id, customer: session.customer, status: 'active', created: t, start_date: t,
    cancel_at_period_end: false, cancel_at: null, canceled_at: null, ended_at: null, trial_end: null,
    trial_start: null, livemode: false, metadata: session._subscription_metadata || {},
    latest_invoice: null });
  s.items = { ...s.items, object: 'list', data: [item], has_more: false, url: `/v1/subscription_items?subscription=${id}` };
  state.subscriptions.set(id, s);
  return s;
}

function makeInvoice(sub, paid) {
  const inv = clone(fixtures.invoice);
  const item = sub.items.data[0];
  const amount = item.price.unit_amount * item.quantity;
  const id = rid('in_');
  const pi = rid('pi_');
  Object.assign(inv, { id, customer: sub.customer, subscription: null, created: now(),
    status: paid ? 'paid' : 'open', amount_due: amount, amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount, total: amount, subtotal: amount, currency: item.price.currency,
    billing_reason: 'subscription_cycle', hosted_invoice_url: `${base}/invoices/${id}`, livemode: false,
    period_start: item.current_period_start, period_end: item.current_period_end,
    status_transitions: { finalized_at: now(), marked_uncollectible_at: null, paid_at: paid ? now() : null, voided_at: null } });
  inv.parent = { type: 'subscription_details', quote_details: null,
    subscription_details: { metadata: sub.metadata, subscription: sub.id } };
  delete inv.payment_intent;  // not on invoices since 2025: see invoice_payments
  state.invoices.set(id, inv);
  const ip = clone(fixtures.invoice_payment || {});
  Object.assign(ip, { id: rid('inpay_'), object: 'invoice_payment', invoice: id, amount_paid: paid ? amount : 0,
    amount_requested: amount, currency: item.price.currency, status: paid ? 'paid' : 'open', is_default: true,
    payment: { type: 'payment_intent', payment_intent: pi } });
  state.invoicePayments.set(id, [ip]);
  const ch = clone(fixtures.charge);
  Object.assign(ch, { id: rid('ch_'), amount, amount_captured: amount, amount_refunded: 0, refunded: false,
    customer: sub.customer, payment_intent: pi, paid, status: paid ? 'succeeded' : 'failed', created: now(),
    currency: item.price.currency, livemode: false });
  state.charges.set(ch.id, ch);
  sub.latest_invoice = id;
  return inv;
}

function makeEvent(type, object) {
  const e = clone(fixtures.event);
  Object.assign(e, { id: rid('evt_'), type, created: now(), api_version: '2026-02-25.clover',
    data: { object: clone(object) }, livemode: false, pending_webhooks: 1,
    request: { id: null, idempotency_key: null } });
  return e;
}

async function deliver(event, opts = {}) {
  const payload = JSON.stringify(event);
  const header = opts.header ?? signer.webhooks.generateTestHeaderString({
    payload, secret: opts.secret || webhookSecret, timestamp: opts.timestamp });
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' };
  if (header !== null) headers['Stripe-Signature'] = header;
  const res = await fetch(state.webhookUrl, { method: 'POST', headers, body: opts.body ?? payload });
  const text = await res.text();
  state.sent.push({ id: event.id, type: event.type, status: res.status });
  return { status: res.status, body: text, event_id: event.id };
}

async function emit(type, object) {
  const e = makeEvent(type, object);
  if (state.hold || !state.webhookUrl) {
    state.held.push(e);
    return { held: true, event_id: e.id };
  }
  return deliver(e);
}

function stripeError(res, status, message, type = 'invalid_request_error') {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: { type, message } }));
}
function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
function html(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stand-in checkout</title></head><body>${body}</body></html>`);
}
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function pay(session) {
  if (session.status === 'complete') return [];
  if (!session.customer) session.customer = makeCustomer(session.customer_email || 'reader@example.org').id;
  const t = now();
  session.status = 'complete';
  session.payment_status = 'paid';
  const out = [];
  if (session.mode === 'subscription') {
    const sub = makeSubscription(session);
    const inv = makeInvoice(sub, true);
    session.subscription = sub.id;
    session.invoice = inv.id;
    session.amount_total = inv.amount_paid;
    out.push(['checkout.session.completed', session], ['customer.subscription.created', sub], ['invoice.paid', inv]);
  } else {
    const line = session._line_items[0];
    const price = priceFor(line.price);
    const pi = rid('pi_');
    session.payment_intent = pi;
    session.amount_total = price.unit_amount;
    session.currency = price.currency;
    const ch = clone(fixtures.charge);
    Object.assign(ch, { id: rid('ch_'), amount: price.unit_amount, amount_captured: price.unit_amount,
      amount_refunded: 0, refunded: false, customer: session.customer, payment_intent: pi, paid: true,
      status: 'succeeded', created: t, currency: price.currency });
    state.charges.set(ch.id, ch);
    out.push(['checkout.session.completed', session]);
  }
  const results = [];
  for (const [type, obj] of out) results.push(await emit(type, publicSession(obj)));
  return results;
}

function publicSession(o) {
  if (o.object !== 'checkout.session') return o;
  const copy = clone(o);
  for (const k of Object.keys(copy)) if (k.startsWith('_')) delete copy[k];
  return copy;
}

function list(items, query) {
  let all = [...items].sort((a, b) => (a._seq ?? 0) - (b._seq ?? 0));
  const limit = Math.min(Number(query.get('limit') || 10), 100);
  const after = query.get('starting_after');
  if (after) {
    const i = all.findIndex((x) => x.id === after);
    all = i >= 0 ? all.slice(i + 1) : [];
  }
  const page = all.slice(0, limit);
  return { object: 'list', data: page, has_more: all.length > limit, url: '/v1/subscriptions' };
}

let seq = 0;
async function api(req, res, url, body) {
  const auth = req.headers.authorization || '';
  if (auth !== `Bearer ${KEY}`) return stripeError(res, 401, 'Invalid API Key provided', 'authentication_error');
  state.requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
    form: req.method === 'POST' ? parseForm(body) : {}, idempotency_key: req.headers['idempotency-key'] || '',
    stripe_version: req.headers['stripe-version'] || '', content_type: req.headers['content-type'] || '' });
  if (state.fail) {
    if (state.failCount > 0 && --state.failCount === 0) {
      const mode = state.fail; state.fail = null;
      if (mode === 'down') return stripeError(res, 500, 'An unknown error occurred', 'api_error');
    } else if (state.fail === 'down') {
      return stripeError(res, 500, 'An unknown error occurred', 'api_error');
    } else if (state.fail === 'slow') {
      await new Promise((r) => setTimeout(r, state.slowMs));
    } else if (state.fail === 'ratelimit') {
      return stripeError(res, 429, 'Too many requests', 'rate_limit_error');
    }
  }
  const key = req.headers['idempotency-key'];
  if (req.method === 'POST') {
    if (!key) return stripeError(res, 400, 'an Idempotency-Key is required by this stand-in');
    if (state.idempotency.has(key)) return json(res, 200, state.idempotency.get(key), { 'Idempotent-Replayed': 'true' });
  }
  const form = req.method === 'POST' ? parseForm(body) : {};
  const p = url.pathname;
  let m;
  if (req.method === 'POST' && p === '/v1/checkout/sessions') {
    if (!form.mode || !form['line_items[0][price]'] || !form.success_url || !form.cancel_url) {
      return stripeError(res, 400, 'Missing required param: mode, line_items, success_url or cancel_url');
    }
    if (form.customer && !state.customers.has(form.customer)) return stripeError(res, 400, `No such customer: '${form.customer}'`);
    const s = clone(fixtures['checkout.session']);
    const id = rid('cs_test_');
    const metadata = {}, subMeta = {};
    for (const [k, v] of Object.entries(form)) {
      if ((m = /^metadata\[(.+)\]$/.exec(k))) metadata[m[1]] = v;
      if ((m = /^subscription_data\[metadata\]\[(.+)\]$/.exec(k))) subMeta[m[1]] = v;
    }
    Object.assign(s, { id, object: 'checkout.session', mode: form.mode, url: `${base}/checkout/${id}`,
      success_url: form.success_url, cancel_url: form.cancel_url, client_reference_id: form.client_reference_id || null,
      customer: form.customer || null, customer_email: form.customer_email || null, metadata, status: 'open',
      payment_status: 'unpaid', subscription: null, invoice: null, payment_intent: null, created: now(),
      expires_at: now() + 86400, livemode: false, amount_total: null, currency: null });
    s.customer_details = { ...(s.customer_details || {}), email: form.customer_email || null };
    s._line_items = [{ price: form['line_items[0][price]'], quantity: form['line_items[0][quantity]'] || '1' }];
    s._subscription_metadata = subMeta;
    state.sessions.set(id, s);
    const out = publicSession(s);
    state.idempotency.set(key, out);
    return json(res, 200, out);
  }
  if (req.method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(p))) {
    const s = state.sessions.get(m[1]);
    return s ? json(res, 200, publicSession(s)) : stripeError(res, 404, `No such checkout.session: '${m[1]}'`);
  }
  if (req.method === 'GET' && (m = /^\/v1\/subscriptions\/([^/]+)$/.exec(p))) {
    const s = state.subscriptions.get(m[1]);
    return s ? json(res, 200, s) : stripeError(res, 404, `No such subscription: '${m[1]}'`);
  }
  if (req.method === 'GET' && p === '/v1/subscriptions') {
    const all = [...state.subscriptions.values()];
    const status = url.searchParams.get('status');
    const shown = status === 'all' ? all : all.filter((s) => s.status !== 'canceled');
    return json(res, 200, list(shown, url.searchParams));
  }
  if (req.method === 'GET' && (m = /^\/v1\/invoices\/([^/]+)$/.exec(p))) {
    const inv = state.invoices.get(m[1]);
    return inv ? json(res, 200, inv) : stripeError(res, 404, `No such invoice: '${m[1]}'`);
  }
  if (req.method === 'GET' && (m = /^\/v1\/charges\/([^/]+)$/.exec(p))) {
    const ch = state.charges.get(m[1]);
    return ch ? json(res, 200, ch) : stripeError(res, 404, `No such charge: '${m[1]}'`);
  }
  if (req.method === 'GET' && p === '/v1/invoice_payments') {
    const data = state.invoicePayments.get(url.searchParams.get('invoice')) || [];
    return json(res, 200, { object: 'list', data, has_more: false, url: '/v1/invoice_payments' });
  }
  if (req.method === 'POST' && p === '/v1/billing_portal/sessions') {
    if (!state.customers.has(form.customer)) return stripeError(res, 400, `No such customer: '${form.customer}'`);
    const s = clone(fixtures['billing_portal.session']);
    Object.assign(s, { id: rid('bps_'), customer: form.customer, return_url: form.return_url || null,
      url: `${base}/portal/${rid('')}`, created: now(), livemode: false, flow: null });
    state.portals.set(s.id, s);
    state.idempotency.set(key, s);
    return json(res, 200, s);
  }
  return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${p})`);
}

function subscriptionOf(id) {
  const s = state.subscriptions.get(id);
  if (!s) throw new Error(`no subscription ${id}`);
  return s;
}

async function control(req, res, url, body) {
  const p = url.pathname;
  const b = body ? JSON.parse(body) : {};
  let m;
  if (p === '/_test/config') {
    if ('webhook_url' in b) state.webhookUrl = b.webhook_url;
    if ('webhook_secret' in b) webhookSecret = b.webhook_secret;
    if ('hold' in b) state.hold = b.hold;
    if ('fail' in b) { state.fail = b.fail; state.failCount = b.fail_count || 0; }
    if ('slow_ms' in b) state.slowMs = b.slow_ms;
    if ('prices' in b) Object.assign(state.prices, b.prices);
    return json(res, 200, { ok: true });
  }
  if (p === '/_test/requests') return json(res, 200, state.requests);
  if (p === '/_test/sent') return json(res, 200, state.sent);
  if (p === '/_test/held') return json(res, 200, state.held.map((e) => ({ id: e.id, type: e.type })));
  if (p === '/_test/flush') {
    // Sends held events: in order, reversed, or a chosen order of indexes; each may be sent twice.
    let events = [...state.held];
    state.held = [];
    if (b.order === 'reverse') events.reverse();
    if (Array.isArray(b.order)) events = b.order.map((i) => events[i]);
    const results = [];
    for (const e of events) {
      results.push(await deliver(e));
      if (b.twice) results.push(await deliver(e));
    }
    return json(res, 200, results);
  }
  if (p === '/_test/sign') {
    return json(res, 200, { header: signer.webhooks.generateTestHeaderString({
      payload: b.payload, secret: b.secret || webhookSecret, timestamp: b.timestamp }) });
  }
  if (p === '/_test/deliver') {
    // A raw delivery: a given body and header (or none), for the signature tests.
    const res2 = await fetch(state.webhookUrl, { method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(b.header != null ? { 'Stripe-Signature': b.header } : {}) },
      body: b.body });
    return json(res, 200, { status: res2.status, body: await res2.text() });
  }
  if (p === '/_test/event') {
    // An event about an object as it is now (or as given).
    let obj = b.object;
    if (!obj && b.subscription) obj = subscriptionOf(b.subscription);
    if (!obj && b.session) obj = publicSession(state.sessions.get(b.session));
    if (!obj && b.invoice) obj = state.invoices.get(b.invoice);
    const e = makeEvent(b.type, obj);
    if (b.hold) { state.held.push(e); return json(res, 200, { held: true, event_id: e.id }); }
    return json(res, 200, await deliver(e, { secret: b.secret, timestamp: b.timestamp }));
  }
  if ((m = /^\/_test\/pay\/(.+)$/.exec(p))) {
    const s = state.sessions.get(m[1]);
    if (!s) return json(res, 404, { error: 'no session' });
    return json(res, 200, { results: await pay(s), session: publicSession(s) });
  }
  if ((m = /^\/_test\/subscriptions\/([^/]+)$/.exec(p))) {
    const s = subscriptionOf(m[1]);
    return json(res, 200, s);
  }
  if ((m = /^\/_test\/subscriptions\/([^/]+)\/(update|renew|fail|cancel|delete|refund)$/.exec(p))) {
    const s = subscriptionOf(m[1]);
    const item = s.items.data[0];
    const results = [];
    const quiet = b.quiet === true;  // change the state without telling anyone (a missed webhook)
    const tell = async (type, obj) => { if (!quiet) results.push(await emit(type, obj)); };
    switch (m[2]) {
      case 'update':
        if (b.status) s.status = b.status;
        if ('cancel_at_period_end' in b) s.cancel_at_period_end = b.cancel_at_period_end;
        if ('current_period_end' in b) item.current_period_end = b.current_period_end;
        if ('quantity' in b) item.quantity = b.quantity;
        await tell('customer.subscription.updated', s);
        break;
      case 'renew': {
        item.current_period_start = item.current_period_end;
        item.current_period_end = item.current_period_end + periodSeconds(item.price.id);
        s.status = 'active';
        const inv = makeInvoice(s, true);
        await tell('invoice.paid', inv);
        await tell('customer.subscription.updated', s);
        break;
      }
      case 'fail': {
        s.status = 'past_due';
        if ('current_period_end' in b) item.current_period_end = b.current_period_end;
        const inv = makeInvoice(s, false);
        await tell('invoice.payment_failed', inv);
        await tell('customer.subscription.updated', s);
        break;
      }
      case 'cancel':
        s.cancel_at_period_end = true;
        s.cancel_at = item.current_period_end;
        s.canceled_at = now();
        await tell('customer.subscription.updated', s);
        break;
      case 'delete':
        s.status = 'canceled';
        s.ended_at = now();
        s.canceled_at = s.canceled_at || now();
        await tell('customer.subscription.deleted', s);
        break;
      case 'refund': {
        const inv = state.invoices.get(s.latest_invoice);
        const pi = state.invoicePayments.get(inv.id)[0].payment.payment_intent;
        const ch = [...state.charges.values()].find((c) => c.payment_intent === pi);
        ch.amount_refunded = b.amount ?? ch.amount;
        ch.refunded = ch.amount_refunded >= ch.amount;
        await tell('charge.refunded', ch);
        break;
      }
    }
    return json(res, 200, { subscription: s, results });
  }
  if ((m = /^\/_test\/sessions\/([^/]+)\/refund$/.exec(p))) {
    const sess = state.sessions.get(m[1]);
    const ch = [...state.charges.values()].find((c) => c.payment_intent === sess.payment_intent);
    ch.amount_refunded = ch.amount;
    ch.refunded = true;
    return json(res, 200, { results: [await emit('charge.refunded', ch)] });
  }
  if (p === '/_test/sessions') {
    return json(res, 200, [...state.sessions.values()].map(publicSession));
  }
  return json(res, 404, { error: 'unknown control ' + p });
}

async function page(req, res, url, body) {
  let m;
  if ((m = /^\/checkout\/([^/]+)$/.exec(url.pathname)) && req.method === 'GET') {
    const s = state.sessions.get(m[1]);
    if (!s) return html(res, 404, '<h1>No such checkout</h1>');
    const line = s._line_items[0];
    const price = priceFor(line.price);
    return html(res, 200, `<main><h1>Pay Meridian (stand-in for Stripe Checkout)</h1>
<p>${esc(s.mode === 'subscription' ? 'Subscription' : 'One payment')}: ${esc(line.price)} × ${esc(line.quantity)},
${(price.unit_amount / 100).toFixed(2)} ${esc(price.currency.toUpperCase())}</p>
<p>Email: ${esc(s.customer_email || s.customer || '')}</p>
<form method="post" action="/checkout/${esc(s.id)}/pay"><button type="submit">Pay</button></form>
<p><a href="${esc(s.cancel_url)}">Cancel</a></p></main>`);
  }
  if ((m = /^\/checkout\/([^/]+)\/pay$/.exec(url.pathname)) && req.method === 'POST') {
    const s = state.sessions.get(m[1]);
    if (!s) return html(res, 404, '<h1>No such checkout</h1>');
    await pay(s);
    res.writeHead(303, { Location: s.success_url.replace('{CHECKOUT_SESSION_ID}', s.id) });
    return res.end();
  }
  if (url.pathname.startsWith('/portal/')) {
    return html(res, 200, '<main><h1>Customer portal (stand-in)</h1><p>Manage your subscription.</p></main>');
  }
  if (url.pathname.startsWith('/invoices/')) return html(res, 200, '<main><h1>Invoice (stand-in)</h1></main>');
  return html(res, 404, '<h1>Not found</h1>');
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', async () => {
    const url = new URL(req.url, base || 'http://127.0.0.1');
    try {
      if (url.pathname.startsWith('/v1/')) return await api(req, res, url, body);
      if (url.pathname.startsWith('/_test/')) return await control(req, res, url, body);
      return await page(req, res, url, body);
    } catch (e) {
      json(res, 500, { error: { type: 'api_error', message: String(e && e.stack || e) } });
    }
  });
});
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
