// End-to-end: the console in headless Chromium against the real running stack.
// log in -> upload a real CSV -> explore, add a suggestion to a plan -> features -> train
// (one metric event must arrive live) -> register and deploy -> edit the mapping ->
// predict from the deployment page -> the standard output; then the registry, the lists,
// the system page, the Chinese switch, and a viewer who must see no write buttons. A
// screenshot of every page goes to tests/e2e/screenshots/. Exit 0 when every step passed;
// the deployment and dataset it made are removed afterwards (E2E_KEEP=1 keeps them).
//
// Environment: LOADSTAR_BASE_URL (default http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium),
// LOADSTAR_ETT_CSV (infra/demo/data/ETTh1.csv in the repository), E2E_SCREENSHOTS,
// E2E_TRAIN_TIMEOUT_S (600).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const ROWS = 2000;

const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const results = [];
let page;

function log(msg) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0)); // a sticky header drawn mid-page otherwise
  await page.waitForTimeout(400); // let charts finish their first paint
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
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
    try {
      await page.screenshot({ path: join(SHOTS, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
    } catch {
      // the page itself is gone
    }
    throw err;
  }
}

/** The first ROWS rows of ETTh1, written at run time (the data licence forbids committing a modified copy). */
function smallCsv() {
  const lines = readFileSync(ETT, 'utf8').split('\n');
  const file = join(tmpdir(), `etth1-first-${ROWS}-${stamp}.csv`);
  writeFileSync(file, lines.slice(0, ROWS + 1).join('\n') + '\n');
  return file;
}

/** Wait for a navigation, failing at once with the page's message when an error shows instead. */
async function urlOrError(pattern, timeout) {
  const error = page.getByTestId('error').first();
  const failed = error.waitFor({ state: 'visible', timeout }).then(async () => {
    throw new Error(`the page shows an error: ${(await error.innerText()).replace(/\s+/g, ' ')}`);
  });
  await Promise.race([page.waitForURL(pattern, { timeout }), failed]);
  failed.catch(() => undefined);
}

/** Wait for an element, failing at once with the page's message when an error shows instead. */
async function visibleOrError(testId, timeout = 30_000) {
  const error = page.getByTestId('error').first();
  const failed = error.waitFor({ state: 'visible', timeout }).then(async () => {
    throw new Error(`the page shows an error: ${(await error.innerText()).replace(/\s+/g, ' ')}`);
  });
  await Promise.race([page.getByTestId(testId).first().waitFor({ state: 'visible', timeout }), failed]);
  failed.catch(() => undefined);
}

async function expectVisible(testId, timeout = 30_000) {
  await page.getByTestId(testId).first().waitFor({ state: 'visible', timeout });
}

/** Unpublish the deployment and delete the dataset this run made (E2E_KEEP=1 keeps them). */
async function cleanUp(context, { deploymentId, datasetId }) {
  try {
    const login = await context.request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
    const headers = { Authorization: `Bearer ${(await login.json()).accessToken}` };
    if (deploymentId) await context.request.delete(`/api/deployments/${deploymentId}`, { headers });
    if (datasetId) await context.request.delete(`/api/datasets/${datasetId}?force=true`, { headers });
  } catch (err) {
    log(`clean-up skipped: ${err}`);
  }
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  if (!existsSync(ETT)) throw new Error(`no ETTh1.csv at ${ETT}`);
  mkdirSync(SHOTS, { recursive: true });
  const csv = smallCsv();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  let datasetId, planUrl, jobId, deploymentId;
  const modelName = `e2e-load-${stamp}`;

  try {
    await step('login', async () => {
      // First load, cold cache, each time in a fresh context; the best of three, since the
      // CPUs are shared and one slow scheduling tick says nothing about the console.
      const loads = [];
      for (let i = 0; i < 3 && !(loads.length && Math.min(...loads) <= 1000); i++) {
        const cold = await browser.newContext({ baseURL: BASE });
        const p = await cold.newPage();
        await p.goto('/login');
        await p.getByTestId('login-submit').waitFor();
        loads.push(await p.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)));
        await cold.close();
      }
      await page.goto('/login');
      await page.getByTestId('login-submit').waitFor();
      const bytes = await page.evaluate(() => performance.getEntriesByType('resource').reduce((n, r) => n + (r.transferSize || 0), performance.getEntriesByType('navigation')[0].transferSize || 0));
      log(`login page first load: ${loads.join(' / ')} ms, ${Math.round(bytes / 1024)} KiB transferred`);
      if (Math.min(...loads) > 1000) throw new Error(`the login page took ${Math.min(...loads)} ms to load (goal: under 1 s)`);
      await shot('01-login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
      await page.getByTestId('role').waitFor();
    });

    await step('upload a real CSV', async () => {
      if (new URL(page.url()).pathname !== '/datasets') await page.goto('/datasets');
      await page.getByTestId('upload-open').click();
      await page.getByTestId('upload-file').setInputFiles(csv);
      await page.getByTestId('upload-name').fill(`ETTh1 first ${ROWS} (${stamp})`);
      await page.getByTestId('upload-start').click();
      await urlOrError(/\/datasets\/[^/]+$/, 120_000);
      datasetId = page.url().split('/').pop();
      await expectVisible('dataset-rows');
      await expectVisible('quality');
      // Units: the oil temperature is in degrees Celsius.
      await page.getByLabel('Unit of OT').fill('degC');
      await page.getByTestId('save-units').click();
      await page.getByText('Units saved').waitFor();
      await shot('03-dataset-detail');
      await page.goto('/datasets');
      await expectVisible('datasets-table');
      await shot('02-datasets');
    });

    await step('explore and add a suggestion to a plan', async () => {
      await page.goto(`/explore?datasetId=${datasetId}`);
      await page.getByTestId('explore-target').selectOption('OT');
      await visibleOrError('stats-table', 60_000);
      await visibleOrError('suggestion', 60_000);
      await expectVisible('charts', 60_000);
      for (const [button, ext] of [['export-md', '.md'], ['export-png', '.png']]) {
        const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]);
        if (!file.suggestedFilename().endsWith(ext)) throw new Error(`export gave ${file.suggestedFilename()}`);
        const body = readFileSync(await file.path());
        if (ext === '.md' && !body.toString().includes('## Suggested features')) throw new Error('the Markdown report lacks its suggestions');
        if (ext === '.png' && body.length < 10_000) throw new Error('the PNG report is empty');
      }
      await page.getByTestId('add-to-plan').first().click();
      await visibleOrError('open-plan', 30_000);
      await shot('04-explore');
      planUrl = await page.getByTestId('open-plan').getAttribute('href');
    });

    await step('features: plan, automatic suggestion, preview', async () => {
      await page.goto(planUrl);
      await expectVisible('plan-ops');
      await page.getByTestId('auto-suggest').click();
      await visibleOrError('merge-all', 60_000);
      await page.getByTestId('merge-all').click();
      await page.getByTestId('merge-all').waitFor({ state: 'detached' });
      // Keep the end-to-end training short: a 12-step horizon.
      await page.getByTestId('plan-horizon').fill('12');
      await page.getByTestId('save-plan').click();
      await page.getByText('Plan saved').waitFor({ timeout: 30_000 });
      await expectVisible('feature-matrix', 60_000);
      await expectVisible('cost-score');
      await shot('05-features');
    });

    await step('train and watch a metric arrive live', async () => {
      await page.getByTestId('to-training').click();
      await page.waitForURL('**/training?*');
      await page.getByTestId('train-algorithm').selectOption('linear');
      await page.getByTestId('hp-epochs').fill('3');
      await shot('06-training');
      await page.getByTestId('train-submit').click();
      await urlOrError(/\/training\/[^/?]+$/, 30_000);
      jobId = page.url().split('/').pop();
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid=live-metrics]')?.getAttribute('data-live') ?? 0) >= 1,
        null, { timeout: TRAIN_TIMEOUT },
      );
      log('a metric event arrived over the WebSocket');
      await expectVisible('loss-chart');
      await shot('07-training-live');
      await page.waitForFunction(
        () => /Succeeded|Failed|Cancelled/.test(document.querySelector('[data-testid=job-status]')?.textContent ?? ''),
        null, { timeout: TRAIN_TIMEOUT },
      );
      const status = await page.getByTestId('job-status').textContent();
      if (!/Succeeded/.test(status ?? '')) throw new Error(`training ended ${status}`);
      await expectVisible('metrics-table', 60_000);
      await expectVisible('model-card', 60_000);
      await shot('08-training-done');
    });

    await step('pause, resume and stop a job', async () => {
      const jobPage = page.url();
      await page.goto(planUrl.replace('/features', '/training'));
      await page.getByTestId('train-algorithm').selectOption('linear');
      await page.getByTestId('hp-epochs').fill('200');
      await page.getByTestId('hp-patience').fill('200');
      await page.getByTestId('train-submit').click();
      await urlOrError(/\/training\/[^/?]+$/, 30_000);
      const status = (re, timeout = 120_000) => page.waitForFunction(
        (src) => new RegExp(src).test(document.querySelector('[data-testid=job-status]')?.textContent ?? ''), re, { timeout },
      );
      await status('Running');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-metrics]')?.getAttribute('data-total') ?? 0) >= 1, null, { timeout: 120_000 });
      await page.getByTestId('pause').click();
      await status('Paused');
      await shot('08b-training-paused');
      await page.getByTestId('resume').click();
      await status('Running|Queued');
      await page.getByTestId('stop').click();
      await page.getByTestId('confirm').click();
      await status('Cancelled');
      await page.goto(jobPage);
      await expectVisible('register-deploy');
    });

    await step('register and deploy', async () => {
      await page.getByTestId('register-deploy').click();
      await page.getByTestId('model-name').fill(modelName);
      await page.getByTestId('register-confirm').click();
      await urlOrError(/\/deployments\/[^/]+$/, 180_000);
      deploymentId = page.url().split('/').pop();
      await expectVisible('token-once');
      const token = (await page.getByTestId('api-token').textContent())?.trim() ?? '';
      if (token.length < 20) throw new Error('no API token shown');
      await shot('09-deployment-created');
    });

    await step('edit the mapping', async () => {
      const firstSource = page.locator('[data-testid^=map-source-]').first();
      await firstSource.waitFor();
      const input = (await firstSource.getAttribute('data-testid')).replace('map-source-', '');
      await firstSource.fill(`${input}_reading`);
      await page.getByTestId('map-fill').selectOption('ffill');
      await page.getByTestId('map-missing').fill('30');
      await page.getByTestId('save-mapping').click();
      await page.getByText('Mapping saved').waitFor({ timeout: 60_000 });
      // The example request follows the new field name.
      await page.waitForFunction(
        (name) => (document.querySelector('[data-testid=predict-input]')?.value ?? '').includes(name),
        `${input}_reading`, { timeout: 60_000 },
      );
    });

    await step('predict from the deployment page', async () => {
      await page.getByTestId('run-predict').click();
      await visibleOrError('predict-output', 120_000);
      const out = JSON.parse((await page.getByTestId('predict-json').textContent()) ?? '{}');
      for (const key of ['modelId', 'version', 'timestamp', 'values', 'unit', 'intervals', 'confidence', 'warnings', 'meta']) {
        if (!(key in out)) throw new Error(`standard output lacks ${key}`);
      }
      if (!out.values.length || !out.intervals.p05 || out.intervals.p05.length !== out.values.length) {
        throw new Error('standard output has no values or intervals');
      }
      log(`standard output: ${out.values.length} values in ${out.unit}, confidence ${out.confidence}`);
      await shot('10-deployment-predict');
    });

    await step('rotate the token', async () => {
      await page.getByTestId('rotate-token').click();
      await page.getByTestId('confirm').click();
      await visibleOrError('token-once', 30_000);
      const token = (await page.getByTestId('api-token').textContent())?.trim() ?? '';
      if (token.length < 20) throw new Error('no new token shown');
    });

    await step('registry: versions, stages, lineage', async () => {
      await page.goto(`/registry/${encodeURIComponent(modelName)}`);
      await expectVisible('versions-table');
      await page.getByTestId('stage-select').selectOption('Staging');
      await page.getByTestId('stage-apply').click();
      await expectVisible('stage-history', 30_000);
      await page.getByTestId('alias-name').fill('champion');
      await page.getByTestId('alias-apply').click();
      await page.getByTestId('versions-table').getByText('@champion').waitFor({ timeout: 30_000 });
      await expectVisible('lineage-chart', 30_000);
      await shot('11-registry-model');
      await page.goto('/registry');
      await expectVisible('models-table');
      await shot('12-registry');
    });

    await step('lists and system', async () => {
      await page.goto('/deployments');
      await expectVisible('deployments-table');
      await shot('13-deployments');
      await page.goto('/training');
      await expectVisible('jobs-table');
      await shot('14-training-jobs');
      await page.goto('/system');
      await page.waitForSelector('[data-testid=gauge-cpu], [data-testid=no-gpu], [data-testid=error]', { timeout: 30_000 });
      await shot('15-system');
    });

    await step('switch to Chinese', async () => {
      await page.goto(`/datasets/${datasetId}`);
      await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
      await page.locator('main.content').getByText('数据质量').first().waitFor(); // the nav has it too
      await shot('16-dataset-zh');
      await page.getByTestId('lang-switch').getByRole('button', { name: 'EN' }).click();
    });
    await step('a viewer sees no write buttons', async () => {
      const login = await page.request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
      const token = (await login.json()).accessToken;
      const viewer = `viewer-${stamp}`;
      const created = await page.request.post('/api/auth/users', {
        headers: { Authorization: `Bearer ${token}` },
        data: { username: viewer, password: `pw-${stamp}-viewer`, role: 'viewer' },
      });
      if (!created.ok()) throw new Error(`could not create a viewer: ${created.status()} ${await created.text()}`);
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
      const main = page;
      page = await ctx.newPage();
      try {
        await page.goto('/login');
        await page.fill('input[name=username]', viewer);
        await page.fill('input[name=password]', `pw-${stamp}-viewer`);
        await page.getByTestId('login-submit').click();
        await expectVisible('home-dashboard'); // the landing page
        await page.goto('/datasets');
        await expectVisible('datasets-table');
        if (await page.getByTestId('upload-open').count()) throw new Error('a viewer sees the upload button');
        await page.goto(`/deployments/${deploymentId}`);
        await expectVisible('mapping-editor');
        if (await page.getByTestId('save-mapping').count()) throw new Error('a viewer sees the save-mapping button');
        await shot('17-viewer-deployment');
      } finally {
        await ctx.close();
        page = main;
      }
    });
    if (!process.env.E2E_KEEP) {
      await step('delete the dataset, confirmed', async () => {
        await page.goto(`/datasets/${datasetId}`);
        await page.getByTestId('delete-dataset').click();
        await page.getByTestId('confirm').click();
        // A job and a model version use it: the API says CONFLICT and the dialog offers force.
        await page.getByText('Delete anyway').waitFor({ timeout: 30_000 });
        await page.getByTestId('confirm').click();
        await page.waitForURL('**/datasets', { timeout: 60_000 });
        await page.waitForFunction(
          (name) => !(document.querySelector('[data-testid=datasets-table]')?.textContent ?? '').includes(name),
          `(${stamp})`, { timeout: 15_000 },
        );
        datasetId = undefined;
      });
    }
  } catch {
    // reported below
  } finally {
    if (!process.env.E2E_KEEP) await cleanUp(context, { deploymentId, datasetId });
    await browser.close();
    rmSync(csv, { force: true });
  }

  console.log('\nconsole e2e results');
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
  if (consoleErrors.length) console.log(`page errors:\n  ${consoleErrors.join('\n  ')}`);
  console.log(`screenshots in ${SHOTS}`);
  const ok = results.length > 0 && results.every((r) => r.ok) && results.length === (process.env.E2E_KEEP ? 14 : 15);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
