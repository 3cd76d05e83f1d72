import { test, expect, fixtures, signIn } from './fixtures.mjs';

test('a merchant edits a workflow, sees a syntax error at its line, saves, test-runs, and creates an offer with two prices', async ({ page }, info) => {
  const f = fixtures();
  const suffix = `${info.project.name} ${Date.now().toString(36)}`;
  const editorLoads = [];
  page.on('request', (r) => { if (r.url().endsWith('/pkg/code-editor.js')) editorLoads.push(r.url()); });
  await signIn(page, f.ownerEmail, f.ownerPassword);

  // Catalogue: a product with two prices.
  await page.getByRole('link', { name: 'Products' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Plan ${suffix}`);
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name: `Plan ${suffix}` })).toBeVisible();
  for (const [amount, id] of [['10.00', 'price_wf_a'], ['4.50', 'price_wf_b']]) {
    await page.getByLabel('Amount').fill(amount);
    await page.getByLabel('Billing').selectOption('month');
    await page.getByLabel('Stripe price id').fill(`${id}_${info.project.name}`);
    await page.getByRole('button', { name: 'Add price' }).click();
    await expect(page.getByRole('row', { name: new RegExp(`${id}_${info.project.name}`) })).toBeVisible();
  }

  // CodeMirror is not downloaded by pages without an editor (sign-in, overview, products).
  expect(editorLoads).toEqual([]);

  // A redemption method: its URLs are settings; the default workflow is there to edit.
  await page.getByRole('link', { name: 'Redemption methods' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Checkout ${suffix}`);
  await page.getByLabel('Success URL').fill('https://shop.test/thanks');
  await page.getByLabel('Cancel URL').fill('https://shop.test/pricing');
  await page.getByLabel('Sign-up URL').fill('https://shop.test/join');
  await page.getByRole('button', { name: 'Create method' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Checkout ${suffix}`) })).toBeVisible();
  const code = page.getByLabel('Workflow code', { exact: true });
  await expect(code).toHaveValue(/checkout\/sessions/);
  const js = info.project.name === 'js';
  if (js) {
    // Hydrated: a real code editor with line numbers shows the default workflow.
    await expect(page.locator('.cm-editor')).toBeVisible();
    await expect(page.locator('.cm-lineNumbers')).toBeVisible();
    await expect(page.locator('.cm-content')).toContainText("The Stripe Checkout schema's default workflow");
    expect(editorLoads.length, 'loaded once, after a client-side navigation to the first page with an editor').toBe(1);
  }

  await code.fill('// custom\nexport default async function ({ offer, identity }) {\n  const x: number = ;\n  return { success: true };\n}\n');
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByLabel('Workflow errors')).toContainText('Line 3, column');
  if (js) {
    // The error is marked in the editor, on line 3.
    await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
    await expect(page.locator('.cm-line').nth(2).locator('.cm-lintRange-error')).toHaveCount(1);
  }

  await page.getByLabel('Workflow code', { exact: true }).fill('// custom\nexport default async function ({ offer, identity }: any) {\n  console.log("testing", offer.id);\n  return { success: true, message: "hello " + identity.identifier };\n}\n');
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await expect(page.getByRole('heading', { name: /Workflow \(v2\)/ })).toBeVisible();
  await expect(page.getByText(/^v2 — /)).toBeVisible();

  // An offer with both prices.
  await page.getByRole('link', { name: 'Offers', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Offer ${suffix}`);
  await page.getByLabel('Redemption method').selectOption({ label: `Checkout ${suffix}` });
  await page.getByLabel(new RegExp(`£10\\.00 / month \\(price_wf_a_${info.project.name}\\)`)).check();
  await page.getByLabel(new RegExp(`£4\\.50 / month \\(price_wf_b_${info.project.name}\\)`)).check();
  await page.getByLabel('Title').fill('Premium Monthly');
  await page.getByLabel(/^Instructions/).fill('[1, 2]');
  await page.getByRole('button', { name: 'Create offer' }).click();
  await expect(page.getByText('Instructions must be a JSON object')).toBeVisible();
  if (info.project.name === 'nojs') {
    // Without JavaScript the redirect back re-renders the empty form: fill it again.
    await page.getByLabel('Name', { exact: true }).fill(`Offer ${suffix}`);
    await page.getByLabel('Redemption method').selectOption({ label: `Checkout ${suffix}` });
    await page.getByLabel(new RegExp(`£10\\.00 / month \\(price_wf_a_${info.project.name}\\)`)).check();
    await page.getByLabel(new RegExp(`£4\\.50 / month \\(price_wf_b_${info.project.name}\\)`)).check();
    await page.getByLabel('Title').fill('Premium Monthly');
  }
  await page.getByLabel(/^Instructions/).fill('{"allow_promotion_codes": true}');
  await page.getByRole('button', { name: 'Create offer' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Offer ${suffix}`) })).toBeVisible();
  const object = page.getByLabel('Workflow offer object');
  await expect(object).toContainText(`"price": "price_wf_a_${info.project.name}"`);
  await expect(object).toContainText(`"price": "price_wf_b_${info.project.name}"`);
  await expect(object).toContainText('"allow_promotion_codes": true');
  await expect(object).toContainText('"mode": "subscription"');

  // Test run from the method's page.
  await page.getByRole('link', { name: 'Redemption methods' }).click();
  await page.getByRole('link', { name: `Checkout ${suffix}` }).click();
  await page.getByLabel('Offer', { exact: true }).selectOption({ label: `Offer ${suffix}` });
  await page.getByLabel('User id').fill('buyer@example.com');
  await page.getByRole('button', { name: 'Run test' }).click();
  const result = page.getByLabel('Test result');
  await expect(result).toContainText('"message": "hello buyer@example.com"');
  await expect(result).toContainText('testing off_');
});
