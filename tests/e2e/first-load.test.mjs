// The first screen loads on its own: the library and a briefing come from the small first
// module while the simulator's chunk is still on its way, a learner faster than the network sees
// it loading, and a chunk that fails to arrive can be fetched again without losing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, useServedApp, violations } from './harness.mjs';

const app = useServedApp();
const CHUNK = /\/split_simulator-[0-9a-f]+\.wasm$/;

test('the library and a briefing work before the simulator arrives, and a start waits for it visibly', async () => {
  const { page, errors } = await newPage(app.browser, { width: 1366, height: 768 });
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(CHUNK, async (route) => {
    await held;
    await route.continue();
  });
  const chunkRequested = page.waitForRequest(CHUNK);
  await page.goto(app.server.url);
  await page.waitForSelector('#library');
  assert.match(await page.textContent('#lab-compliance-audit-trail'), /Compliance and audit trail/);

  // The briefing and its choices need no simulator.
  await page.click('#lab-compliance-audit-trail .lab-open');
  await page.waitForSelector('#briefing');
  await page.selectOption('#choice-reviewers', 'compliance-team');
  // The simulator was asked for just after the first paint, before anyone needed it.
  await chunkRequested;

  // Starting before the chunk has arrived shows that it is loading, then the lab.
  await page.click('#start-lab');
  await page.waitForSelector('#simulator-loading progress');
  assert.match(await page.textContent('#simulator-loading h1'), /Loading the simulator/);
  assert.deepEqual(await violations(page), [], 'loading screen');
  await screenshot(page, 'simulator-loading-laptop');
  release();
  await page.waitForSelector('#objectives-heading');
  assert.match(await page.textContent('.top-bar'), /Compliance and audit trail/);
  assert.deepEqual(errors, []);
});

test('a simulator that fails to arrive is explained, and trying again opens it', async () => {
  const { page, errors } = await newPage(app.browser);
  await page.route(CHUNK, (route) => route.abort('internetdisconnected'));
  await page.goto(app.server.url);
  await page.waitForSelector('#library');
  await page.click('text=Open the sandbox');
  await page.waitForSelector('#retry-simulator');
  assert.match(await page.textContent('#simulator-loading'), /could not be loaded.*check the network connection/s);
  await screenshot(page, 'simulator-failed-laptop');

  // Back to the labs keeps the learner where they were; the sandbox can be asked for again.
  await page.click('#simulator-loading .link-button');
  await page.waitForSelector('#library');
  await page.click('text=Open the sandbox');
  await page.waitForSelector('#retry-simulator');

  await page.unroute(CHUNK);
  await page.click('#retry-simulator');
  await page.waitForSelector('#play');
  assert.ok(
    errors.every((error) => /Failed to fetch|ERR_INTERNET_DISCONNECTED|TypeError/.test(error)),
    `only the failed fetches were reported: ${errors.join(' | ')}`,
  );
});
