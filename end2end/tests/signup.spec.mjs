import { execFileSync } from 'node:child_process';
import { test, expect, signIn, hydrated } from './fixtures.mjs';
import { serverEnv, stripePort } from '../playwright.config.mjs';

const bin = process.env.OFFERDECK_BIN || `${process.env.HOME}/.cache/offerdeck/target/debug/offerdeck`;

async function api(request, method, path, key, body) {
  const r = await request.fetch(path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  expect(r.status(), `${method} ${path}: ${text}`).toBeLessThan(300);
  return text ? JSON.parse(text) : null;
}

// A merchant sells a two-product rate on a sign-up page of another origin: the page prices the
// cart itself with the publishable key (CORS), its backend (the stub's, holding the secret key)
// creates the cart with a SetupIntent, Stripe's form completes it, the payment method is added
// and FINALIZE makes the subscription; the dashboard's Sign-ups list, funnel and cart page show
// it. Each project signs up in a tenant of its own, so the funnel counts this cart only.
test('sign-up: a cart from another origin, finalized, seen in the dashboard', async ({ page, request, browser }, info) => {
  test.setTimeout(90_000);
  const p = info.project.name;
  const suffix = `${p}-${Date.now().toString(36)}`;
  const tag = suffix.replace(/[^A-Za-z0-9]/g, '');
  const stub = `http://127.0.0.1:${stripePort}`;
  const tenant = JSON.parse(execFileSync(bin, ['tenant', 'create', '--name', `Sign-ups ${suffix}`, '--owner-email', `signups-${suffix}@e2e.test`], { env: serverEnv }).toString());
  await signIn(page, tenant.ownerEmail, tenant.ownerPassword);

  // Stripe: the secret key offerdeck calls Stripe with, and the publishable one for Stripe.js.
  const stripeSecret = `sk_test_51E2eSignup${p}KeySu42`;
  const stripePublishable = `pk_test_51E2eSignup${p}KeyPk42`;
  await page.getByRole('link', { name: 'Stripe' }).click();
  await page.getByLabel('Secret key').fill(stripeSecret);
  await page.getByLabel('Publishable key').fill(stripePublishable);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Su42')).toBeVisible();
  await expect(page.getByText(stripePublishable)).toBeVisible();

  // Keys: a secret one for the merchant backend, a publishable one for the page.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(`signup ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const sk = await page.getByLabel('New API key').inputValue();
  await page.reload(); // a key is shown once: the next one is then the only one on the page
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel('Kind').selectOption('publishable');
  await page.getByLabel('Name').fill(`signup page ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const pk = await page.getByLabel('New API key').inputValue();
  expect(pk).toMatch(/^pk_test_/);

  // The sign-up page's origin (the stub's) is allowed on Settings → API keys.
  await page.getByRole('link', { name: 'API keys' }).click();
  await hydrated(page);
  await page.getByLabel('Origins', { exact: true }).fill(stub);
  await page.getByRole('button', { name: 'Save origins' }).click();
  await expect(page.getByLabel('Origins', { exact: true })).toHaveValue(stub);

  // The catalogue through the API: two products, a monthly gbp price each (known to the Stripe
  // stub with their unit amounts), an offer over both and its rate.
  const call = (m, path, b) => api(request, m, path, sk, b);
  const seats = await call('POST', '/api/v1/products', { name: `Seats ${suffix}` });
  const support = await call('POST', '/api/v1/products', { name: `Support ${suffix}` });
  const prices = [];
  for (const [product, amount, stripeId] of [[seats, 1500, `price_su_seats_${tag}`], [support, 500, `price_su_support_${tag}`]]) {
    prices.push(await call('POST', '/api/v1/prices', { productId: product.id, currency: 'gbp', unitAmount: amount, interval: 'month', stripePriceId: stripeId }));
    expect((await request.post(`${stub}/test/prices`, { data: { id: stripeId, unit_amount: amount } })).status()).toBe(200);
  }
  const method = await call('POST', '/api/v1/redemption-methods', { name: `Sign-up ${suffix}`, schema: 'custom' });
  const offer = await call('POST', '/api/v1/offers', { name: `Team ${suffix}`, redemptionMethodId: method.id, priceIds: prices.map((x) => x.id), presentation: { title: 'Team' } });
  const rate = await call('POST', `/api/v1/offers/${offer.id}/rates`, { name: 'Team monthly', priceIds: prices.map((x) => x.id) });
  expect(rate.id).toMatch(/^rate_/);

  // The merchant backend forwards the page's sign-up calls with the secret key.
  const appOrigin = new URL(page.url()).origin;
  expect((await request.post(`${stub}/merchant/config`, { data: { api: appOrigin, secretKey: sk } })).status()).toBe(200);

  // The sign-up page, with JavaScript in both projects: its own console must stay clean.
  const ctx = await browser.newContext({ javaScriptEnabled: true });
  const shop = await ctx.newPage();
  const problems = [];
  shop.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  shop.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url || 'page'})`); });
  const query = new URLSearchParams({ api: appOrigin, pk, offer: offer.id, rate: rate.id, items: `${seats.id}:2` });
  await shop.goto(`${stub}/signup.html?${query}`);
  await expect(shop.locator('body[data-done="true"]')).toHaveCount(1, { timeout: 30_000 });
  expect(await shop.locator('#error').textContent(), 'the sign-up page failed').toBe('');
  await expect(shop.locator('#estimate')).toHaveText('3500');
  await expect(shop.locator('#estimate-items')).toHaveText(`${seats.id}×2, ${support.id}×1`);
  await expect(shop.locator('#stripe-key')).toHaveText(stripePublishable);
  await expect(shop.locator('#added')).toHaveText('ADD_PAYMENT_METHOD');
  await expect(shop.locator('#state')).toHaveText('FINALIZED');
  await expect(shop.locator('#contract')).toHaveText(/^sub_/);
  await expect(shop.locator('#paid')).toHaveText('3500');
  const cart = await shop.locator('#cart').textContent();
  const contract = await shop.locator('#contract').textContent();
  const pm = await shop.locator('#payment-method').textContent();
  expect(cart).toMatch(/^cart_/);
  expect(pm).toMatch(/^pm_/);
  expect(problems, 'the sign-up page logged errors').toEqual([]);
  await ctx.close();

  // What Stripe was asked: the customer with its details, the default payment method, and one
  // subscription for this cart, charged to that payment method.
  const recorded = await (await request.get(`${stub}/__requests`)).json();
  const ours = recorded.filter((r) => r.authorization === `Bearer ${stripeSecret}`);
  const customers = ours.filter((r) => r.method === 'POST' && r.path === '/v1/customers').map((r) => new URLSearchParams(r.body)).filter((b) => b.get('email') === 'john@acme.test');
  expect(customers.length).toBe(1);
  expect(customers[0].get('name')).toBe('John Doe');
  expect(customers[0].get('address[city]')).toBe('San Francisco');
  expect(customers[0].get('address[postal_code]')).toBe('94107');
  const defaults = ours.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/customers/')).map((r) => new URLSearchParams(r.body));
  expect(defaults.map((b) => b.get('invoice_settings[default_payment_method]'))).toEqual([pm]);
  const subscriptions = recorded.filter((r) => r.method === 'POST' && r.path === '/v1/subscriptions')
    .filter((r) => new URLSearchParams(r.body).get('metadata[offerdeck_signup_cart]') === cart);
  expect(subscriptions.length).toBe(1);
  expect(subscriptions[0].authorization).toBe(`Bearer ${stripeSecret}`);
  const form = new URLSearchParams(subscriptions[0].body);
  expect(form.get('items[0][price]')).toBe(`price_su_seats_${tag}`);
  expect(form.get('items[0][quantity]')).toBe('2');
  expect(form.get('items[1][price]')).toBe(`price_su_support_${tag}`);
  expect(form.get('items[1][quantity]')).toBe('1');
  expect(form.get('default_payment_method')).toBe(pm);
  expect(form.get('collection_method')).toBe('charge_automatically');
  expect(form.get('payment_behavior')).toBe('error_if_incomplete');
  expect(form.get('metadata[offerdeck_quote]')).toBeTruthy();
  // The page's calls went through the merchant backend, the browser holding no secret key.
  const forwarded = recorded.filter((r) => r.path.startsWith('/merchant/signup')).map((r) => `${r.method} ${r.path}`);
  expect(forwarded.filter((r) => r.endsWith(cart))).toEqual([`PATCH /merchant/signup/${cart}`, `PATCH /merchant/signup/${cart}`]);

  // The dashboard: the funnel and the list, then the cart's page.
  await page.getByRole('link', { name: 'Sign-ups' }).click();
  await expect(page.getByRole('heading', { name: 'Sign-ups', level: 1 })).toBeVisible();
  await hydrated(page);
  const funnel = page.getByRole('region', { name: 'Funnel' });
  await expect(funnel).toContainText('1 created');
  await expect(funnel).toContainText('1 with a payment method');
  await expect(funnel).toContainText('1 finalized');
  const row = page.getByRole('row').filter({ hasText: 'Acme Inc' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('john@acme.test');
  await expect(row).toContainText('Finalized');
  await row.getByRole('link', { name: 'Acme Inc' }).click();
  await expect(page).toHaveURL(new RegExp(`/signups/${cart}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Acme Inc');
  await hydrated(page);
  const paymentFact = page.locator('dd', { hasText: pm });
  await expect(paymentFact).toContainText('visa');
  await expect(paymentFact).toContainText('4242');
  await expect(page.locator('dd', { hasText: contract }).first()).toBeVisible();
  const history = page.getByRole('table', { name: 'History' });
  for (const action of ['CREATE_WITH_PAYMENT_METHOD', 'UPDATE', 'FINALIZE']) {
    await expect(history.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }) }), action).toHaveCount(1);
  }
});
