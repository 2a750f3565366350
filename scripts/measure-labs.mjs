// Time to run each built-in lab to its end in Chromium, with its default choices: the library,
// the briefing, Start, then Run to end (sliced one frame at a time) until the lab is complete.
// Median of 3 per lab, with the longest task the page reported. A measurement, not a test: run
// it after `node scripts/build.mjs` with `node scripts/measure-labs.mjs` (`--dir OTHER` for another
// build). The longest task counts from opening the lab, so it includes starting it.
import { serveDist, launchBrowser } from '../tests/e2e/harness.mjs';
const dirIndex = process.argv.indexOf('--dir');
const server = await serveDist(dirIndex > 0 ? process.argv[dirIndex + 1] : undefined);
const browser = await launchBrowser();
const page0 = await browser.newPage();
await page0.goto(server.url);
await page0.waitForSelector('#library');
const ids = await page0.$$eval('.lab-card[id^="lab-"]', (cards) => cards.map((c) => c.id.slice(4)));
await page0.close();
for (const id of ids) {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext();
    const page = await context.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(server.url);
    await page.waitForSelector('#library');
    // The simulator's chunk has arrived, as it has for a learner who reads the library first:
    // this measures the lab, not the page's load (scripts/measure-load.mjs measures that).
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('/split_') || r.name.includes('_bg.wasm')));
    await page.evaluate(() => new Promise((done) => setTimeout(done, 200)));
    await page.evaluate(() => {
      window.longestTaskMs = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.longestTaskMs = Math.max(window.longestTaskMs, entry.duration);
      }).observe({ type: 'longtask' });
    });
    await page.click(`#lab-${id} .lab-open`);
    await page.click('#start-lab');
    await page.waitForSelector('#objectives-heading');
    const started = Date.now();
    await page.click('#run-to-end');
    await page.waitForSelector('#finished', { timeout: 120_000 });
    runs.push({ ms: Date.now() - started, longest: await page.evaluate(() => window.longestTaskMs) });
    await context.close();
  }
  runs.sort((a, b) => a.ms - b.ms);
  const worst = Math.max(...runs.map((r) => r.longest));
  console.log(`${id}: run to end in ${runs[1].ms} ms (median of 3), longest task ${runs[1].longest.toFixed(0)} ms (worst of the 3: ${worst.toFixed(0)} ms)`);
}
await browser.close();
await server.close();
