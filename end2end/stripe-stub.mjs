// A local Stripe-compatible server for the end-to-end run: answers the calls offerdeck makes
// (account, Checkout Sessions, coupons, customers, SetupIntents, subscriptions and schedules)
// and records every request; GET /__requests lists them. It also plays a merchant's webhook
// receiver at POST /hooks (headers kept for verification) and a merchant's backend for the
// sign-up page /signup.html (POST /merchant/config, POST and PATCH /merchant/signup…).
import fs from 'node:fs';
import http from 'node:http';

const port = Number(process.env.E2E_STRIPE_PORT || 3198);
const requests = [];
let sessions = 0;
let customers = 0;
// Checkout sessions offerdeck opens for its own cs_ ids, and coupons, kept as Stripe would.
const stored = new Map();
const coupons = new Map();
// Sign-up: customers, SetupIntents, payment methods (those in `declining` are declined when
// charged), unit amounts of prices a test registered (POST /test/prices), and the answers of
// subscription and schedule POSTs by Idempotency-Key (Stripe answers a repeated key the same way).
const customerOf = new Map();
const intents = new Map();
const methods = new Map();
const declining = new Set();
const prices = new Map();
const answered = new Map();
let made = 0;
const newId = (prefix) => `${prefix}_e2e_${(made += 1)}`;
// The merchant backend's offerdeck origin and secret key, set by a test (POST /merchant/config).
const merchant = { api: '', secretKey: '' };

// A page served from this second local origin calls offerdeck's publishable endpoints (CORS).
const corsPage = `<!doctype html><title>Shop</title><p id="out">loading</p>`;
// The sign-up page of that origin: its script talks to offerdeck, this server's merchant backend
// and the test-only SetupIntent completion (see signup.html for its query parameters).
const signupPage = fs.readFileSync(new URL('./signup.html', import.meta.url));

function discountOf(form, subtotal) {
  const code = form.get('discounts[0][coupon]');
  if (code) {
    const c = coupons.get(code) || {};
    const off = c.percent_off ? Math.round(subtotal * c.percent_off / 100) : Math.min(c.amount_off || 0, subtotal);
    return { off, discounts: [{ coupon: code }] };
  }
  const amount = form.get('discounts[0][coupon_data][amount_off]');
  if (amount) return { off: Number(amount), discounts: [{ coupon: 'computed' }] };
  return { off: 0, discounts: [] };
}

// The fields of a form's `name[key]` entries as an object (`metadata[a]=1` → {a: '1'}).
function nested(form, name) {
  const out = {};
  for (const [k, v] of form) {
    const m = k.match(/^([^[]+)\[([^\]]+)\]$/);
    if (m && m[1] === name) out[m[2]] = v;
  }
  return out;
}

// `items[i][price]` / `items[i][quantity]` (under `prefix`, e.g. `phases[0][items]`) in order.
function itemsOf(form, prefix) {
  const items = [];
  for (let i = 0; form.has(`${prefix}[${i}][price]`); i += 1) {
    items.push({ price: { id: form.get(`${prefix}[${i}][price]`) }, quantity: Number(form.get(`${prefix}[${i}][quantity]`) || 1) });
  }
  return items;
}

