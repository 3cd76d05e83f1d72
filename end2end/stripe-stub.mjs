// A local Stripe-compatible server for the end-to-end run: answers the calls offerdeck makes
// (account, Checkout Sessions, coupons) and records every request; GET /__requests lists them.
// It also plays a merchant's webhook receiver at POST /hooks (headers kept for verification).
import http from 'node:http';

const port = Number(process.env.E2E_STRIPE_PORT || 3198);
const requests = [];
let sessions = 0;
let customers = 0;
// Checkout sessions offerdeck opens for its own cs_ ids, and coupons, kept as Stripe would.
const stored = new Map();
const coupons = new Map();

// A page served from this second local origin calls offerdeck's publishable endpoints (CORS).
const corsPage = `<!doctype html><title>Shop</title><p id="out">loading</p>`;

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

http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const send = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
    if (url.pathname === '/__requests') return send(200, requests);
    if (url.pathname === '/health') return send(200, { ok: true });
    if (url.pathname === '/cors.html') { res.writeHead(200, { 'content-type': 'text/html' }); return res.end(corsPage); }
    requests.push({ method: req.method, path: url.pathname, body, authorization: req.headers.authorization || '',
      headers: url.pathname === '/hooks' ? req.headers : undefined });
    if (req.method === 'POST' && url.pathname === '/hooks') return send(200, { received: true });
    if (req.method === 'GET' && url.pathname === '/v1/account') {
      return send(200, { id: 'acct_e2e', object: 'account', business_profile: { name: 'E2E shop' }, email: 'e2e@shop.test', country: 'GB' });
    }
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && url.pathname === '/v1/customers') {
      customers += 1;
      return send(200, { id: `cus_e2e_${customers}`, object: 'customer', email: form.get('email') });
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
