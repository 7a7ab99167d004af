// End-to-end: a deployment's Monitor page in headless Chromium against the running stack.
// The pytest wrapper deploys a small model and ships a gateway's records (readings,
// forecasts, one anomaly event) to the control plane; this script logs in, opens the
// deployment, follows its Monitor link, sees the forecast-vs-actual chart and the event,
// acknowledges it, sees accuracy over time, adds and deletes a live-coverage alert rule,
// checks the Chinese page and a phone-width layout, and saves screenshots.
//
// Environment: LOADSTAR_BASE_URL (http://127.0.0.1:8080), WATCH_DEPLOYMENT_ID (required),
// LOADSTAR_E2E_USER / LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH
// (/usr/bin/chromium), E2E_SCREENSHOTS (tests/e2e/screenshots).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.LOADSTAR_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const USER = process.env.LOADSTAR_E2E_USER ?? 'admin';
const PASSWORD = process.env.LOADSTAR_E2E_PASSWORD ?? 'loadstar-admin';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.E2E_SCREENSHOTS ?? join(repo, 'tests/e2e/screenshots');
const DEPLOYMENT = process.env.WATCH_DEPLOYMENT_ID;
let page;

function log(msg) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(400); // let charts finish their first paint
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function step(name, fn) {
  log(`step: ${name}`);
  try {
    await fn();
  } catch (err) {
    log(`FAILED ${name}: ${err?.stack ?? err}`);
    try {
      await page.screenshot({ path: join(SHOTS, `failed-watching-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
    } catch {
      // the page itself is gone
    }
    throw err;
  }
}

async function main() {
  if (!DEPLOYMENT) throw new Error('WATCH_DEPLOYMENT_ID is not set');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  try {
    await step('login', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
    });
    await step('open the monitor from the deployment page', async () => {
      await page.goto(`/deployments/${DEPLOYMENT}`);
      await page.getByTestId('open-monitor').click();
      await page.waitForURL(`**/deployments/${DEPLOYMENT}/monitor`);
    });
    await step('forecast against actual, with the event', async () => {
      await page.getByTestId('monitor-series').locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
      const event = page.getByTestId('monitor-event').first();
      await event.waitFor({ timeout: 30_000 });
      const text = await event.innerText();
      if (!/Spike/.test(text) || !/the expected/.test(text)) throw new Error(`unexpected event row: ${text}`);
      await page.getByTestId('monitor-accuracy').waitFor();
      await shot('watching-01-monitor');
    });
    await step('acknowledge the event', async () => {
      await page.getByTestId('monitor-event').first().getByRole('button', { name: 'Acknowledge' }).click();
      await page.getByText(`Acknowledged by ${USER}`).waitFor({ timeout: 15_000 });
    });
    await step('accuracy over time against the model card', async () => {
      const card = page.getByTestId('monitor-accuracy-over-time');
      await card.getByTestId('monitor-accuracy-chart').locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
      await card.getByLabel('Bucket', { exact: true }).selectOption('hour');
      await card.getByTestId('monitor-accuracy-chart').locator('canvas').first().waitFor({ state: 'visible', timeout: 30_000 });
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'watching-04-accuracy-over-time.png') });
    });
    await step('a live-coverage alert rule: add, see, delete', async () => {
      const card = page.getByTestId('monitor-alerts');
      await card.getByLabel('Rule', { exact: true }).selectOption('coverage');
      await card.getByLabel('Threshold', { exact: true }).fill('0.75');
      await card.getByLabel('Window (min)', { exact: true }).fill('720');
      await card.getByLabel('Webhook URL', { exact: true }).fill('http://127.0.0.1:9/hook');
      await card.getByLabel('Signing secret (8+ characters)', { exact: true }).fill('e2e-secret-1');
      await card.getByRole('button', { name: 'Add rule', exact: true }).click();
      const row = card.getByTestId('alert-rule').filter({ hasText: 'Live coverage below 75% · 720 min' });
      await row.waitFor({ timeout: 15_000 });
      await row.getByText('OK', { exact: true }).waitFor();
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'watching-05-alert-rule.png') });
      await row.getByRole('button', { name: 'Delete', exact: true }).click();
      await row.waitFor({ state: 'detached', timeout: 15_000 });
    });
    await step('Chinese', async () => {
      await page.getByTestId('lang-switch').getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { name: '监控' }).first().waitFor();
      await shot('watching-02-monitor-zh');
      await page.getByTestId('lang-switch').getByRole('button', { name: 'EN' }).click();
    });
    await step('phone width', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('monitor-series').locator('canvas').first().waitFor({ state: 'visible' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 4) throw new Error(`the page is ${overflow} px wider than the phone`);
      await shot('watching-03-monitor-phone');
    });
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    log('all steps passed');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  log(String(err?.message ?? err));
  process.exit(1);
});