// Stripe's error body for an unknown object.
const missing = (what, id) => ({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}: '${id}'` } });

// A JSON or form body as an object (the test-only endpoints take either).
function loose(body) {
  if (body.trim().startsWith('{')) {
    try { return JSON.parse(body); } catch { return {}; }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

// POST /v1/subscriptions: the contract of a finalized sign-up, priced from the registered unit
// amounts (1000 when unknown), less the coupon; charged to the payment method when automatic.
function subscribe(form) {
  const customer = customerOf.get(form.get('customer'));
  if (!customer) return [400, missing('customer', form.get('customer'))];
  const items = itemsOf(form, 'items');
  const subtotal = items.reduce((sum, it) => sum + (prices.get(it.price.id) ?? 1000) * it.quantity, 0);
  const { off, discounts } = discountOf(form, subtotal);
  const total = subtotal - off;
  const automatic = (form.get('collection_method') || 'charge_automatically') === 'charge_automatically';
  // Stripe falls back on the customer's default for invoices.
  const pm = form.get('default_payment_method') || customer.invoice_settings.default_payment_method;
  if (pm && methods.get(pm)?.customer !== customer.id) {
    return [400, { error: { type: 'invalid_request_error', message: `The customer does not have a payment method with the ID ${pm}.` } }];
  }
  if (automatic && total > 0 && !pm) {
    return [400, { error: { type: 'invalid_request_error', message: 'This customer has no attached payment source or default payment method.' } }];
  }
  if (automatic && total > 0 && declining.has(pm)) {
    return [402, { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } }];
  }
  const id = newId('sub');
  const paid = automatic && total > 0;
  const invoice = { id: newId('in'), object: 'invoice', subtotal, total, total_excluding_tax: total, status: automatic ? 'paid' : 'open',
    lines: { data: items.map(() => ({ id: newId('il') })) },
    payment_intent: paid ? { id: newId('pi'), object: 'payment_intent', amount: total, amount_received: total, status: 'succeeded' } : null };
  return [200, { id, object: 'subscription', status: 'active', customer: customer.id, collection_method: automatic ? 'charge_automatically' : 'send_invoice',
    default_payment_method: form.get('default_payment_method') || null, discounts, metadata: nested(form, 'metadata'),
    items: { data: items }, latest_invoice: invoice }];
}

// POST /v1/subscription_schedules: a later start; nothing is charged until it begins.
function schedule(form) {
  const customer = form.get('customer');
  if (!customerOf.has(customer)) return [400, missing('customer', customer)];
  return [200, { id: newId('sub_sched'), object: 'subscription_schedule', status: 'not_started', subscription: null, customer,
    start_date: Number(form.get('start_date')) || null, end_behavior: form.get('end_behavior'), metadata: nested(form, 'metadata'),
    phases: [{ items: itemsOf(form, 'phases[0][items]') }], default_settings: nested(form, 'default_settings') }];
}

// The merchant backend of /signup.html: holds the secret key and forwards the page's sign-up
// request to offerdeck as it is, answering offerdeck's status and body.
async function forward(method, path, body, idempotencyKey) {
  if (!merchant.api) return { status: 503, type: 'application/json', text: JSON.stringify({ error: 'POST /merchant/config first' }) };
  const headers = { authorization: `Bearer ${merchant.secretKey}`, 'content-type': 'application/json' };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  try {
    const r = await fetch(`${merchant.api}${path}`, { method, headers, body });
    return { status: r.status, type: r.headers.get('content-type') || 'application/json', text: await r.text() };
  } catch (e) {
    return { status: 502, type: 'application/json', text: JSON.stringify({ error: `offerdeck unreachable: ${e.message}` }) };
  }
}

http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const send = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
    if (url.pathname === '/__requests') return send(200, requests);
    if (url.pathname === '/health') return send(200, { ok: true });
    if (url.pathname === '/cors.html') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(corsPage); }
    if (url.pathname === '/signup.html') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(signupPage); }
    requests.push({ method: req.method, path: url.pathname, body, authorization: req.headers.authorization || '',
      headers: url.pathname === '/hooks' ? req.headers : undefined, idempotencyKey: req.headers['idempotency-key'] });
    // The test-only endpoints answer pages of any origin (the completion plays Stripe's form).
    if (url.pathname.startsWith('/test/')) {
      res.setHeader('access-control-allow-origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
        return res.end();
      }
    }
    if (req.method === 'POST' && url.pathname === '/merchant/config') {
      Object.assign(merchant, { api: '', secretKey: '' }, loose(body));
      return send(200, { api: merchant.api, configured: Boolean(merchant.api && merchant.secretKey) });
    }
    const cart = url.pathname.match(/^\/merchant\/signup(?:\/([^/]+))?$/);
    if (cart && (cart[1] ? req.method === 'PATCH' : req.method === 'POST')) {
      const path = `/api/selfService/signup${cart[1] ? `/${cart[1]}` : ''}`;
      forward(req.method, path, body, req.headers['idempotency-key']).then((r) => { res.writeHead(r.status, { 'content-type': r.type }); res.end(r.text); });
      return undefined;
    }
    if (req.method === 'POST' && url.pathname === '/test/prices') {
      const { id, unit_amount: amount } = loose(body);
      prices.set(id, Number(amount));
      return send(200, { id, object: 'price', unit_amount: Number(amount) });
    }
    const completion = url.pathname.match(/^\/test\/setup_intents\/([^/]+)\/succeed$/);
    if (req.method === 'POST' && completion) {
      // What Stripe's hosted form does with a test card: a payment method, the intent succeeded.
      const si = intents.get(completion[1]);
      if (!si) return send(404, missing('setupintent', completion[1]));
      const { brand = 'visa', last4 = '4242', decline = false } = loose(body);
      const pm = { id: newId('pm'), object: 'payment_method', type: 'card', card: { brand, last4: String(last4) }, customer: si.customer };
      methods.set(pm.id, pm);
      if (decline === true || decline === 'true') declining.add(pm.id);
      Object.assign(si, { status: 'succeeded', payment_method: pm.id });
      return send(200, si);
    }
    if (req.method === 'POST' && url.pathname === '/hooks') return send(200, { received: true });
    // Only registered prices exist; a live key sees them as live-mode prices (deploys check it).
    const price = url.pathname.match(/^\/v1\/prices\/([^/]+)$/);
    if (req.method === 'GET' && price) {
      if (!prices.has(price[1])) return send(404, missing('price', price[1]));
      const livemode = (req.headers.authorization || '').startsWith('Bearer sk_live_');
      return send(200, { id: price[1], object: 'price', unit_amount: prices.get(price[1]), livemode, active: true });
    }
    if (req.method === 'GET' && url.pathname === '/v1/account') {
      return send(200, { id: 'acct_e2e', object: 'account', business_profile: { name: 'E2E shop' }, email: 'e2e@shop.test', country: 'GB' });
    }
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && url.pathname === '/v1/customers') {
      customers += 1;
      const address = nested(form, 'address');
      const c = { id: `cus_e2e_${customers}`, object: 'customer', email: form.get('email'), name: form.get('name'),
        address: Object.keys(address).length ? address : null, metadata: nested(form, 'metadata'), invoice_settings: { default_payment_method: null } };
      customerOf.set(c.id, c);
      return send(200, c);
    }
    const customer = url.pathname.match(/^\/v1\/customers\/([^/]+)$/);
    if (req.method === 'POST' && customer) {
      const c = customerOf.get(customer[1]);
      if (!c) return send(404, missing('customer', customer[1]));
      const pm = form.get('invoice_settings[default_payment_method]');
      if (pm && methods.get(pm)?.customer !== c.id) return send(400, missing('PaymentMethod', pm));
      if (pm) c.invoice_settings.default_payment_method = pm;
      for (const k of ['name', 'email']) if (form.has(k)) c[k] = form.get(k);
      return send(200, c);
    }
    if (req.method === 'POST' && url.pathname === '/v1/setup_intents') {
      if (!customerOf.has(form.get('customer'))) return send(400, missing('customer', form.get('customer')));
      const id = newId('seti');
      const si = { id, object: 'setup_intent', status: 'requires_payment_method', customer: form.get('customer'), usage: form.get('usage') || 'off_session',
        client_secret: `${id}_secret_e2e`, payment_method: null, metadata: nested(form, 'metadata') };
      intents.set(id, si);
      return send(200, si);
    }
    const intent = url.pathname.match(/^\/v1\/setup_intents\/([^/]+)$/);
    if (req.method === 'GET' && intent) {
      const si = intents.get(intent[1]);
      if (!si) return send(404, missing('setupintent', intent[1]));
      const expand = [...url.searchParams].some(([k, v]) => k.startsWith('expand') && v === 'payment_method');
      return send(200, { ...si, payment_method: expand && si.payment_method ? methods.get(si.payment_method) : si.payment_method });
    }
    if (req.method === 'POST' && (url.pathname === '/v1/subscriptions' || url.pathname === '/v1/subscription_schedules')) {
      // A repeated Idempotency-Key answers the first answer again, nothing else is created.
      const key = req.headers['idempotency-key'] && `${url.pathname} ${req.headers['idempotency-key']}`;
      if (key && answered.has(key)) return send(...answered.get(key));
      const answer = url.pathname === '/v1/subscriptions' ? subscribe(form) : schedule(form);
      if (key) answered.set(key, answer);
      return send(...answer);
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions' && (form.get('client_reference_id') || '').startsWith('cs_')) {
      sessions += 1;
      const id = `cs_test_e2e_${sessions}`;
      const custom = form.get('ui_mode') === 'custom';
      const subtotal = 2000 * Number(form.get('line_items[0][quantity]') || 1);
      const { off, discounts } = discountOf(form, subtotal);
      const s = { id, object: 'checkout.session', status: 'open', mode: form.get('mode'), customer: form.get('customer'),
        client_reference_id: form.get('client_reference_id'), url: custom ? null : `https://checkout.stripe.com/c/pay/${id}`,
        client_secret: custom ? `${id}_secret_e2e` : null, amount_subtotal: subtotal, amount_total: subtotal - off,
        total_details: { amount_discount: off }, discounts, currency: 'gbp' };
      stored.set(id, s);
      return send(200, s);
    }
    if (url.pathname.startsWith('/v1/checkout/sessions/') && stored.has(url.pathname.split('/')[4])) {
      const s = stored.get(url.pathname.split('/')[4]);
      if (req.method === 'POST' && url.pathname.endsWith('/expire')) {
        s.status = 'expired';
      } else if (req.method === 'POST') {
        const { off, discounts } = discountOf(form, s.amount_subtotal);
        Object.assign(s, { discounts, total_details: { amount_discount: off }, amount_total: s.amount_subtotal - off });
      }
      return send(200, s);
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      sessions += 1;
      const id = `cs_test_e2e_${sessions}`;
      return send(200, { id, object: 'checkout.session', url: `https://checkout.stripe.com/c/pay/${id}` });
    }
    if (req.method === 'POST' && url.pathname === '/v1/coupons') {
      const id = new URLSearchParams(body).get('id') || '';
      if (id.startsWith('REFUSE')) {
        return send(400, { error: { type: 'invalid_request_error', message: `Coupon ${id} cannot be created on this account.` } });
      }
      coupons.set(id, { percent_off: Number(form.get('percent_off')) || null, amount_off: Number(form.get('amount_off')) || null });
      return send(200, { id, object: 'coupon', valid: true });
    }
    if (req.method === 'DELETE' && url.pathname.startsWith('/v1/coupons/')) {
      return send(200, { id: url.pathname.slice('/v1/coupons/'.length), object: 'coupon', deleted: true });
    }
    return send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
  });
}).listen(port, '127.0.0.1');
