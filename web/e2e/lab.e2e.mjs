// End-to-end: the model lab in headless Chromium against the real running stack.
// log in -> (dataset and plan made through the API) -> draw a small architecture with a
// skip connection, see each node's shape, see a mismatch refused with the node named, save
// -> build and preview an augmentation pipeline, save -> start a run of the architecture
// with the augmentation and a run of `linear` -> both train in the stack's worker ->
// wait (polling the API) until both have succeeded -> select both and compare
// (parameter diff, each run's metrics, loss curves, per-step errors). Screenshots go
// to tests/e2e/screenshots/lab-*.png. What it made is removed afterwards.
//
// Environment: LOADSTAR_BASE_URL (http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium),
// LOADSTAR_ETT_CSV, E2E_SCREENSHOTS, E2E_TRAIN_TIMEOUT_S (600).
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.LOADSTAR_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const USER = process.env.LOADSTAR_E2E_USER ?? 'admin';
const PASSWORD = process.env.LOADSTAR_E2E_PASSWORD ?? 'loadstar-admin';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ETT = process.env.LOADSTAR_ETT_CSV ?? resolve(repo, 'infra/demo/data/ETTh1.csv');
const SHOTS = process.env.E2E_SCREENSHOTS ?? join(repo, 'tests/e2e/screenshots');
const TRAIN_TIMEOUT = Number(process.env.E2E_TRAIN_TIMEOUT_S ?? 600) * 1000;
const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const results = [];
let page;

const log = (msg) => console.log(`[lab e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function shot(name) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `lab-${name}.png`), fullPage: true });
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
    await page.screenshot({ path: join(SHOTS, `lab-failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }
}

