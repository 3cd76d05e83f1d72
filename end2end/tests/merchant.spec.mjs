import { test, expect, fixtures, signIn, signOut } from './fixtures.mjs';

test('a wrong password is refused with a message', async ({ page }) => {
  const f = fixtures();
  await page.goto('/login');
  await page.getByLabel('Email').fill(f.ownerEmail);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('a merchant switches environment and creates, edits and archives a product', async ({ page }, info) => {
  const f = fixtures();
  const name = `Widget ${info.project.name} ${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await expect(page.getByText(f.tenantName).first()).toBeVisible();
  const js = info.project.name === 'js';
  // Hydrated, forms submit without a full page load: this marker must survive them all.
  if (js) await page.evaluate(() => { window.__sameDocument = true; });

  // The environment switch is always there, and live looks different.
  await expect(page.getByText('Preview', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Switch to live' }).click();
  await expect(page.getByText('Live mode: changes here affect real customers')).toBeVisible();
  await page.getByRole('button', { name: 'Switch to preview' }).click();
  await expect(page.getByText('Live mode: changes here affect real customers')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Switch to live' })).toBeVisible();

  await page.getByRole('link', { name: 'Products' }).click();
  await expect(page.getByRole('heading', { name: 'Products', exact: true })).toBeVisible();

  // Bad input: the error shows under the field and nothing is created.
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByText('Name is required')).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Description').fill('Made by the end-to-end test');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill(`${name} v2`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: `${name} v2` })).toBeVisible();

  // The default return URL of the product's checkout sessions is kept and shown.
  await expect(page.locator('dd', { hasText: 'https://shop.test/thanks' })).toHaveCount(0);
  await page.getByLabel('Default success URL').fill('https://shop.test/thanks');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('dd', { hasText: 'https://shop.test/thanks' })).toBeVisible();
  await expect(page.getByLabel('Default success URL')).toHaveValue('https://shop.test/thanks');

  await page.getByRole('button', { name: 'Archive product' }).click();
  await expect(page.getByRole('button', { name: 'Restore product' })).toBeVisible();
  await expect(page.getByRole('heading', { name: `${name} v2` }).getByText('archived')).toBeVisible();
  if (js) expect(await page.evaluate(() => window.__sameDocument)).toBe(true);

  // The list finds it by name and by status.
  await page.goto(`/catalogue/products?status=archived&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole('link', { name: `${name} v2` })).toBeVisible();
  await page.goto(`/catalogue/products?status=active&q=${encodeURIComponent(name)}`);
  await expect(page.getByText('No products match.')).toBeVisible();

  await signOut(page);
  await page.goto('/catalogue/products');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});

test('a merchant creates an API key, sees it once and revokes it', async ({ page }, info) => {
  const f = fixtures();
  const keyName = `key ${info.project.name} ${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(keyName);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = page.getByLabel('New API key');
  await expect(key).toHaveValue(/^sk_test_[A-Za-z0-9]{32}$/);
  const value = await key.inputValue();
  const row = page.getByRole('row', { name: new RegExp(keyName) });
  await expect(row).toContainText(value.slice(-4));
  await page.reload();
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  await page.getByRole('button', { name: `Revoke ${keyName}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(keyName) })).toContainText('revoked');
});

test('a merchant creates the redirect signing secret, sees it once and rotates it', async ({ page }) => {
  const f = fixtures();
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page.getByRole('heading', { name: 'Redirect signing secret' })).toBeVisible();
  // The other project may have made one already: create or rotate, the answer is the same.
  await page.getByRole('button', { name: /^(Create|Rotate) secret$/ }).click();
  const secret = page.getByLabel('New redirect signing secret');
  await expect(secret).toHaveValue(/^rss_[0-9a-f]{64}$/);
  const first = await secret.inputValue();
  await expect(page.getByRole('button', { name: 'Rotate secret' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('New redirect signing secret')).toHaveCount(0);
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await expect(page.getByLabel('New redirect signing secret')).toHaveValue(/^rss_[0-9a-f]{64}$/);
  expect(await page.getByLabel('New redirect signing secret').inputValue()).not.toBe(first);
});
