// Shared set-up for the browser tests: a static server for dist/ on 127.0.0.1 and Debian's
// Chromium driven by playwright-core. Every page collects console errors so tests can assert
// there were none.
import { readFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { serveDist } from '../../scripts/serve-dist.mjs';

export { serveDist };

const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'target', 'e2e-screenshots');

/** Launches Debian's Chromium with the flags this machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's WCAG 2.2 A/AA violations on the page as it stands, one line each. */
export async function violations(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_TAGS);
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes[0]?.target})`);
}

/** A laptop-sized page whose `errors` collects console errors and page errors. */
export async function newPage(browser, viewport = { width: 1366, height: 900 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return { page, errors };
}

/** Opens the sandbox (free play) through its link, in a laptop-sized page. */
export async function openApp(browser, url, viewport = { width: 1366, height: 900 }) {
  const { page, errors } = await newPage(browser, viewport);
  await page.goto(`${url}#sandbox`);
  await page.waitForSelector('#play');
  return { page, errors };
}

/** Opens the app where a visitor lands: the lab library. */
export async function openLibrary(browser, url, viewport = { width: 1366, height: 768 }) {
  const { page, errors } = await newPage(browser, viewport);
  await page.goto(url);
  await page.waitForSelector('#library');
  return { page, errors };
}

/** Saves a full-page screenshot under target/e2e-screenshots/. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Injects a fault through the fault console as a person does: the kind by its label, then the
 * environment, service, version and duration when given (else the console's defaults).
 */
export async function injectFault(page, { kind, environment, service, version, duration }) {
  await page.selectOption('#fault-kind', { label: kind });
  if (environment) await page.selectOption('#fault-environment', environment);
  if (service) await page.selectOption('#fault-service', service);
  if (version) await page.selectOption('#fault-version', version);
  if (duration) await page.selectOption('#fault-duration', { label: duration });
  await page.click('#inject-fault');
}

/** Counts canvas pixels close to an `#rrggbb` colour. */
export async function countCanvasPixels(page, selector, hex) {
  return page.evaluate(
    ({ selector, hex }) => {
      const canvas = document.querySelector(selector);
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const target = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const distance = Math.abs(data[i] - target[0]) + Math.abs(data[i + 1] - target[1]) + Math.abs(data[i + 2] - target[2]);
        if (data[i + 3] > 200 && distance < 60) count += 1;
      }
      return count;
    },
    { selector, hex },
  );
}

/**
 * Waits until the text of `selector` matches `pattern` (a RegExp or exact string) and returns it.
 * Yew renders after the event that caused the change, so reads right after a key press must wait
 * for the condition; this is not a sleep, it resolves as soon as the page shows the text.
 */
export async function waitForText(page, selector, pattern, timeout = 10_000) {
  const source = pattern instanceof RegExp ? pattern.source : null;
  const flags = pattern instanceof RegExp ? pattern.flags : '';
  const exact = pattern instanceof RegExp ? null : pattern;
  try {
    await page.waitForFunction(
      ({ selector, source, flags, exact }) => {
        const text = document.querySelector(selector)?.textContent ?? '';
        return exact !== null ? text === exact : new RegExp(source, flags).test(text);
      },
      { selector, source, flags, exact },
      { timeout },
    );
  } catch (error) {
    const actual = await page.textContent(selector).catch(() => '(missing)');
    throw new Error(`${selector} never showed ${pattern}; it shows ${JSON.stringify(actual)}`);
  }
  return page.textContent(selector);
}

/**
 * Registers before/after hooks that serve dist/ and launch Chromium once per test file, and
 * returns an object whose `server` and `browser` are set while the tests run.
 */
export function useServedApp() {
  const context = { server: null, browser: null };
  before(async () => {
    context.server = await serveDist();
    context.browser = await launchBrowser();
  });
  after(async () => {
    await context.browser?.close();
    await context.server?.close();
  });
  return context;
}
