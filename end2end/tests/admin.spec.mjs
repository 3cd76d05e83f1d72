import { test, expect, fixtures, signIn, signOut } from './fixtures.mjs';

test('an admin creates a tenant and a user, who then signs in', async ({ page }, info) => {
  const f = fixtures();
  const suffix = `${info.project.name}-${Date.now().toString(36)}`;
  const tenant = `Tenant ${suffix}`;
  const email = `user-${suffix}@e2e.test`;
  await signIn(page, f.adminEmail, f.adminPassword);

  await page.getByRole('link', { name: 'Tenants' }).click();
  await expect(page.getByRole('heading', { name: 'Tenants' })).toBeVisible();
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText('Tenant name is required').or(page.getByText('Name is required'))).toBeVisible();
  await page.getByLabel('Tenant name').fill(tenant);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByRole('cell', { name: tenant, exact: true })).toBeVisible();

  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Initial password').fill('short');
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: tenant });
  await page.getByLabel('Role', { exact: true }).selectOption('merchant');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText('Password must be at least 10 characters')).toBeVisible();

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Initial password').fill('a-good-password');
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: tenant });
  await page.getByLabel('Role', { exact: true }).selectOption('merchant');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();

  await signOut(page);
  await signIn(page, email, 'a-good-password');
  await expect(page.getByText(tenant).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tenants' })).toHaveCount(0);
});
