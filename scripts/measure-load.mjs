// Load of a release build in Chromium, as a visitor lands: the median of 7 fresh page loads of
// the time to first contentful paint and to the lab library being on screen and answering
// (#library), the bytes fetched until then (compressed, as sent), and when the simulator is ready
// (its chunk has arrived; in a build without a split, when the library is). A measurement, not a test.
//
//   node scripts/measure-load.mjs                  # dist/, from localhost
//   node scripts/measure-load.mjs --throttle       # Chromium's network at 4 Mbps down, 20 ms
//   node scripts/measure-load.mjs --dir OTHER      # another build, to compare side by side
//
// The server sends the build's .br copies when they are there (see tests/e2e/harness.mjs).
import { serveDist, launchBrowser } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const dirIndex = args.indexOf('--dir');
const dir = dirIndex >= 0 ? args[dirIndex + 1] : undefined;
const throttle = args.includes('--throttle');

const server = await serveDist(dir);
const browser = await launchBrowser();
const loads = [];
for (let i = 0; i < 7; i++) {
  const context = await browser.newContext();
  const page = await context.newPage({ viewport: { width: 1366, height: 900 } });
  if (throttle) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: (4 * 1000 * 1000) / 8,
      uploadThroughput: (4 * 1000 * 1000) / 8,
    });
  }
  // The moment #library appears, taken in the page, not when the test's next poll sees it.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('#library')) {
        window.libraryShownMs = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(server.url);
  await page.waitForSelector('#library');
  await page.waitForFunction(() => window.libraryShownMs !== undefined);
  const load = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource');
    const firstLoad = resources.filter((r) => !r.name.includes('/split_'));
    const bytes = nav.transferSize + firstLoad.reduce((sum, r) => sum + r.transferSize, 0);
    return { ready: window.libraryShownMs, fcp: paint ? paint.startTime : -1, bytes };
  });
  // A split build fetches the simulator's chunk after the first paint: when it has arrived, a
  // lab can start without waiting.
  const split = await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/wasm-split-')));
  if (split) {
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/split_')), null, { timeout: 60_000 });
    load.simulator = await page.evaluate(() => performance.getEntriesByType('resource').find((r) => r.name.includes('/split_')).responseEnd);
  } else {
    load.simulator = load.ready;
  }
  loads.push(load);
  await context.close();
}
const median = (key) => loads.map((l) => l[key]).sort((a, b) => a - b)[3];
console.log(
  `${dir ?? 'dist'}${throttle ? ' at 4 Mbps / 20 ms' : ' from localhost'}, median of 7: ` +
    `#library visible ${median('ready').toFixed(0)} ms, first contentful paint ${median('fcp').toFixed(0)} ms, ` +
    `${(median('bytes') / 1024).toFixed(1)} KiB fetched; simulator chunk fetched ${median('simulator').toFixed(0)} ms`,
);
await browser.close();
await server.close();
