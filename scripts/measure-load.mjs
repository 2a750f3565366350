// Load time of the release build in Chromium: the median of 7 fresh page loads of the time to
// first contentful paint and to the lab library being on screen (#library), where a visitor lands. A measurement, not a
// test: run it after `trunk build --release` with `node scripts/measure-load.mjs`.
import { serveDist, launchBrowser } from '../tests/e2e/harness.mjs';
const server = await serveDist();
const browser = await launchBrowser();
const times = [];
for (let i = 0; i < 7; i++) {
  const context = await browser.newContext();
  const page = await context.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('#library');
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { ready: performance.now(), fcp: paint ? paint.startTime : -1, dcl: nav.domContentLoadedEventEnd };
  });
  times.push(t);
  await context.close();
}
const med = (k) => times.map((t) => t[k]).sort((a, b) => a - b)[3].toFixed(0);
console.log(`median of 7: #library visible ${med('ready')} ms, first contentful paint ${med('fcp')} ms, DOMContentLoaded ${med('dcl')} ms`);
await browser.close();
await server.close();
