// Where a lab's time goes in Chromium: a CPU profile (CDP, 100 µs sampling) of starting a lab and
// of running it to its end, with the long tasks each phase had and the functions that took the
// most of it (inclusive time, so `App` includes what it calls). A diagnosis, not a test.
//
//   node scripts/build.mjs --profiling && node scripts/profile-lab.mjs [LAB_ID] [--top N]
//
// A build without --profiling has no function names; the times are the same.
import { serveDist, launchBrowser } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const lab = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'monthly-to-weekly';
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;

const server = await serveDist();
const browser = await launchBrowser();
const context = await browser.newContext();
const page = await context.newPage({ viewport: { width: 1366, height: 768 } });
const cdp = await context.newCDPSession(page);
await page.goto(server.url);
await page.waitForSelector('#library');
await page.evaluate(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.longTasks.push(Math.round(entry.duration));
  }).observe({ type: 'longtask', buffered: false });
});
await page.click(`#lab-${lab} .lab-open`);
await page.waitForSelector('#start-lab');
// The chunk has arrived before the learner starts: this profiles the simulator, not the network.
await page.waitForFunction(() => performance.getEntriesByType('resource').some((r) => r.name.includes('split_')));
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });

async function profile(phase, action) {
  await page.evaluate(() => (window.longTasks = []));
  await cdp.send('Profiler.start');
  const started = Date.now();
  await action();
  const wall = Date.now() - started;
  // Long tasks are reported after they end; one more frame lets the last one arrive.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
  const { profile } = await cdp.send('Profiler.stop');
  const tasks = await page.evaluate(() => window.longTasks);
  report(phase, wall, tasks, profile);
}

function report(phase, wall, tasks, profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = byId.get(id).callFrame.functionName;
    if (name === '(idle)' || name === '(program)') return;
    busy += delta;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at).callFrame;
      const label = frame.functionName || `(anonymous ${frame.url.split('/').pop()}:${frame.lineNumber})`;
      if (label === '(root)' || seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + delta);
    }
  });
  console.log(`\n${phase}: ${wall} ms wall, ${busy.toFixed(0)} ms busy, long tasks [${tasks.join(', ')}] ms`);
  const rows = [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, ms] of rows) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${name.slice(0, 150)}`);
}

await profile('start the lab', async () => {
  await page.click('#start-lab');
  await page.waitForSelector('#objectives-heading');
});
await profile('run to the end', async () => {
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 120_000 });
});
await browser.close();
await server.close();
