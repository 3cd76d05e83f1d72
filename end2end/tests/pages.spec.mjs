// Every list and detail page of every resource, once with every optional field filled and once
// with it empty, in both projects: the page renders its heading, hydrates (JavaScript on) and
// logs no error (the fixture fails the test on any page or console error).
import { test, expect, fixtures, signIn, hydrated, takeProblems } from './fixtures.mjs';

let data;

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

// One set of objects per project (the same database serves both).
async function seed(request, tag) {
  const key = fixtures().keys.preview.secret;
  const call = (m, p, b) => api(request, m, p, key, b);
  await call('PUT', '/api/v1/integrations/stripe', { secretKey: 'sk_test_51E2eTestKeyTestKeyAb12' });
  const full = await call('POST', '/api/v1/products', { name: `Full ${tag}`, description: 'Every field <filled> & "quoted"' });
  const bare = await call('POST', '/api/v1/products', { name: `Bare ${tag}` });
  const monthly = await call('POST', '/api/v1/prices', { productId: full.id, currency: 'gbp', unitAmount: 1099, interval: 'month', stripePriceId: `price_full_${tag}` });
  const once = await call('POST', '/api/v1/prices', { productId: bare.id, currency: 'jpy', unitAmount: 500, interval: null, stripePriceId: `price_bare_${tag}` });
  const method = await call('POST', '/api/v1/redemption-methods', { name: `Checkout ${tag}`, schema: 'stripe-checkout',
    settings: { successUrl: 'https://shop.test/ok', cancelUrl: 'https://shop.test/no', signupUrl: 'https://shop.test/join' } });
  const bareMethod = await call('POST', '/api/v1/redemption-methods', { name: `Bare checkout ${tag}`, schema: 'stripe-checkout' });
  const custom = await call('POST', '/api/v1/redemption-methods', { name: `Custom ${tag}`, schema: 'custom' });
  const offer = await call('POST', '/api/v1/offers', { name: `Windowed ${tag}`, redemptionMethodId: method.id, priceIds: [monthly.id],
    presentation: { title: 'Premium Monthly', price: '£10.99', description: 'With <b>markup</b> & an ampersand' },
    instructions: { allow_promotion_codes: true }, validFrom: '2026-01-01T09:30:00Z', validUntil: '2036-06-30T17:45:00Z', audience: 'authenticated' });
  const bareOffer = await call('POST', '/api/v1/offers', { name: `Bare offer ${tag}`, redemptionMethodId: bareMethod.id, priceIds: [once.id], presentation: { title: 'One-off' } });
  const schema = await call('POST', '/api/v1/presentation-schemas', { name: `Card ${tag}`, offerSlots: ['primary'],
    fields: [{ key: 'headline', type: 'string', label: 'Headline', required: true }, { key: 'body', type: 'text', label: 'Body', required: false },
      { key: 'count', type: 'number', label: 'Count', required: false }, { key: 'featured', type: 'boolean', label: 'Featured', required: false }] });
  const bareSchema = await call('POST', '/api/v1/presentation-schemas', { name: `Empty schema ${tag}`, offerSlots: [], fields: [] });
  const app = await call('POST', '/api/v1/experiences', { name: `App ${tag}`, type: 'app', schemaId: schema.id,
    content: { headline: 'Hello', body: 'Two\nlines', count: 3, featured: true }, offers: { primary: [offer.id, bareOffer.id] } });
  const bareApp = await call('POST', '/api/v1/experiences', { name: `Bare app ${tag}`, type: 'app', schemaId: schema.id, content: { headline: 'Only this' } });
  const html = await call('POST', '/api/v1/experiences', { name: `HTML ${tag}`, type: 'html', html: '<div class="b">{{offer.title}} – {{offer.price}}</div>' });
  const surface = await call('POST', '/api/v1/surfaces', { name: `Pricing ${tag}`, slug: `pricing-${tag}`,
    slots: [{ key: 'hero', facet: 'web', experienceId: app.id }, { key: 'side', facet: 'json', experienceId: html.id }, { key: 'empty', facet: 'text' }] });
  const bareSurface = await call('POST', '/api/v1/surfaces', { name: `Empty ${tag}`, slug: `empty-${tag}`, slots: [] });
  const code = `FULL${tag.toUpperCase()}`;
  await call('POST', '/api/v1/coupons', { code, type: 'fixed', amount: 500, currency: 'gbp', repeatMonths: 3, maxRedemptions: 100,
    maxRedemptionsPerCustomer: 2, startsAt: '2026-01-01T00:00:00Z', expiresAt: '2036-01-01T00:00:00Z', campaign: `spring-${tag}` });
  const bareCode = `BARE${tag.toUpperCase()}`;
  await call('POST', '/api/v1/coupons', { code: bareCode, type: 'percentage', amount: 10 });
  await call('POST', `/api/v1/coupons/${code}/redemptions`, { subscriptionId: `sub_${tag}`, customerId: `cus_${tag}` });
  const endpoint = await call('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.shop.test/offerdeck', events: ['coupon.redeemed', 'offer.redeemed'], description: 'All the things' });
  const bareEndpoint = await call('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.shop.test/bare', events: ['coupon.redeemed'] });
  const decision = await call('POST', '/api/v1/surface-decisions', { surfaceSlug: `pricing-${tag}`, identity: { userIdentifier: `buyer-${tag}@e2e.test` } });
  const token = decision.slots[0].offers[0].token;
  await call('POST', '/api/v1/offer-redemptions', { identity: { userIdentifier: `buyer-${tag}@e2e.test` }, offerToken: token });
  const events = await call('GET', '/api/v1/events?limit=5');
  return {
    pages: [
      ['/catalogue/products', 'Products'], [`/catalogue/products/${full.id}`, full.name], [`/catalogue/products/${bare.id}`, bare.name],
      ['/offers', 'Offers'], [`/offers/${offer.id}`, offer.name], [`/offers/${bareOffer.id}`, bareOffer.name],
      ['/offers/redemption-methods', 'Redemption methods'], [`/offers/redemption-methods/${method.id}`, method.name],
      [`/offers/redemption-methods/${bareMethod.id}`, bareMethod.name], [`/offers/redemption-methods/${custom.id}`, custom.name],
      ['/experiences', 'Experiences'], [`/experiences/${app.id}`, app.name], [`/experiences/${bareApp.id}`, bareApp.name], [`/experiences/${html.id}`, html.name],
      ['/experiences/schemas', 'Presentation schemas'], [`/experiences/schemas/${schema.id}`, schema.name], [`/experiences/schemas/${bareSchema.id}`, bareSchema.name],
      ['/surfaces', 'Surfaces'], [`/surfaces/${surface.id}`, surface.name], [`/surfaces/${bareSurface.id}`, bareSurface.name],
      ['/coupons', 'Coupons'], ['/coupons/new', 'New coupon'], [`/coupons/${code}`, code], [`/coupons/${bareCode}`, bareCode],
      ['/settings/webhooks', 'Webhooks'], [`/settings/webhooks/${endpoint.id}`, 'Endpoint'], [`/settings/webhooks/${bareEndpoint.id}`, 'Endpoint'],
      ['/events', 'Events'], ...events.data.slice(0, 2).map((e) => [`/events/${e.id}`, null]),
      ['/settings/api-keys', 'API keys'], ['/settings/integrations/stripe', 'Stripe'], ['/', 'Overview'],
    ],
  };
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }, info) => {
  data = await seed(request, `${fixtures().run}${info.project.name}`);
});

test('every list and detail page renders and hydrates, with optional fields filled and empty', async ({ page }) => {
  await signIn(page, fixtures().ownerEmail, fixtures().ownerPassword);
  for (const [path, heading] of data.pages) {
    await test.step(path, async () => {
      const res = await page.goto(path);
      expect(res.status(), path).toBe(200);
      // Hydration (and the code editor) work under the dashboard's Content-Security-Policy.
      expect(res.headers()['content-security-policy'], path).toContain("object-src 'none'");
      if (heading) await expect(page.getByRole('heading', { level: 1 }).first()).toContainText(heading);
      else await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
      await hydrated(page);
      expect(takeProblems(page).map((p) => p.split('\n')[0]), `errors on ${path}`).toEqual([]);
    });
  }
});
