import { test, expect, fixtures, signIn, hydrated } from './fixtures.mjs';
import { stripePort } from '../playwright.config.mjs';

// A merchant creates a discount rule on the dashboard and tries it; a checkout session made
// through the API shows on its page with its timeline and discount applications; a shop page on
// a second local origin calls the publishable endpoints (surface decisions, coupon validation,
// apply-discount-code) once that origin is allowed, and the browser blocks another origin.
test('checkout: discount rule, try it, session page, CORS from another origin', async ({ page, request, browser }, info) => {
  test.setTimeout(90_000);
  const f = fixtures();
  const p = info.project.name;
  const suffix = `${p}-${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'Stripe' }).click();
  await page.getByLabel('Secret key').fill('sk_test_51E2eKeyForTheRecipeRc42');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Rc42')).toBeVisible();

  // Keys: a secret one for the backend, a publishable one for the shop page.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(`checkout ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const sk = await page.getByLabel('New API key').inputValue();
  await page.reload(); // a key is shown once: the next one is then the only one on the page
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel('Kind').selectOption('publishable');
  await page.getByLabel('Name').fill(`shop ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const pk = await page.getByLabel('New API key').inputValue();
  expect(pk).toMatch(/^pk_test_/);
  const auth = { authorization: `Bearer ${sk}` };

  // A discount rule made on the dashboard (a field error first), then tried.
  await page.getByRole('link', { name: 'Discount rules' }).click();
  await expect(page.getByRole('heading', { name: 'Discount rules' })).toBeVisible();
  await hydrated(page);
  const name = `Big carts ${suffix}`;
  const fillRule = async (percent) => {
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Cart value: from a subtotal of').fill('100.00');
    await page.getByLabel('Percent off').fill(percent);
    await page.getByLabel('Cart value: at most').fill('20.00');
    // Each project's rule outranks the one an earlier project left in the same environment.
    await page.getByLabel('Priority (higher wins)').fill(p === 'js' ? '1' : '2');
  };
  await fillRule('150');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(page.locator('#percent_off-error')).toContainText('between 1 and 100');
  await hydrated(page);
  await fillRule('10');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  await expect(page.getByText('10% off from £100.00 (at most £20.00)')).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Subtotal').fill('150.00');
  await page.getByRole('button', { name: 'Try' }).click();
  await expect(page).toHaveURL(/subtotal=150.00/);
  await expect(page.getByTestId('trial-result')).toContainText('£15.00 off');
  await expect(page.getByTestId('trial-result')).toContainText(name);

  // A checkout session through the API, then its page.
  const product = await (await request.post('/api/v1/products', { headers: auth, data: { name: `Pro ${suffix}`, successUrl: 'https://shop.test/ok', cancelUrl: 'https://shop.test/no' } })).json();
  const price = await request.post('/api/v1/prices', { headers: auth, data: { productId: product.id, currency: 'gbp', unitAmount: 2000, stripePriceId: `price_e2e${suffix.replace(/[^A-Za-z0-9]/g, '')}` } });
  expect(price.status()).toBe(201);
  const code = `SHOP-${suffix}`.toUpperCase();
  expect((await request.post('/api/v1/coupons', { headers: auth, data: { code, type: 'percentage', amount: 10, maxRedemptions: 3 } })).status()).toBe(201);
  const created = await request.post('/api/v1/checkout-sessions', { headers: auth,
    data: { productId: product.id, units: 6, requestId: `order-${suffix}`, customer: { email: `buyer-${suffix}@shop.test` }, metadata: { userId: 'u_1' }, uiMode: 'custom', discountUpdates: 'server_only' } });
  expect(created.status()).toBe(201);
  const cs = await created.json();
  expect(cs.clientSecret).toBeTruthy();

  // CORS: the shop's origin is allowed on Settings → API keys; its page calls three endpoints.
  const shop = `http://127.0.0.1:${stripePort}`;
  await page.getByRole('link', { name: 'API keys' }).click();
  await hydrated(page);
  await page.getByLabel('Origins', { exact: true }).fill(shop);
  await page.getByRole('button', { name: 'Save origins' }).click();
  await expect(page.getByLabel('Origins', { exact: true })).toHaveValue(shop);
  expect((await request.post('/api/v1/surfaces', { headers: auth, data: { name: `Shop ${suffix}`, slug: `shop-${suffix}`, slots: [] } })).status()).toBe(201);
  const api = new URL(page.url()).origin;
  const ctx = await browser.newContext({ javaScriptEnabled: true });
  const calls = async (origin) => {
    const shopPage = await ctx.newPage();
    await shopPage.goto(`${origin}/cors.html`);
    const out = await shopPage.evaluate(async ({ api, pk, slug, code, cs }) => {
      const post = async (path, body) => {
        try {
          const r = await fetch(`${api}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          return { status: r.status, body: await r.json() };
        } catch (e) {
          return { blocked: String(e) };
        }
      };
      return {
        decision: await post('/surface-decisions', { surfaceSlug: slug, identity: { createAnonymousIdentifier: true } }),
        validate: await post('/coupons/validate', { code }),
        apply: await post(`/checkout-sessions/${cs.id}/apply-discount-code`, { clientSecret: cs.clientSecret, code }),
      };
    }, { api, pk, slug: `shop-${suffix}`, code, cs });
    await shopPage.close();
    return out;
  };
  const allowed = await calls(shop);
  expect(allowed.decision.status).toBe(200);
  expect(allowed.validate.status).toBe(200);
  expect(allowed.validate.body.code).toBe(code);
  expect(allowed.apply.status).toBe(200);
  expect(allowed.apply.body.type).toBe('object');
  expect(allowed.apply.body.checkoutSession.amountTotal).toBe(10800);
  const other = await calls(`http://localhost:${stripePort}`);
  for (const r of Object.values(other)) expect(r.blocked).toContain('Failed to fetch');
  await ctx.close();

  // The session's page: facts, the discount application and the timeline.
  await page.getByRole('link', { name: 'Checkout sessions' }).click();
  await page.getByLabel('Request id or email').fill(`order-${suffix}`);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByRole('table', { name: 'Checkout sessions' }).getByRole('row', { name: new RegExp(`order-${suffix}`) });
  await expect(row).toContainText('pending');
  await expect(row).toContainText(`£108.00`);
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { name: cs.id })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Metadata' })).toContainText('u_1');
  await expect(page.getByRole('table', { name: 'Discount applications' })).toContainText(code);
  const timeline = page.locator('ol.timeline');
  await expect(timeline).toContainText('created by');
  await expect(timeline).toContainText(`code ${code}: total 12000 → 10800`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Expire session' }).click();
  await expect(page.getByRole('heading', { name: cs.id })).toContainText('expired');
  await expect(timeline).toContainText('checkout.expired queued');
});
