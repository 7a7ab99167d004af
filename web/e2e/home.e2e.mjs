// End-to-end: the home dashboard, the lineage graph from a dataset (with an external source
// beside it), the log viewer and the manual, in Chromium and, where one is installed, in
// Firefox (playwright-core driving its executable; no browser is downloaded). A screenshot
// of each page per browser goes to tests/e2e/screenshots/. Exit 0 when every step passed
// in every browser that could start; the dataset it made is removed afterwards.
//
// Environment: LOADSTAR_BASE_URL (http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium),
// FIREFOX_PATH (/usr/bin/firefox-esr), LOADSTAR_ETT_CSV, E2E_SCREENSHOTS.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, firefox } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.LOADSTAR_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const USER = process.env.LOADSTAR_E2E_USER ?? 'admin';
const PASSWORD = process.env.LOADSTAR_E2E_PASSWORD ?? 'loadstar-admin';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const ETT = process.env.LOADSTAR_ETT_CSV ?? resolve(repo, 'infra/demo/data/ETTh1.csv');
const SHOTS = process.env.E2E_SCREENSHOTS ?? join(repo, 'tests/e2e/screenshots');
const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const results = [];

function log(msg) {
  console.log(`[home e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function step(browserName, page, name, fn) {
  const started = Date.now();
  log(`${browserName}: ${name}`);
  try {
    await fn();
    results.push({ browser: browserName, name, ok: true, seconds: (Date.now() - started) / 1000 });
  } catch (err) {
    results.push({ browser: browserName, name, ok: false, error: String(err?.message ?? err).split('\n')[0] });
    log(`FAILED ${browserName} ${name}: ${err?.stack ?? err}`);
    await page.screenshot({ path: join(SHOTS, `failed-home-${browserName}-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
    throw err;
  }
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A small dataset and an external source feeding it, through the API. */
async function arrange(request) {
  const login = await request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
  const headers = { Authorization: `Bearer ${(await login.json()).accessToken}` };
  const csv = readFileSync(ETT, 'utf8').split('\n').slice(0, 301).join('\n') + '\n';
  const upload = await request.post('/api/datasets', {
    headers,
    multipart: { name: `home-e2e-${stamp}`, file: { name: 'ett.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) } },
  });
  if (upload.status() !== 201) throw new Error(`upload: ${upload.status()} ${await upload.text()}`);
  const dataset = (await upload.json()).id;
  const source = { type: 'scadaExport', id: `line3-${stamp}` };
  const node = await request.post('/api/v2/lineage/node', { headers, data: { ...source, name: `SCADA export ${stamp}` } });
  if (node.status() !== 201) throw new Error(`lineage node: ${node.status()} ${await node.text()}`);
  const edge = await request.post('/api/v2/lineage/edge', { headers, data: { from: source, to: { type: 'dataset', id: dataset } } });
  if (edge.status() !== 201) throw new Error(`lineage edge: ${edge.status()} ${await edge.text()}`);
  return { headers, dataset };
}

async function run(browserName, browserType, executablePath) {
  const browser = await browserType.launch({ executablePath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  const page = await context.newPage();
  const { headers, dataset } = await arrange(context.request);
  try {
    await step(browserName, page, 'dashboard', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/', { timeout: 30_000 });
      await page.getByTestId('home-dashboard').waitFor({ timeout: 30_000 });
      for (const card of ['home-running', 'home-deployments', 'home-freshness', 'home-system', 'home-alerts']) {
        await page.getByTestId(card).waitFor();
      }
      await page.getByTestId('home-freshness').getByText(`home-e2e-${stamp}`).waitFor({ timeout: 15_000 });
      await shot(page, `home-${browserName}-01-dashboard`);
    });
    await step(browserName, page, 'lineage from a dataset', async () => {
      const row = page.getByTestId('home-freshness').locator('li', { hasText: `home-e2e-${stamp}` });
      await row.getByRole('link', { name: 'Lineage' }).click();
      await page.waitForURL(/\/lineage\?type=dataset/);
      await page.getByTestId('lineage-chart').waitFor({ timeout: 30_000 });
      const nodes = page.getByTestId('lineage-nodes');
      await nodes.getByText(`SCADA export ${stamp}`).waitFor();
      await nodes.locator('tr', { hasText: `SCADA export ${stamp}` }).getByText('external').waitFor();
      await shot(page, `home-${browserName}-02-lineage`);
      // expand from the external node: the graph starts there now
      await nodes.getByRole('button', { name: `SCADA export ${stamp}` }).click();
      await page.waitForURL(/type=scadaExport/);
      await page.getByTestId('lineage-nodes').getByText(`SCADA export ${stamp}`).waitFor();
    });
    await step(browserName, page, 'log viewer', async () => {
      await page.getByTestId('nav-logs').click();
      await page.getByTestId('logs').waitFor();
      await page.locator('.log-line').first().waitFor({ timeout: 15_000 });
      await page.getByTestId('logs-type').selectOption('backend');
      await page.locator('.log-line').first().waitFor({ timeout: 15_000 });
      await shot(page, `home-${browserName}-03-logs`);
    });
    await step(browserName, page, 'manual', async () => {
      await page.getByTestId('nav-docs').click();
      await page.getByTestId('docs-markdown').getByRole('heading', { name: 'Import data' }).waitFor({ timeout: 15_000 });
      await page.getByTestId('docs-nav').getByRole('link', { name: 'API guide' }).click();
      await page.getByTestId('docs-markdown').getByRole('heading', { name: 'Standard error' }).waitFor();
      await shot(page, `home-${browserName}-04-manual`);
    });
    await step(browserName, page, 'phone and Chinese', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto('/');
      await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
      await page.getByTestId('home-dashboard').waitFor();
      await page.getByText('数据新鲜度').first().waitFor();
      await shot(page, `home-${browserName}-05-phone-zh`);
      await page.getByTestId('lang-switch').getByRole('button', { name: 'EN' }).click();
    });
  } finally {
    await context.request.delete(`/api/datasets/${dataset}?force=true`, { headers }).catch(() => undefined);
    await browser.close();
  }
}

mkdirSync(SHOTS, { recursive: true });
const engines = [['chromium', chromium, CHROMIUM], ['firefox', firefox, FIREFOX]];
let failed = false;
for (const [name, type, path] of engines) {
  if (!existsSync(path)) {
    log(`${name}: skipped, no browser at ${path}`);
    results.push({ browser: name, name: 'launch', ok: null, error: `no browser at ${path}` });
    continue;
  }
  try {
    await run(name, type, path);
  } catch (err) {
    failed = true;
    log(`${name}: ${String(err?.message ?? err).split('\n')[0]}`);
  }
}
console.log(JSON.stringify(results, null, 1));
process.exit(failed || !results.some((r) => r.ok) ? 1 : 0);
