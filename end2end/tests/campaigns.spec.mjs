import fs from 'node:fs';
import path from 'node:path';
import { test, expect, fixtures, signIn, signOut, hydrated } from './fixtures.mjs';
import { e2eDir } from '../playwright.config.mjs';

async function shot(page, info, name) {
  const body = await page.screenshot({ fullPage: true });
  fs.mkdirSync(path.join(e2eDir, 'screenshots'), { recursive: true });
  fs.writeFileSync(path.join(e2eDir, 'screenshots', `${name}-${info.project.name}.png`), body);
  await info.attach(name, { body, contentType: 'image/png' });
}

// A marketer cannot generate codes (no form, and the server function answers 403); the merchant
// generates a batch of 200 codes and watches it complete; two codes are redeemed through the
// API; the marketer opens the campaign page, reads the chart's numbers as a table and downloads
// the CSV. Screenshots of the campaign page go into the report.
test('campaigns: batch generation by a merchant, the campaign page for a marketer', async ({ page, request }, info) => {
  test.setTimeout(120_000);
  const f = fixtures();
  const p = info.project.name;
  const run = `${p}${Date.now().toString(36)}`.toUpperCase();
  const campaign = `Launch ${run}`;
  const marketer = `marketer-${run.toLowerCase()}@e2e.test`;

  // The admin adds a marketer to the tenant.
  await signIn(page, f.adminEmail, f.adminPassword);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Email').fill(marketer);
  await page.getByLabel('Initial password').fill('a-good-password');
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: f.tenantName });
  await page.getByLabel('Role', { exact: true }).selectOption('marketer');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('cell', { name: marketer, exact: true })).toBeVisible();
  await signOut(page);

  // Read-only: the marketer gets no form, and the server refuses the form's post.
  await signIn(page, marketer, 'a-good-password');
  await page.goto('/coupons/batches/new');
  await expect(page.getByText('not create batches')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create batch' })).toHaveCount(0);
  const refused = await page.request.post('/sfn/batches/create', {
    form: { campaign, mode: 'generate', template: 'NOPE-??????', count: '5', coupon_type: 'percentage', amount: '10' },
    headers: { accept: 'application/json' },
  });
  expect(refused.status()).toBe(403);
  await signOut(page);

  // The merchant: Stripe first (the batch's coupon is mirrored there), then the batch form.
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'Stripe' }).click();
  await page.getByLabel('Secret key').fill('sk_test_51E2eKeyForTheRecipeRc42');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Rc42')).toBeVisible();
  await page.getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByRole('heading', { name: 'Campaigns' })).toBeVisible();
  await page.getByRole('link', { name: 'Generate or import codes' }).click();
  await expect(page.getByRole('heading', { name: 'New batch of codes' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Campaign').fill(campaign);
  await page.getByLabel(/^Template/).fill(`L${run.slice(-6)}-???`);
  await page.getByLabel(/^How many/).fill('200');
  await page.getByLabel('Type').selectOption('percentage');
  await page.getByLabel(/^Amount/).fill('20');
  await page.getByRole('button', { name: 'Create batch' }).click();
  // A field error first: three ? are too few.
  await expect(page.getByText(/needs at least 6 \?/)).toBeVisible();
  await hydrated(page);
  await page.getByLabel(/^Template/).fill(`L${run.slice(-6)}-????-????`);
  await page.getByLabel(/^How many/).fill('200');
  await page.getByLabel(/^Amount/).fill('20');
  await page.getByLabel('Campaign').fill(campaign);
  await page.getByRole('button', { name: 'Create batch' }).click();
  await expect(page.getByRole('heading', { name: /^Batch cpb_/ })).toBeVisible();
  const batchUrl = page.url();
  await expect(async () => {
    await page.goto(batchUrl);
    await expect(page.locator('[data-batch-status]')).toHaveText('completed', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('[data-progress]')).toHaveAttribute('data-progress', '200/200');
  const id = batchUrl.split('/').pop();
  const csv = await (await page.request.get(`/coupons/batches/${id}/export.csv`)).text();
  const lines = csv.trim().split('\n');
  expect(lines.length).toBe(201);
  const codes = lines.slice(1).map((l) => l.split(',')[0]);
  expect(new Set(codes).size).toBe(200);

  // The product redeems two of the codes.
  const auth = { authorization: `Bearer ${f.keys.preview.secret}` };
  for (const [i, code] of codes.slice(0, 2).entries()) {
    const r = await request.post(`/api/v1/coupons/${code.toLowerCase()}/redemptions`, { headers: auth, data: { subscriptionId: `sub_${run}_${i}` } });
    expect(r.status()).toBe(201);
  }
  await signOut(page);

  // The marketer reads the campaign.
  await signIn(page, marketer, 'a-good-password');
  await page.getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('link', { name: campaign }).click();
  await expect(page.getByRole('heading', { name: campaign, exact: true })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole('table', { name: `Funnel of ${campaign}` }).getByRole('row', { name: /Coupons redeemed/ })).toContainText('2');
  await expect(page.getByRole('img', { name: /per day/ })).toBeVisible();
  await page.getByText('Numbers as a table').click();
  const numbers = page.getByRole('table', { name: /\(numbers\)$/ });
  await expect(numbers).toBeVisible();
  const today = numbers.getByRole('row').last();
  await expect(today.getByRole('cell').last()).toHaveText('2');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as CSV', exact: true }).click()]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  expect(text.split('\n')[0]).toBe('start,presented,redeemed,checkouts,signups,coupons');
  expect(text).toMatch(/,0,0,0,0,2\n/);
  await expect(page.getByRole('table', { name: 'Top codes' }).getByRole('row')).toHaveCount(3);
  await shot(page, info, 'campaign-page');
  // The batch is listed on the campaign page; the marketer may download it but sees no create link.
  await expect(page.getByRole('table', { name: 'Batches' })).toContainText('200 of 200');
  await expect(page.getByRole('link', { name: 'Generate or import codes' })).toHaveCount(0);
});