/** A dataset of the first 1,500 hours of ETTh1 and its suggested plan, through the API. */
async function datasetAndPlan(request, headers) {
  const lines = readFileSync(ETT, 'utf8').split('\n').slice(0, 1501).join('\n') + '\n';
  const up = await request.post('/api/datasets', {
    headers, multipart: { file: { name: `lab-e2e-${stamp}.csv`, mimeType: 'text/csv', buffer: Buffer.from(lines) }, name: `lab-e2e-${stamp}` },
  });
  if (!up.ok()) throw new Error(`upload: ${await up.text()}`);
  const dataset = await up.json();
  await request.patch(`/api/datasets/${dataset.id}`, { headers, data: { units: { HUFL: 'kW', HULL: 'kW', MUFL: 'kW', MULL: 'kW', LUFL: 'kW', LULL: 'kW', OT: 'degC' } } });
  const auto = await request.post('/api/features/auto', { headers, data: { datasetId: dataset.id, target: 'HUFL', frequency: '1h', lookback: 48, horizon: 12 } });
  const plan = await request.post('/api/features/plans', { headers, data: { ...(await auto.json()).plan, name: `lab-e2e-${stamp}`, datasetId: dataset.id } });
  if (!plan.ok()) throw new Error(`plan: ${await plan.text()}`);
  return { datasetId: dataset.id, planId: (await plan.json()).id };
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const login = await context.request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
  const headers = { Authorization: `Bearer ${(await login.json()).accessToken}` };
  let made = {};
  const archName = `skip-${stamp}`;
  const augName = `noise-${stamp}`;
  try {
    await step('login', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
      made = await datasetAndPlan(context.request, headers);
    });

    await step('draw an architecture with a skip connection', async () => {
      await page.goto('/lab/builder');
      await page.getByTestId('block-add').first().waitFor();
      // the server resolves each node's shape: the add node joins conv and GRU at [96, 16]
      await page.getByTestId('block-add').getByTestId('block-shape').filter({ hasText: '[96, 16]' }).waitFor();
      await page.getByTestId('block-gru').click();
      await page.getByTestId('node-params').fill('{"hidden": 8}');
      await page.getByTestId('arch-name').click(); // blur applies the parameters
      await page.getByTestId('builder-error').filter({ hasText: "'sum'" }).waitFor();
      if (await page.getByTestId('arch-save').isEnabled()) throw new Error('a refused graph can be saved');
      await shot('builder-refused');
      await page.getByTestId('block-gru').click();
      await page.getByTestId('node-params').fill('{"hidden": 16}');
      await page.getByTestId('arch-name').fill(archName);
      await page.getByTestId('block-add').getByTestId('block-shape').filter({ hasText: '[96, 16]' }).waitFor();
      await page.getByTestId('arch-save').click();
      await page.getByText('Saved').first().waitFor();
      await shot('builder');
    });

    await step('build and preview an augmentation', async () => {
      await page.goto('/lab/augmentation');
      await page.getByTestId('aug-name').fill(augName);
      await page.getByTestId('aug-kind').selectOption('timeWarp');
      await page.getByTestId('aug-add').click();
      await page.getByTestId('aug-preview').click();
      await page.getByTestId('preview-0').waitFor();
      await page.getByTestId('aug-save').click();
      await page.getByText(augName).first().waitFor();
      await shot('augmentation');
    });

    await step('train the architecture with the augmentation, and a linear run', async () => {
      await page.goto('/lab/experiments');
      await page.getByTestId('exp-plan').locator(`option[value="${made.planId}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('exp-dataset').selectOption(made.datasetId);
      await page.getByTestId('exp-plan').selectOption(made.planId);
      await page.getByTestId('exp-name').fill(`arch-${stamp}`);
      await page.getByTestId('exp-model').selectOption({ label: `Model builder: ${archName}` });
      await page.getByTestId('exp-aug').selectOption({ label: augName });
      await page.getByTestId('exp-start').click();
      await page.getByTestId('runs-table').getByText(`arch-${stamp}`).waitFor();
      await page.getByTestId('exp-name').fill(`linear-${stamp}`);
      await page.getByTestId('exp-model').selectOption('linear');
      await page.getByTestId('exp-aug').selectOption('');
      await page.getByTestId('exp-start').click();
      await page.getByTestId('runs-search').fill(stamp);
      // both runs must finish training before they are compared: poll the API (the run
      // table's own source) with a deadline, failing at once if one fails
      const deadline = Date.now() + TRAIN_TIMEOUT;
      for (;;) {
        const resp = await context.request.get('/api/runs', { headers, params: { q: stamp, pageSize: 10 } });
        if (!resp.ok()) throw new Error(`runs: ${await resp.text()}`);
        const items = (await resp.json()).items;
        const bad = items.find((r) => ['failed', 'cancelled'].includes(r.status));
        if (bad) throw new Error(`run ${bad.name} ${bad.status}`);
        if (items.length === 2 && items.every((r) => r.status === 'succeeded')) break;
        if (Date.now() > deadline) throw new Error(`the two runs did not succeed in ${TRAIN_TIMEOUT / 1000} s: ${items.map((r) => `${r.name}=${r.status}`).join(', ')}`);
        await page.waitForTimeout(3000);
      }
      // and the table shows them so
      const done = page.getByTestId('runs-table').locator('tr', { hasText: 'Succeeded' });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="runs-table"] tbody tr').length >= 2);
      while ((await done.count()) < 2) {
        if (Date.now() > deadline + 30000) throw new Error('the run table does not show both runs succeeded');
        await page.waitForTimeout(1000);
      }
      await shot('runs');
    });

    await step('compare the two runs', async () => {
      const runs = [`arch-${stamp}`, `linear-${stamp}`];
      for (const name of runs) await page.getByTestId('runs-table').getByRole('checkbox', { name, exact: true }).check();
      await page.getByTestId('param-diff').getByText('architecture', { exact: true }).waitFor();
      // the compare view shows each run's metrics: a number under both runs for valLoss
      const metrics = page.getByTestId('compare-metrics');
      for (const name of runs) await metrics.locator('th', { hasText: name }).waitFor();
      const row = metrics.locator('tr', { hasText: 'valLoss (min)' });
      await row.waitFor();
      const cells = (await row.locator('td.num').allInnerTexts()).map((v) => Number(v));
      if (cells.length !== 2 || !cells.every((v) => Number.isFinite(v) && v > 0)) throw new Error(`compare metrics: valLoss ${cells}`);
      await metrics.locator('tr', { hasText: 'test.mae (last)' }).waitFor();
      await page.getByTestId('compare-curves').waitFor();
      await page.getByTestId('compare-steps').waitFor();
      await shot('compare');
    });
  } catch {
    // reported below
  } finally {
    const exps = await (await context.request.get('/api/experiments', { headers })).json();
    for (const e of exps.filter((x) => x.name.endsWith(stamp))) await context.request.delete(`/api/experiments/${e.id}`, { headers });
    if (made.datasetId) await context.request.delete(`/api/datasets/${made.datasetId}?force=true`, { headers });
    await browser.close();
  }
  console.log('\nlab e2e results');
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
  if (pageErrors.length) console.log(`page errors:\n  ${pageErrors.join('\n  ')}`);
  process.exit(results.length === 5 && results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
