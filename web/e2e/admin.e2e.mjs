// End-to-end: the administrator's desk and data quality in headless Chromium against the
// running stack. Create a user, change their role, show a quality report with a failed
// rule and its time range, then sign out and check the old token no longer works.
// Then the seed-003 training call trains a staged version for an asset; its deployment gets a
// named API key (secret shown once, revoked from the console: the gateway then answers 401);
// the model is described and tagged, a free version deleted, and the model deleted once its
// deployment is gone. Screenshots go to tests/e2e/screenshots/admin-*.png. Exit 0 when every
// step passed.
//
// Environment: LOADSTAR_BASE_URL (default http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium),
// E2E_SCREENSHOTS, LOADSTAR_GATEWAY_URL (http://127.0.0.1:8090), S3_BUCKET (loadstar).
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
const GATEWAY = (process.env.LOADSTAR_GATEWAY_URL ?? 'http://127.0.0.1:8090').replace(/\/$/, '');
const BUCKET = process.env.S3_BUCKET ?? 'loadstar';
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

/** 600 hours of load with a daily cycle, as seed 003's IoT platform exports it. */
function assetCsv() {
  const lines = ['timestamp,value,temp'];
  const t0 = Date.UTC(2025, 6, 1);
  for (let i = 0; i < 600; i += 1) {
    const at = new Date(t0 + i * 3_600_000).toISOString().replace('.000Z', 'Z');
    const daily = Math.sin((2 * Math.PI * (i % 24)) / 24);
    lines.push(`${at},${(120 + 20 * daily + (i % 7) * 0.5).toFixed(2)},${(25 + 3 * daily).toFixed(1)}`);
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
  let deploymentId;
  let assetModel;
  const asset = `e2e-line-${stamp}`;
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

    await step('the seed-003 call trains a staged version for an asset', async () => {
      const headers = { Authorization: `Bearer ${await token()}` };
      const upload = await page.request.post('/api/datasets', {
        headers,
        multipart: { file: { name: 'line.csv', mimeType: 'text/csv', buffer: assetCsv() }, name: `line-${stamp}` },
      });
      if (upload.status() !== 201) throw new Error(`upload: ${upload.status()} ${await upload.text()}`);
      const dataUrl = `s3://${BUCKET}/${(await upload.json()).originalKey}`;
      const started = await page.request.post('/api/v1/training-jobs', { headers, data: { asset_id: asset, data_url: dataUrl, hyperparams: { epochs: 2 } } });
      if (started.status() !== 202) throw new Error(`training call: ${started.status()} ${await started.text()}`);
      const job = await started.json();
      assetModel = job.model_name;
      let state = job;
      for (let i = 0; i < 200 && !['succeeded', 'failed', 'cancelled'].includes(state.status); i += 1) {
        await page.waitForTimeout(1500);
        state = await (await page.request.get(`/api/v1/training-jobs/${job.job_id}`, { headers })).json();
      }
      if (state.status !== 'succeeded' || state.stage !== 'Staging') throw new Error(`job ended ${state.status}, stage ${state.stage}: ${state.error}`);
      // a second version, to delete later from the console
      const again = await page.request.post('/api/v1/training-jobs', { headers, data: { asset_id: asset, data_url: dataUrl, hyperparams: { epochs: 1 } } });
      const second = await again.json();
      for (let i = 0; i < 200 && second.model_version == null; i += 1) {
        await page.waitForTimeout(1500);
        Object.assign(second, await (await page.request.get(`/api/v1/training-jobs/${second.job_id}`, { headers })).json());
        if (['failed', 'cancelled'].includes(second.status)) throw new Error(`second job ${second.status}: ${second.error}`);
      }
      const dep = await page.request.post('/api/deployments', { headers, data: { modelId: assetModel, version: 1, assetId: asset } });
      if (dep.status() !== 201) throw new Error(`deploy: ${dep.status()} ${await dep.text()}`);
      deploymentId = (await dep.json()).id;
    });

    await step('an API key: created with its secret shown once, used, revoked', async () => {
      await page.goto(`/deployments/${deploymentId}`);
      const card = page.getByTestId('api-keys');
      await card.getByTestId('key-row-default').waitFor({ timeout: 15_000 });
      await card.getByTestId('key-name').fill('plant-a');
      await card.getByTestId('key-create-submit').click();
      const secret = (await card.getByTestId('key-secret').innerText()).trim();
      if (secret.length < 40) throw new Error(`no secret shown: ${secret}`);
      await card.getByTestId('key-row-plant-a').waitFor({ timeout: 15_000 });
      await shot('api-keys');
      const series = assetCsv().toString().trim().split('\n').slice(1).map((l) => { const [timestamp, value, temp] = l.split(','); return { timestamp, value: Number(value), temp: Number(temp) }; });
      const call = () => page.request.post(`${GATEWAY}/api/v1/assets/${asset}/predict`, { headers: { Authorization: `Bearer ${secret}` }, data: { historical_data: series.slice(-300) } });
      let answer = await call();
      for (let i = 0; i < 20 && answer.status() === 401; i += 1) { await page.waitForTimeout(500); answer = await call(); }
      if (answer.status() !== 200) throw new Error(`the new key does not predict: ${answer.status()} ${await answer.text()}`);
      await card.getByTestId('key-row-plant-a').getByTestId('key-revoke').click();
      await page.getByTestId('confirm').click();
      await card.getByTestId('key-row-plant-a').getByText('Revoked', { exact: true }).waitFor({ timeout: 15_000 });
      let refused = await call();
      for (let i = 0; i < 20 && refused.status() === 200; i += 1) { await page.waitForTimeout(500); refused = await call(); }
      if (refused.status() !== 401) throw new Error(`the revoked key still answers ${refused.status()}`);
      log(`revoked key: ${(await refused.json()).message}`);
    });

    await step('model records: describe and tag, delete a version, delete the model', async () => {
      await page.goto(`/registry/${encodeURIComponent(assetModel)}`);
      const main = page.getByRole('main');
      await main.getByTestId('model-edit').click();
      await page.getByTestId('model-description').fill('Line A load, trained by the IoT platform');
      await page.getByTestId('model-tags').fill('line-a, e2e');
      await page.getByTestId('model-save').click();
      await main.getByTestId('model-tag').filter({ hasText: 'line-a' }).waitFor({ timeout: 15_000 });
      // v2 is served by nobody: deleted after a confirmation
      await main.getByTestId('versions-table').getByText('v2', { exact: true }).click();
      await main.getByTestId('version-delete').click();
      await page.getByTestId('confirm').click();
      await main.getByTestId('versions-table').getByText('v2', { exact: true }).waitFor({ state: 'detached', timeout: 15_000 });
      // the model is still served: refused, naming the deployment
      await main.getByTestId('model-delete').click();
      await page.getByTestId('confirm').click();
      await page.getByRole('dialog').getByText(deploymentId).waitFor({ timeout: 15_000 });
      await shot('model-delete-refused');
      await page.getByRole('dialog').getByText('Cancel', { exact: true }).click();
      const headers = { Authorization: `Bearer ${await token()}` };
      await page.request.delete(`/api/deployments/${deploymentId}`, { headers });
      deploymentId = undefined;
      await main.getByTestId('model-delete').click();
      await page.getByTestId('confirm').click();
      await page.waitForURL((url) => url.pathname === '/registry', { timeout: 15_000 });
      const gone = await page.request.get(`/api/registry/models/${assetModel}`, { headers });
      if (gone.status() !== 404) throw new Error(`the model is still there: ${gone.status()}`);
      assetModel = undefined;
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
      if (deploymentId) await context.request.delete(`/api/deployments/${deploymentId}`, { headers });
      if (assetModel) await context.request.delete(`/api/registry/models/${assetModel}`, { headers });
    } catch (err) {
      log(`clean-up skipped: ${err}`);
    }
    await browser.close();
  }
  console.log('\nadmin e2e results');
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
  process.exit(results.length === 8 && results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
