import fs from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';
import { e2eDir } from '../playwright.config.mjs';

export const fixtures = () => JSON.parse(fs.readFileSync(path.join(e2eDir, 'fixtures.json'), 'utf8'));

export async function signIn(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}
