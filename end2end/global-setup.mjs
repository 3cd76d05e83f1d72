// Creates this run's platform admin and a tenant with its merchant owner through the CLI, the
// way an operator does on first run, and leaves their credentials for the tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { e2eDir, serverEnv } from './playwright.config.mjs';

const bin = process.env.OFFERDECK_BIN || `${process.env.HOME}/.cache/offerdeck/target/debug/offerdeck`;

export default async function globalSetup() {
  fs.mkdirSync(e2eDir, { recursive: true });
  const run = Date.now().toString(36);
  const adminEmail = `admin-${run}@e2e.test`;
  const adminPassword = `admin-pass-${run}`;
  execFileSync(bin, ['admin', 'create', '--email', adminEmail], { env: serverEnv, input: `${adminPassword}\n` });
  const out = execFileSync(bin, ['tenant', 'create', '--name', `Shop ${run}`, '--owner-email', `owner-${run}@e2e.test`], { env: serverEnv });
  const tenant = JSON.parse(out.toString());
  const fixtures = { run, adminEmail, adminPassword, tenantName: tenant.name, ownerEmail: tenant.ownerEmail, ownerPassword: tenant.ownerPassword, keys: tenant.keys };
  fs.writeFileSync(path.join(e2eDir, 'fixtures.json'), JSON.stringify(fixtures));
}
