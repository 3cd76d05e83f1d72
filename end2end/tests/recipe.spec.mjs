import { test, expect, fixtures, signIn, hydrated } from './fixtures.mjs';
import { stripePort } from '../playwright.config.mjs';

// The seed recipe built through the dashboard pages only: Stripe key, product with two prices,
// a Stripe Checkout method, an offer, a presentation schema, an app experience presenting the
// offer, a surface and a secret key; then the two runtime endpoints return the navigate URL
// of the local Stripe server, which received both prices as line items.
test('a merchant builds the whole offer recipe in the dashboard and the API redeems it', async ({ page, request }, info) => {
  test.setTimeout(90_000);
  const f = fixtures();
  const p = info.project.name;
  const suffix = `${p}-${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);

  await page.getByRole('link', { name: 'Stripe' }).click();
  await expect(page.getByRole('heading', { name: 'Stripe' })).toBeVisible();
  await page.getByLabel('Secret key').fill('sk_test_51E2eKeyForTheRecipeRc42');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('sk_test_…Rc42')).toBeVisible();

  await page.getByRole('link', { name: 'Products' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Recipe ${suffix}`);
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByRole('heading', { name: `Recipe ${suffix}` })).toBeVisible();
  for (const [amount, id] of [['12.00', `price_rc_main_${p}`], ['3.00', `price_rc_extra_${p}`]]) {
    await page.getByLabel('Amount').fill(amount);
    await page.getByLabel('Billing').selectOption('month');
    await page.getByLabel('Stripe price id').fill(id);
    await page.getByRole('button', { name: 'Add price' }).click();
    await expect(page.getByRole('row', { name: new RegExp(id) })).toBeVisible();
  }

  await page.getByRole('link', { name: 'Redemption methods' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Recipe checkout ${suffix}`);
  await page.getByLabel('Success URL').fill('https://shop.test/thanks');
  await page.getByLabel('Cancel URL').fill('https://shop.test/pricing');
  await page.getByLabel('Sign-up URL').fill('https://shop.test/join');
  await page.getByRole('button', { name: 'Create method' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Recipe checkout ${suffix}`) })).toBeVisible();

  await page.getByRole('link', { name: 'Offers', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Recipe offer ${suffix}`);
  await page.getByLabel('Redemption method').selectOption({ label: `Recipe checkout ${suffix}` });
  await page.getByLabel(new RegExp(`price_rc_main_${p}\\)`)).check();
  await page.getByLabel(new RegExp(`price_rc_extra_${p}\\)`)).check();
  await page.getByLabel('Title').fill('Recipe Premium');
  await page.getByRole('button', { name: 'Create offer' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Recipe offer ${suffix}`) })).toBeVisible();
  const offerUrl = page.url();

  // A schema whose required field is checked when the experience is saved.
  await page.getByRole('link', { name: 'Presentation schemas' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Banner ${suffix}`);
  await page.getByLabel('Field 1 key').fill('headline');
  await page.getByLabel('Field 1 label').fill('Headline');
  await page.getByLabel('Field 1 required').selectOption('required');
  await page.getByLabel('Offer slots (comma-separated)').fill('primary');
  await page.getByRole('button', { name: 'Create schema' }).click();
  await expect(page.getByRole('heading', { name: `Banner ${suffix}` })).toBeVisible();
  await hydrated(page);

  await page.getByRole('link', { name: 'Experiences' }).click();
  await page.getByLabel('Type').selectOption('app');
  await page.getByLabel('Presentation schema (app experiences)').selectOption({ label: `Banner ${suffix}` });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Pricing banner ${suffix}`);
  await page.getByRole('button', { name: 'Create experience' }).click();
  await expect(page.getByText('Headline is required')).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(`Pricing banner ${suffix}`);
  await page.getByLabel('Headline (required)').fill('Go premium');
  await page.getByRole('button', { name: 'Create experience' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Pricing banner ${suffix}`) })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Add an offer to primary').selectOption({ label: `Recipe offer ${suffix}` });
  await page.getByRole('button', { name: 'Add offer' }).click();
  await expect(page.getByRole('list', { name: 'Offers in primary' })).toContainText(`Recipe offer ${suffix}`);

  await page.getByRole('link', { name: 'Surfaces' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Pricing ${suffix}`);
  await page.getByLabel('Slug').fill(`pricing-${suffix}`);
  await page.getByLabel('Slot 1 key').fill('web-content');
  await page.getByLabel('Slot 1 experience').selectOption({ label: `Pricing banner ${suffix}` });
  await page.getByRole('button', { name: 'Create surface' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Pricing ${suffix}`) })).toBeVisible();

  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(`recipe ${suffix}`);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByLabel('New API key').inputValue();
  expect(key).toMatch(/^sk_test_/);

  // The merchant's product calls the two runtime endpoints.
  const auth = { authorization: `Bearer ${key}` };
  const decision = await request.post('/api/v1/surface-decisions', { headers: auth, data: { surfaceSlug: `pricing-${suffix}`, identity: { userIdentifier: `buyer-${suffix}@example.com` } } });
  expect(decision.status()).toBe(200);
  const d = await decision.json();
  // The price label defaults to the offer's first price (the form lists newest first).
  expect(d.offer.presentation.title).toBe('Recipe Premium');
  expect(['£12.00', '£3.00']).toContain(d.offer.presentation.price);
  expect(d.slots[0].experience.content).toEqual({ headline: 'Go premium' });
  const redemption = await request.post('/api/v1/offer-redemptions', { headers: auth, data: { identity: { userIdentifier: `buyer-${suffix}@example.com` }, offerToken: d.offer.token } });
  expect(redemption.status()).toBe(200);
  const r = await redemption.json();
  expect(r.action.type).toBe('navigate');
  expect(r.action.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_e2e_\d+$/);
  const recorded = await (await request.get(`http://127.0.0.1:${stripePort}/__requests`)).json();
  const session = recorded.filter((x) => x.path === '/v1/checkout/sessions').reverse().find((x) => x.body.includes(`price_rc_main_${p}`));
  expect(session.authorization).toBe('Bearer sk_test_51E2eKeyForTheRecipeRc42');
  const form = new URLSearchParams(session.body);
  const items = [form.get('line_items[0][price]'), form.get('line_items[1][price]')].sort();
  expect(items).toEqual([`price_rc_extra_${p}`, `price_rc_main_${p}`]);
  expect(form.get('line_items[2][price]')).toBeNull();

  // The marketer's view: the offer's performance and the events.
  await expect(async () => {
    await page.goto(offerUrl);
    await expect(page.locator('[data-stat="impressions"]')).toHaveText('1');
    await expect(page.locator('[data-stat="redemptions"]')).toHaveText('1');
    await expect(page.locator('[data-stat="conversion"]')).toHaveText('100.0 %');
  }).toPass({ timeout: 10_000 });
  // The events page, filtered by type and identity (the filter form's own query string).
  await page.goto(`/events?type=offer.redemption&identity=${encodeURIComponent(`buyer-${suffix}@example.com`)}`);
  await expect(page.getByLabel('Type')).toHaveValue('offer.redemption');
  await expect(page.getByLabel('Identity')).toHaveValue(`buyer-${suffix}@example.com`);
  const rows = page.getByRole('table', { name: 'Events' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('succeeded');
  await rows.nth(1).getByRole('link').click();
  await expect(page.getByRole('heading', { name: /Offer redemption/ })).toBeVisible();
  await expect(page.getByLabel('Response')).toContainText('checkout.stripe.com');
  await expect(page.getByLabel('Request')).toContainText(`buyer-${suffix}@example.com`);
});

test('an HTML experience previews the presented offer in a sandboxed iframe', async ({ page }, info) => {
  const f = fixtures();
  const suffix = `${info.project.name}-${Date.now().toString(36)}`;
  await signIn(page, f.ownerEmail, f.ownerPassword);
  await page.getByRole('link', { name: 'Experiences' }).click();
  await page.getByLabel('Type').selectOption('html');
  await page.getByRole('button', { name: 'Continue' }).click();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(`Hero ${suffix}`);
  await page.getByLabel('HTML, CSS and JavaScript', { exact: true }).fill('<style>h2{color:teal}</style><h2>{{offer.title}}</h2><p class="price">{{offer.price}}</p>');
  await page.getByRole('button', { name: 'Create experience' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(`Hero ${suffix}`) })).toBeVisible();
  await hydrated(page);
  const offer = page.getByLabel('Add an offer to primary');
  const firstOffer = await offer.locator('option').first().textContent();
  await offer.selectOption({ index: 0 });
  await page.getByRole('button', { name: 'Add offer' }).click();
  await expect(page.getByRole('list', { name: 'Offers in primary' })).toContainText(firstOffer);

  const iframe = page.locator('iframe[title="Experience preview"]');
  await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts');
  const preview = page.frameLocator('iframe[title="Experience preview"]');
  await expect(preview.locator('h2')).not.toHaveText('');
  await expect(preview.locator('p.price')).toContainText(/\d/);
  if (info.project.name === 'js') {
    // Live: typing changes the preview before anything is saved.
    await page.getByLabel('HTML, CSS and JavaScript', { exact: true }).fill('<h2>Live {{offer.price}}</h2><p id="js"></p><script>document.getElementById("js").textContent = "script ran";</script>');
    await expect(preview.locator('h2')).toContainText(/^Live .*\d/);
    // The merchant's own inline script runs in the preview (the dashboard's CSP, which a srcdoc
    // document inherits, allows it on experience pages only).
    await expect(preview.locator('#js')).toHaveText('script ran');
  }
});
