import { test, expect, fixtures, signIn } from './fixtures.mjs';

test('a merchant adds prices to a product and connects Stripe', async ({ page }, info) => {
  const f = fixtures();
  const name = `Priced ${info.project.name} ${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'Products' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();

  // A bad amount is refused under its field.
  await page.getByLabel('Amount').fill('12.345');
  await page.getByLabel('Stripe price id').fill('price_e2e_monthly');
  await page.getByRole('button', { name: 'Add price' }).click();
  await expect(page.getByText('Amount takes at most 2 decimals')).toBeVisible();

  await page.getByLabel('Amount').fill('12.50');
  await page.getByLabel('Billing').selectOption('month');
  await page.getByLabel('Stripe price id').fill('price_e2e_monthly');
  await page.getByRole('button', { name: 'Add price' }).click();
  const row = page.getByRole('row', { name: /£12\.50/ });
  await expect(row).toContainText('monthly');
  await expect(row).toContainText('price_e2e_monthly');

  // Stripe: a live key in preview is refused; a test key is stored and shown masked.
  await page.getByRole('link', { name: 'Stripe' }).click();
  await expect(page.getByRole('heading', { name: 'Stripe' })).toBeVisible();
  await page.getByLabel('Secret key').fill('sk_live_51E2eLiveKeyLiveKeyLive');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('the preview environment takes a test key')).toBeVisible();
  await page.getByLabel('Secret key').fill('sk_test_51E2eTestKeyTestKeyAb12');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Ab12')).toBeVisible();
  await expect(page.getByText('sk_test_51E2eTestKeyTestKeyAb12')).toHaveCount(0);
});
