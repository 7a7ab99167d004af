// End-to-end: the feature store, Sources and Live pages in headless Chromium against the
// running stack. The pytest wrapper (tests/e2e/test_store_console.py) prepares a stream
// (a deployment, a stream group, an MQTT device, a started stream) and publishes readings
// while this script watches: log in -> Live page of the stream (readings and a forecast
// must arrive over the WebSocket) -> Sources page (the device's payload) -> Feature store
// page (the group with its units) -> a feature group, an HTTP-push source and the stream
// made again through the console's forms (their validation shown first) -> the same in
// Chinese and on a phone. Screenshots go to
// tests/e2e/screenshots/store-*.png. Exit 0 when every step passed.
//
// Environment: LOADSTAR_BASE_URL, E2E_DEPLOYMENT_ID, E2E_GROUP, CHROMIUM_PATH, E2E_SCREENSHOTS.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = (process.env.LOADSTAR_BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.E2E_SCREENSHOTS ?? join(repo, 'tests/e2e/screenshots');
const DEPLOYMENT = process.env.E2E_DEPLOYMENT_ID;
const GROUP = process.env.E2E_GROUP;
const results = [];
let page;

function log(msg) {
  console.log(`[store e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
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
    await page.screenshot({ path: join(SHOTS, `store-failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

async function shot(name) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(SHOTS, `store-${name}.png`), fullPage: true });
}

async function main() {
  if (!DEPLOYMENT || !GROUP) throw new Error('E2E_DEPLOYMENT_ID and E2E_GROUP are required');
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  try {
    await step('login', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', 'admin');
      await page.fill('input[name=password]', 'loadstar-admin');
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
    });
    await step('readings and a forecast arrive on the Live page', async () => {
      await page.goto(`/live/${encodeURIComponent(DEPLOYMENT)}`);
      log('READY'); // the wrapper publishes readings from here on
      await page.getByTestId('live-events').getByText('forecast', { exact: true }).first().waitFor({ timeout: 180_000 });
      const count = await page.getByTestId('live-count').textContent();
      if (!/[1-9]\d* grid points/.test(count ?? '')) throw new Error(`no grid points shown: ${count}`);
      await shot('live');
    });
    await step('the Sources page shows the last payload', async () => {
      await page.goto('/sources');
      await page.getByTestId('source-payload').first().waitFor();
      const text = await page.getByTestId('source-payload').first().textContent();
      if (!text || !text.includes('value')) throw new Error(`no payload shown: ${text}`);
      await shot('sources');
    });
    await step('the Feature store page shows the group and its units', async () => {
      await page.goto('/feature-store');
      await page.getByTestId('fs-groups').getByText(GROUP).click();
      await page.getByTestId('fs-features').getByText('kW').first().waitFor();
      await shot('feature-store');
    });
    const NEW_GROUP = `${GROUP}_ui`;
    await step('a feature group with its features is created from the console', async () => {
      await page.goto('/feature-store');
      await page.getByTestId('group-new').click();
      const form = page.getByTestId('group-form');
      await form.getByTestId('group-name').fill('9bad');
      await form.getByText('Letters, digits and _, not starting with a digit', { exact: true }).first().waitFor();
      if (await page.getByTestId('group-submit').isEnabled()) throw new Error('a bad name can be submitted');
      await form.getByTestId('group-name').fill(NEW_GROUP);
      await form.getByTestId('feature-name-0').fill('power');
      await form.getByTestId('feature-unit-0').fill('kW');
      await form.getByTestId('feature-add').click();
      await form.getByTestId('feature-name-1').fill('power');
      await form.getByTestId('feature-problem-1').getByText('Two features have this name', { exact: true }).waitFor();
      await form.getByTestId('feature-name-1').fill('temp');
      await form.getByTestId('feature-unit-1').fill('degC');
      await shot('group-form');
      await page.getByTestId('group-submit').click();
      await page.getByTestId('fs-groups').getByText(NEW_GROUP, { exact: true }).click();
      await page.getByTestId('fs-features').getByText('degC', { exact: true }).waitFor();
    });
    await step('an HTTP-push source is created from the console', async () => {
      await page.goto('/sources');
      await page.getByTestId('source-new').click();
      const form = page.getByTestId('source-form');
      await form.getByTestId('source-name').fill(`push-${GROUP}`);
      await form.getByTestId('source-kind').selectOption('http');
      await form.getByTestId('source-group').selectOption(NEW_GROUP);
      await form.getByTestId('source-topic').fill('line/+/meter');
      await form.getByTestId('source-entity').fill('1');
      await form.getByTestId('map-field-0').fill('p');
      if (await page.getByTestId('source-submit').isEnabled()) throw new Error('a mapping without a feature can be submitted');
      await form.getByTestId('map-feature-0').selectOption('power');
      await page.getByTestId('source-submit').click();
      const card = page.getByTestId('source-card').filter({ hasText: `push-${GROUP}` });
      await card.getByText('HTTP · POST', { exact: false }).waitFor();
      await shot('source-created');
    });
    await step('a stream is stopped and started again from the console', async () => {
      const streams = page.getByTestId('streams');
      await streams.locator('tr', { hasText: DEPLOYMENT }).filter({ hasText: 'running' }).getByTestId('stream-stop').click();
      await streams.locator('tr', { hasText: DEPLOYMENT }).filter({ hasText: 'stopped' }).first().waitFor();
      await page.getByTestId('stream-new').click();
      const form = page.getByTestId('stream-form');
      const deployment = form.getByTestId('stream-deployment');
      const option = deployment.locator('option', { hasText: DEPLOYMENT });
      await deployment.selectOption(await option.getAttribute('value'));
      await form.getByTestId('stream-device').selectOption({ label: `meter-${GROUP}` });
      await form.getByTestId('stream-entity').fill('m1');
      await page.getByTestId('stream-submit').click();
      await streams.locator('tr', { hasText: DEPLOYMENT }).filter({ hasText: 'running' }).first().waitFor();
      await shot('stream-restarted');
    });
    await step('Chinese, and a phone', async () => {
      await page.goto('/feature-store');
      await page.getByTestId('fs-groups').waitFor();
      await page.getByTestId('lang-switch').getByText('中文').click();
      await page.getByText('特征组').first().waitFor();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`/live/${encodeURIComponent(DEPLOYMENT)}`);
      await page.getByTestId('live-chart').waitFor();
      await shot('live-phone-zh');
    });
  } catch {
    // reported below
  } finally {
    await browser.close();
  }
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
  if (errors.length) console.log(`page errors:\n  ${errors.join('\n  ')}`);
  process.exit(results.length === 8 && results.every((r) => r.ok) ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
