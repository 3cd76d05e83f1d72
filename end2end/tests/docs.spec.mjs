// The API reference at /api/docs: Redoc (served from our own /pkg/redoc.js) renders the OpenAPI
// document when JavaScript runs; without it the server-rendered reference is there instead.
import { test, expect } from './fixtures.mjs';

test('the API reference renders the OpenAPI document', async ({ page }, info) => {
  const res = await page.goto('/api/docs');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
  if (info.project.name === 'js') {
    // Redoc's own layout: the API title, a section per tag, an operation with its samples.
    await expect(page.getByRole('heading', { name: /offerdeck API/ }).first()).toBeVisible();
    await expect(page.getByText('Products, newest first').first()).toBeAttached();
    await expect(page.locator('[data-section-id^="tag/coupons"]').first()).toBeAttached();
    await expect(page.getByText(/Bearer/).first()).toBeAttached();
  } else {
    await expect(page.getByRole('heading', { name: 'offerdeck API', level: 1 })).toBeVisible();
    await expect(page.getByText('/api/v1/products/{id}').first()).toBeVisible();
  }
});
