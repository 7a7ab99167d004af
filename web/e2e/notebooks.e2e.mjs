// End-to-end: the Notebooks pages in headless Chromium against the running stack.
// log in -> Notebooks -> create a notebook -> type a cell in the editor -> run it -> its
// output arrives over the socket -> the kernel state shows -> autosave makes a version ->
// the Chinese page and a phone-width view. Screenshots go to tests/e2e/screenshots/.
// The notebook is deleted afterwards. Exit 0 when every step passed.
//
// Environment: LOADSTAR_BASE_URL (default http://127.0.0.1:8080), LOADSTAR_E2E_USER /
// LOADSTAR_E2E_PASSWORD (admin / loadstar-admin), CHROMIUM_PATH (/usr/bin/chromium), E2E_SCREENSHOTS.
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
const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
const results = [];
let page;

function log(msg) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
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
      await page.screenshot({ path: join(SHOTS, `failed-notebooks-${name.replace(/\W+/g, '-')}.png`), fullPage: true });
    } catch {
      // the page itself is gone
    }
    throw err;
  }
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', baseURL: BASE });
  page = await context.newPage();
  let notebookId;
  try {
    await step('login', async () => {
      await page.goto('/login');
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((url) => url.pathname === '/'); // the home dashboard
    });

    await step('create a notebook', async () => {
      await page.getByTestId('nav-notebooks').click();
      await page.waitForURL('**/notebooks');
      await page.getByTestId('nb-name').fill(`e2e notebook ${stamp}`);
      await page.getByTestId('nb-create').click();
      await page.waitForURL(/\/notebooks\/nb-[0-9a-f]+$/);
      notebookId = page.url().split('/').pop();
      await page.getByTestId('nb-cell').first().waitFor();
    });

    await step('run a cell and see its output', async () => {
      await page.locator('.nb-cell .cm-content').first().click();
      await page.keyboard.type('print(6 * 7)');
      await page.getByTestId('nb-run-cell').first().click();
      await page.getByTestId('nb-outputs').first().getByText('42').waitFor({ timeout: 60_000 });
      await page.getByTestId('nb-kernel-state').getByText('Kernel idle').waitFor({ timeout: 30_000 });
      await page.getByText(/Saved as version [2-9]/).waitFor({ timeout: 30_000 });
      await page.getByTestId('nb-history').click();
      await page.getByTestId('nb-versions').waitFor();
      await shot('notebooks-editor');
    });

    await step('the list, in Chinese, and on a phone', async () => {
      await page.goto('/notebooks');
      await page.getByTestId('nb-table').getByText(`e2e notebook ${stamp}`).waitFor();
      await shot('notebooks-list');
      await page.getByTestId('lang-switch').getByText('中文').click();
      await page.getByText('新建笔记本').first().waitFor();
      await shot('notebooks-list-zh');
      await page.getByTestId('lang-switch').getByText('EN').click();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`/notebooks/${notebookId}`);
      await page.getByTestId('nb-outputs').first().getByText('42').waitFor();
      await shot('notebooks-editor-phone');
    });
  } finally {
    if (notebookId) {
      const login = await context.request.post('/api/auth/login', { data: { username: USER, password: PASSWORD } });
      const headers = { Authorization: `Bearer ${(await login.json()).accessToken}` };
      await context.request.delete(`/api/v2/notebooks/${notebookId}`, { headers }).catch(() => undefined);
    }
    await browser.close();
  }
}

main()
  .catch(() => undefined)
  .finally(() => {
    console.log('\nnotebooks e2e results');
    for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds.toFixed(1)} s)${r.error ? `: ${r.error}` : ''}`);
    process.exit(results.length === 4 && results.every((r) => r.ok) ? 0 : 1);
  });
