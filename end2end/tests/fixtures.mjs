import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
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
