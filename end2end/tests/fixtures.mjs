import fs from 'node:fs';
import path from 'node:path';
import { expect, test as base } from '@playwright/test';

// Every test fails on an uncaught page error (a WebAssembly panic during hydration is one) or a
// console error, in both projects. Tests import `test` from here, not from @playwright/test.
const seen = new WeakMap();

/// The errors a page has logged so far (and forgets them), for tests that visit many pages.
export function takeProblems(page) {
  const list = seen.get(page) || [];
  return list.splice(0, list.length);
}

export const test = base.extend({
  page: async ({ page }, use, testInfo) => {
    const problems = [];
    seen.set(page, problems);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The browser reports a 4xx or 502 (stripe_error) answer to a fetch as a console error;
      // that is the server refusing what a test sends on purpose, not a fault of the page.
      if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (4\d\d|502)/.test(m.text())) {
        problems.push(`console error: ${m.text()} (${m.location().url || 'page'})`);
      }
    });
    await use(page);
    if (problems.length && !testInfo.annotations.some((a) => a.type === 'expected-console-errors')) {
      throw new Error(`the page logged errors:\n${problems.join('\n')}`);
    }
  },
});
export { expect };
import { e2eDir } from '../playwright.config.mjs';

export const fixtures = () => JSON.parse(fs.readFileSync(path.join(e2eDir, 'fixtures.json'), 'utf8'));

export async function signIn(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await hydrated(page);
}

/// With JavaScript on, waits until the page is interactive; without, there is nothing to wait for.
export async function hydrated(page) {
  if (test.info().project.name === 'js') {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}
