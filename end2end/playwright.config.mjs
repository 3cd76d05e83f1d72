// End-to-end tests in Debian's Chromium, every test twice: hydrated (JavaScript on) and as
// plain HTML forms (JavaScript off). scripts/test builds the server and the site first.
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

const port = process.env.E2E_PORT || '3199';
export const stripePort = process.env.E2E_STRIPE_PORT || '3198';
export const e2eDir = process.env.E2E_DIR || path.join(os.tmpdir(), `offerdeck-e2e-${port}`);
const bin = process.env.OFFERDECK_BIN || `${process.env.HOME}/.cache/offerdeck/target/debug/offerdeck`;

export const serverEnv = {
  ...process.env,
  DATABASE_URL: `sqlite://${e2eDir}/e2e.db`,
  OFFERDECK_SECRET_KEY: 'e2e0'.repeat(16),
  OFFERDECK_LISTEN: `127.0.0.1:${port}`,
  RUST_LOG: process.env.RUST_LOG || 'warn',
  STRIPE_API_BASE: `http://127.0.0.1:${stripePort}`,
  // The webhook receiver of these tests is the local stub: allow loopback targets here only.
  OFFERDECK_WEBHOOK_ALLOW_PRIVATE: 'true',
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: path.join(e2eDir, 'results.json') }]],
  globalSetup: './global-setup.mjs',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'js', use: { javaScriptEnabled: true } },
    { name: 'nojs', use: { javaScriptEnabled: false } },
  ],
  webServer: [{
    command: 'node stripe-stub.mjs',
    url: `http://127.0.0.1:${stripePort}/health`,
    env: { ...process.env, E2E_STRIPE_PORT: stripePort },
    reuseExistingServer: false,
    timeout: 30_000,
  }, {
    command: `mkdir -p ${e2eDir} && ${bin} migrate && exec ${bin} serve`,
    url: `http://127.0.0.1:${port}/readyz`,
    env: serverEnv,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  }],
});
