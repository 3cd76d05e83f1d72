import { Webhook } from 'standardwebhooks';
import { test, expect, fixtures, signIn, hydrated } from './fixtures.mjs';
import { stripePort } from '../playwright.config.mjs';

async function fillCoupon(page, { code, type = 'percentage', amount, max = '', campaign = '', expires = '' }) {
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('Type').selectOption(type);
  await page.getByLabel('Amount', { exact: true }).fill(amount);
  await page.getByLabel('Max redemptions').fill(max);
  await page.getByLabel('Campaign tag').fill(campaign);
  if (expires) await page.getByLabel(/^Expires/).fill(expires);
}

// A merchant adds a webhook endpoint, creates a coupon (a rule error shows under its field;
// Stripe's refusal shows Stripe's message), the product redeems it through the API, the counts
// appear for the campaign, the signed coupon.redeemed arrives and verifies with the
// standardwebhooks package, and archiving deletes the coupon in Stripe.
test('coupons: rules as typed, Stripe refusal, counts, signed webhook, archive', async ({ page, request }, info) => {
  test.setTimeout(90_000);
  const f = fixtures();
  const p = info.project.name;
  const suffix = `${p}-${Date.now().toString(36)}`;
  const code = `SPRING-${suffix}`.toUpperCase();
  const campaign = `spring-${suffix}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);

  await page.getByRole('link', { name: 'Stripe' }).click();
  await page.getByLabel('Secret key').fill('sk_test_51E2eKeyForTheRecipeRc42');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Rc42')).toBeVisible();

  // Settings → Webhooks: the signing secret is shown once.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await page.getByLabel('URL').fill(`http://127.0.0.1:${stripePort}/hooks`);
  await page.getByLabel('Description').fill(`e2e ${suffix}`);
  await expect(page.getByLabel('coupon.redeemed')).toBeChecked();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = await page.getByLabel('Signing secret').inputValue();
  expect(secret).toMatch(/^whsec_/);
  await page.reload();
  await expect(page.getByLabel('Signing secret')).toHaveCount(0);

  await page.getByRole('link', { name: 'Coupons' }).click();
  await expect(page.getByRole('heading', { name: 'Coupons' })).toBeVisible();
  await page.getByRole('link', { name: 'New coupon' }).click();
  await expect(page.getByRole('heading', { name: 'New coupon' })).toBeVisible();
  await hydrated(page);

  // A rule error under its field: as the merchant types (JavaScript) and after submitting.
  await fillCoupon(page, { code, amount: '150' });
  const amountError = page.locator('#amount-error');
  if (p === 'js') await expect(amountError).toContainText('must be between 1 and 100 for a percentage coupon');
  await page.getByRole('button', { name: 'Create coupon' }).click();
  await expect(amountError).toContainText('must be between 1 and 100 for a percentage coupon');
  await expect(page.getByLabel('Amount', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  // Stripe refuses: its message is shown and nothing is stored.
  await hydrated(page);
  await fillCoupon(page, { code: `REFUSE-${suffix}`, amount: '10' });
  await page.getByRole('button', { name: 'Create coupon' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'cannot be created on this account' })).toBeVisible();

  await hydrated(page);
  await fillCoupon(page, { code: code.toLowerCase(), amount: '20', max: '5', campaign, expires: '2099-12-31T23:59' });
  await page.getByRole('button', { name: 'Create coupon' }).click();
  await expect(page.getByRole('heading', { name: code })).toBeVisible();
  await expect(page.getByText('20 % off')).toBeVisible();
  await expect(page.getByText('2099-12-31 23:59')).toBeVisible();
  const recorded = await (await request.get(`http://127.0.0.1:${stripePort}/__requests`)).json();
  const created = recorded.filter((r) => r.path === '/v1/coupons').map((r) => new URLSearchParams(r.body)).find((b) => b.get('id') === code);
  expect(created.get('percent_off')).toBe('20');
  expect(created.get('max_redemptions')).toBe('5');
  expect(Number(created.get('redeem_by'))).toBeGreaterThan(4_000_000_000);
  expect(recorded.some((r) => r.path === '/v1/coupons' && r.body.includes(`REFUSE-${suffix}`.toUpperCase()))).toBe(true);

  // The merchant's backend redeems it twice (two subscriptions) with a secret key.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(`coupons ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByLabel('New API key').inputValue();
  const auth = { authorization: `Bearer ${key}` };
  expect((await request.get(`/api/v1/coupons/REFUSE-${suffix}`, { headers: auth })).status()).toBe(404); // Stripe refused: not stored
  for (const sub of ['sub_a', 'sub_b']) {
    const r = await request.post(`/api/v1/coupons/${code.toLowerCase()}/redemptions`, { headers: auth, data: { subscriptionId: `${sub}_${suffix}`, customerId: 'cus_e2e' } });
    expect(r.status()).toBe(201);
  }

  // The counts a marketer reads: the list filtered by campaign and the campaign table.
  await page.goto(`/coupons?campaign=${encodeURIComponent(campaign)}`);
  const row = page.getByRole('table', { name: 'Coupons' }).getByRole('row', { name: new RegExp(code) });
  await expect(row).toContainText('2 / 5');
  await expect(row).toContainText('active');
  await expect(page.getByRole('table', { name: 'Redemptions by campaign' }).getByRole('row', { name: new RegExp(campaign) })).toContainText('2');
  const csv = await page.request.get('/coupons/export.csv');
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect(await csv.text()).toContain(`${code},percentage,20,,,5,,2,active,${campaign}`);

  // The coupon.redeemed webhooks arrived at the receiver, signed the Standard Webhooks way (the
  // other project's endpoint shares the URL: ours are the two that verify with our secret).
  const wh = new Webhook(secret);
  const verifies = (h) => { try { wh.verify(h.body, h.headers); return true; } catch { return false; } };
  let hooks = [];
  await expect(async () => {
    const all = await (await request.get(`http://127.0.0.1:${stripePort}/__requests`)).json();
    hooks = all.filter((r) => r.path === '/hooks' && r.body.includes(`"${code}"`) && verifies(r));
    expect(hooks.length).toBe(2);
  }).toPass({ timeout: 15_000 });
  for (const h of hooks) {
    const msg = wh.verify(h.body, h.headers);
    expect(msg.type).toBe('coupon.redeemed');
    expect(msg.data.code).toBe(code);
    expect(msg.data.campaign).toBe(campaign);
  }
  expect(() => wh.verify(hooks[0].body.replace(code, 'FORGED'), hooks[0].headers)).toThrow();

  // The coupon page: redemptions, per-day count; then archive.
  await row.getByRole('link', { name: code, exact: true }).click();
  await expect(page.getByRole('heading', { name: code })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Redemptions', exact: true }).getByRole('row')).toHaveCount(3);
  await expect(page.getByRole('table', { name: 'Redemptions per day' }).getByRole('row').nth(1)).toContainText('2');
  await hydrated(page);
  await page.getByRole('button', { name: 'Archive coupon' }).click();
  await expect(page.getByRole('heading', { name: code })).toContainText('archived');
  const after = await (await request.get(`http://127.0.0.1:${stripePort}/__requests`)).json();
  expect(after.some((r) => r.method === 'DELETE' && r.path === `/v1/coupons/${code}`)).toBe(true);
  const v = await request.post('/api/v1/coupons/validate', { headers: auth, data: { code } });
  expect(v.status()).toBe(404);
  expect((await v.json()).code).toBe('invalid_or_expired');
});
