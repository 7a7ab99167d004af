// End-to-end: the administrator's desk and data quality in headless Chromium against the
// running stack. Create a user, change their role, show a quality report with a failed
// rule and its time range, then sign out and check the old token no longer works.
// Screenshots go to tests/e2e/screenshots/admin-*.png. Exit 0 when every step passed.
//
// Environment: LOADSTAR_BASE_URL (default http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium),
// E2E_SCREENSHOTS.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.LOADSTAR_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const USER = process.env.LOADSTAR_E2E_USER ?? 'admin';
const PASSWORD = process.env.LOADSTAR_E2E_PASSWORD ?? 'loadstar-admin';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.E2E_SCREENSHOTS ?? join(repo, 'tests/e2e/screenshots');
const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const results = [];
let page;

function log(msg) {
  console.log(`[admin e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
}

async function step(name, fn) {
  const started = Date.now();
  log(`step: ${name}`);
  try {
    await fn();
    results.push({ name, ok: true, seconds: (Date.now() - started) / 1000 });
  } catch (err) {
    results.push({ name, ok: false, seconds: (Date.now() - started) / 1000, error: String(err?.message ?? err).split('\n')[0] });
    log(`FAILED ${name}: ${err?.stack ?? err}`);
    await page.screenshot({ path: join(SHOTS, `admin-failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }
}

/** 96 quarter-hours of load with a spike of 5000 kW from 06:00 to 06:30. */
function faultyCsv() {
  const lines = ['timestamp,load'];
  const t0 = Date.UTC(2026, 2, 2);
  for (let i = 0; i < 96; i += 1) {
    const at = new Date(t0 + i * 15 * 60_000).toISOString().replace('.000Z', 'Z');
    lines.push(`${at},${i >= 24 && i <= 26 ? 5000 : 100 + (i % 4)}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

const token = () => page.evaluate(() => JSON.parse(localStorage.getItem('loadstar.session') ?? '{}').token);

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  const username = `e2e-user-${stamp}`;
  let datasetId;
  try {
    await step('log in', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
    });

    await step('create a user', async () => {
      await page.goto('/admin/users');
      await page.getByTestId('user-name').fill(username);
      await page.getByTestId('user-email').fill(`${username}@plant.example`);
      await page.getByTestId('user-password').fill('e2e-pass-123');
      await page.getByTestId('user-create-submit').click();
      await page.getByTestId(`user-row-${username}`).waitFor({ timeout: 15_000 });
    });

    await step('change the role', async () => {
      const row = page.getByTestId(`user-row-${username}`);
      await row.getByTestId('user-row-role').selectOption('engineer');
      await row.getByTestId('role-saved').waitFor({ timeout: 15_000 });
      if ((await row.getByTestId('user-row-role').inputValue()) !== 'engineer') throw new Error('the role did not change');
      await shot('users');
    });

    await step('a quality report with a failed rule and its time range', async () => {
      const headers = { Authorization: `Bearer ${await token()}` };
      const upload = await page.request.post('/api/datasets', {
        headers,
        multipart: { file: { name: 'spiky.csv', mimeType: 'text/csv', buffer: faultyCsv() }, name: `spiky-${stamp}` },
      });
      if (upload.status() !== 201) throw new Error(`upload: ${upload.status()} ${await upload.text()}`);
      datasetId = (await upload.json()).id;
      await page.goto(`/quality?datasetId=${datasetId}`);
      await page.getByTestId('suite-json').fill(JSON.stringify([{ kind: 'range', column: 'load', min: 0, max: 1000 }]));
      await page.getByTestId('suite-save').click();
      await page.getByText('v1 saved').waitFor({ timeout: 15_000 });
      await page.getByTestId('quality-run').click();
      const rule = page.getByTestId('quality-rule-range');
      await rule.waitFor({ timeout: 60_000 });
      const text = (await rule.innerText()).replace(/\s+/g, ' ');
      if (!text.includes('Failed')) throw new Error(`the range rule did not fail: ${text}`);
      const where = await rule.getByTestId('quality-ranges').innerText();
      if (!where.includes('3 points')) throw new Error(`no failing range of 3 points: ${where}`);
      log(`range rule: ${text}`);
      await shot('quality');
    });

    await step('sign out, and the old token no longer works', async () => {
      const old = await token();
      const before = await page.request.get('/api/auth/me', { headers: { Authorization: `Bearer ${old}` } });
      if (before.status() !== 200) throw new Error(`the token did not work before: ${before.status()}`);
      await page.getByTitle('Sign out').click();
      await page.waitForURL('**/login', { timeout: 15_000 });
      const after = await page.request.get('/api/auth/me', { headers: { Authorization: `Bearer ${old}` } });
      if (after.status() !== 401) throw new Error(`the old token still answers ${after.status()}`);
      await shot('signed-out');
    });
  } catch {
    // reported below
  } finally {
    try {
      const login = await context.request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
      const headers = { Authorization: `Bearer ${(await login.json()).token}` };
      if (datasetId) await context.request.delete(`/api/datasets/${datasetId}?force=true`, { headers });
    } catch (err) {
      log(`clean-up skipped: ${err}`);
    }
    await browser.close();
  }
  console.log('\nadmin e2e results');
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
  process.exit(results.length === 5 && results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
