// A local Stripe-compatible server for the end-to-end run: answers the calls offerdeck makes
// (account, Checkout Sessions, coupons) and records every request; GET /__requests lists them.
// It also plays a merchant's webhook receiver at POST /hooks (headers kept for verification).
import http from 'node:http';

const port = Number(process.env.E2E_STRIPE_PORT || 3198);
const requests = [];
let sessions = 0;

http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    const send = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
    if (url.pathname === '/__requests') return send(200, requests);
    if (url.pathname === '/health') return send(200, { ok: true });
    requests.push({ method: req.method, path: url.pathname, body, authorization: req.headers.authorization || '',
      headers: url.pathname === '/hooks' ? req.headers : undefined });
    if (req.method === 'POST' && url.pathname === '/hooks') return send(200, { received: true });
    if (req.method === 'GET' && url.pathname === '/v1/account') {
      return send(200, { id: 'acct_e2e', object: 'account', business_profile: { name: 'E2E shop' }, email: 'e2e@shop.test', country: 'GB' });
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
      return send(200, { id, object: 'coupon', valid: true });
    }
    if (req.method === 'DELETE' && url.pathname.startsWith('/v1/coupons/')) {
      return send(200, { id: url.pathname.slice('/v1/coupons/'.length), object: 'coupon', deleted: true });
    }
    return send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname})` } });
  });
}).listen(port, '127.0.0.1');
