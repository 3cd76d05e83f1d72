import { execFileSync } from 'node:child_process';
import { test, expect, signIn, hydrated } from './fixtures.mjs';
import { serverEnv, stripePort } from '../playwright.config.mjs';

const bin = process.env.OFFERDECK_BIN || `${process.env.HOME}/.cache/offerdeck/target/debug/offerdeck`;

// Versions, in a tenant of its own (a deploy makes live's configuration read-only, which the
// other tests' tenant must not see): the catalogue and method come through the API, the live
// Stripe price and the offer through the dashboard; the offer is frozen into version 1 and
// deployed, seen in live read-only; version 2 renames it and is deployed; rolling back to
// version 1 brings the old name back under the same live page.
test('a merchant deploys preview to live, sees it read-only there, and rolls back', async ({ page, request }, info) => {
  test.setTimeout(90_000);
  const run = `${info.project.name}-${Date.now().toString(36)}`;
  const t = JSON.parse(execFileSync(bin, ['tenant', 'create', '--name', `Versions ${run}`, '--owner-email', `versions-${run}@e2e.test`], { env: serverEnv }).toString());
  const api = async (key, method, path, data) => {
    const r = await request.fetch(path, { method, headers: { authorization: `Bearer ${key}` }, data });
    expect(r.ok(), `${method} ${path}: ${await r.text()}`).toBeTruthy();
    return r.json();
  };
  const preview = t.keys.preview.secret;
  await api(preview, 'PUT', '/api/v1/integrations/stripe', { secretKey: 'sk_test_51E2eVersionsPreviewKey00' });
  await api(t.keys.live.secret, 'PUT', '/api/v1/integrations/stripe', { secretKey: 'sk_live_51E2eVersionsLiveKey0000' });
  const method = await api(preview, 'POST', '/api/v1/redemption-methods', {
    name: `Checkout ${run}`, schema: 'stripe-checkout',
    settings: { successUrl: 'https://shop.test/ok', cancelUrl: 'https://shop.test/no', signupUrl: 'https://shop.test/join' },
  });
  const product = await api(preview, 'POST', '/api/v1/products', { name: `Plan ${run}` });
  await api(preview, 'POST', '/api/v1/prices', { productId: product.id, currency: 'gbp', unitAmount: 1500, interval: 'month', stripePriceId: `price_test_${run}`.replaceAll('-', '_') });
  const livePrice = `price_live_${run}`.replaceAll('-', '_');
  const registered = await request.post(`http://127.0.0.1:${stripePort}/test/prices`, { data: { id: livePrice, unit_amount: 1500 } });
  expect(registered.ok()).toBeTruthy();

  await signIn(page, t.ownerEmail, t.ownerPassword);
  const nav = page.getByRole('navigation', { name: 'Main' });
  // The live Stripe price is entered on the preview price.
  await page.goto(`/catalogue/products/${product.id}`);
  await hydrated(page);
  await page.getByLabel('Live Stripe price of £15.00', { exact: true }).fill(livePrice);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByLabel('Live Stripe price of £15.00', { exact: true })).toHaveValue(livePrice);

  await nav.getByRole('link', { name: 'Offers', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Launch offer ${run}`);
  await page.getByLabel('Redemption method').selectOption({ label: method.name });
  await page.getByLabel(/£15\.00/).check();
  await page.getByLabel('Title').fill('Plan, monthly');
  await page.getByRole('button', { name: 'Create offer' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Launch offer ${run}`) })).toBeVisible();

  // Versions: the pending changes, freeze, the diff, deploy with confirmation.
  await nav.getByRole('link', { name: 'Versions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Versions' })).toBeVisible();
  await expect(page.getByTestId('live-version')).toContainText('has not been deployed');
  await expect(page.getByRole('table', { name: 'Changes in preview' })).toContainText(`Launch offer ${run}`);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Launch');
  await page.getByRole('button', { name: 'Freeze version' }).click();
  await expect(page.getByRole('heading', { name: 'Version 1 “Launch”' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Changes in live' })).toContainText(`Launch offer ${run}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Deploy version 1' }).click();
  await expect(page.getByText('confirm must be ticked')).toBeVisible();
  await page.getByLabel('Live switches to version 1 at once').check();
  await page.getByRole('button', { name: 'Deploy version 1' }).click();
  await expect(page.getByTestId('live-version')).toContainText('Live runs version 1 “Launch”');
  await expect(page.getByRole('table', { name: 'Deploys' })).toContainText(t.ownerEmail);

  // Live runs it, read-only, with a way back to Versions.
  await page.getByRole('button', { name: 'Switch to live' }).click();
  await expect(page.getByText('Live mode: changes here affect real customers')).toBeVisible();
  await nav.getByRole('link', { name: 'Offers', exact: true }).click();
  await page.getByRole('link', { name: `Launch offer ${run}` }).click();
  const liveOffer = page.url();
  await expect(page.getByRole('heading', { name: new RegExp(`Launch offer ${run}`) })).toBeVisible();
  await expect(page.getByRole('note')).toContainText('read-only here');
  await expect(page.getByRole('button', { name: 'Save offer' })).toHaveCount(0);
  await expect(page.getByRole('note').getByRole('link', { name: 'Versions' })).toHaveAttribute('href', '/versions');
  await nav.getByRole('link', { name: 'Offers', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Create offer' })).toHaveCount(0);

  // Version 2 renames the offer (in preview) and is deployed from the dashboard in live.
  await page.getByRole('button', { name: 'Switch to preview' }).click();
  await expect(page.getByText('Live mode: changes here affect real customers')).toHaveCount(0);
  const offers = await api(preview, 'GET', '/api/v1/offers');
  await api(preview, 'PATCH', `/api/v1/offers/${offers.data[0].id}`, { name: `Summer offer ${run}` });
  await nav.getByRole('link', { name: 'Versions' }).click();
  await expect(page.getByRole('table', { name: 'Changes in preview' })).toContainText(`Summer offer ${run}`);
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Summer');
  await page.getByRole('button', { name: 'Freeze version' }).click();
  await expect(page.getByRole('heading', { name: 'Version 2 “Summer”' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Changes in live' })).toContainText('name');
  await hydrated(page);
  await page.getByLabel('Live switches to version 2 at once').check();
  await page.getByRole('button', { name: 'Deploy version 2' }).click();
  await expect(page.getByTestId('live-version')).toContainText('Live runs version 2 “Summer”');
  await page.getByRole('button', { name: 'Switch to live' }).click();
  await expect(page.getByText('Live mode: changes here affect real customers')).toBeVisible();
  await page.goto(liveOffer);
  await expect(page.getByRole('heading', { name: new RegExp(`Summer offer ${run}`) })).toBeVisible();

  // Roll back: deploy version 1 again; the same live offer has its first name back.
  await nav.getByRole('link', { name: 'Versions' }).click();
  await page.getByRole('link', { name: 'Version 1', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Version 1 “Launch”' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Live switches to version 1 at once').check();
  await page.getByRole('button', { name: 'Roll back to version 1' }).click();
  await expect(page.getByTestId('live-version')).toContainText('Live runs version 1 “Launch”');
  await page.goto(liveOffer);
  await expect(page.getByRole('heading', { name: new RegExp(`Launch offer ${run}`) })).toBeVisible();
});
