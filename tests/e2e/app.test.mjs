// The app as a trainee uses it, in real Chromium against the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCanvasPixels, injectFault, openApp, screenshot, useServedApp, waitForText } from './harness.mjs';

// The version colours from src/view_model.rs.
const V1_BLUE = '#1d4ed8';
const V2_AMBER = '#b45309';
const THRESHOLD_RED = '#b91c1c';

const app = useServedApp();

test('a bad release is caught at 10 % and rolled back, visibly, to 100 % stable', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'canary-bad-release');
  assert.equal(await page.textContent('#rollout-phase'), 'Healthy');
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %');

  // At 10× the 30 s abort delay lasts 3 s of wall time: long enough to catch the rollback mid-way.
  await page.click('button:has-text("10×")');
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#rollout-phase')?.textContent === 'Degraded', null, { timeout: 60_000 });
  await page.click('#play');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');

  const banner = await page.textContent('#rollout-banner');
  assert.match(banner, /^v2 rolling back: all traffic is on v1\./);
  assert.match(banner, /> 5\.0 % threshold/);
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %, v2 0 %');
  assert.equal(await page.textContent('#actual-weight'), '0 %');
  assert.ok((await page.locator('.tile[data-version="v2"]').count()) >= 1, 'the canary instance is still there during the abort delay');
  await screenshot(page, 'bad-release-rolling-back');

  // Then to the end at the top speed.
  await page.click('button:has-text("3600×")');
  await page.click('#play');
  await page.waitForSelector('#finished', { timeout: 60_000 });

  const audit = await page.textContent('#audit-table');
  assert.match(audit, /RolloutAborted/);
  assert.match(audit, /AnalysisRunFailed/);
  assert.match(audit, /Traffic weight updated from 10 to 0/);
  assert.doesNotMatch(audit, /from 10 to 25/, 'the bad release never went past 10 %');
  assert.doesNotMatch(audit, /RolloutCompleted/);
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %, v2 0 %');
  assert.match(await page.textContent('#rollout-banner'), /^v2 rolled back: all traffic is on v1\./);
  assert.equal(await page.locator('.tile[data-version="v2"]').count(), 0, 'the canary is scaled down');
  assert.equal(await page.locator('.tile[data-version="v1"][data-state="ready"]').count(), 10);
  assert.match(await page.textContent('#audit-head'), /^[0-9a-f]{16}$/);

  // The chart is drawn: both versions' lines and the threshold are on the canvas.
  assert.ok((await countCanvasPixels(page, '#error-chart', V1_BLUE)) > 200, 'v1 line drawn');
  assert.ok((await countCanvasPixels(page, '#error-chart', V2_AMBER)) > 20, 'v2 line drawn');
  assert.ok((await countCanvasPixels(page, '#error-chart', THRESHOLD_RED)) > 100, 'threshold drawn');
  assert.match(await page.getAttribute('#error-chart', 'aria-label'), /v2 no longer serving/);

  await screenshot(page, 'bad-release-rolled-back');
  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

test('a healthy release is promoted to 100 %', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'canary-good-release');
  await page.click('#run-to-end');
  await page.waitForSelector('#finished');
  assert.equal(await page.textContent('#rollout-phase'), 'Healthy');
  assert.equal(await page.textContent('#traffic-summary'), 'v3 100 %');
  assert.match(await page.textContent('#rollout-banner'), /v3 promoted/);
  assert.equal(await page.locator('.tile[data-version="v3"][data-state="ready"]').count(), 10);
  assert.equal(await page.locator('.step-done').count(), 7);
  const audit = await page.textContent('#audit-table');
  for (const weights of ['0 to 10', '10 to 25', '25 to 50', '50 to 100']) {
    assert.match(audit, new RegExp(`Traffic weight updated from ${weights}`));
  }
  assert.match(audit, /RolloutCompleted/);
  await screenshot(page, 'good-release-promoted');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the keyboard drives the simulation', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await waitForText(page, '.elapsed', 'T+00:02');
  await page.keyboard.press('Space');
  await page.waitForSelector('#play[aria-pressed="true"]');
  await page.keyboard.press('Space');
  await page.waitForSelector('#play[aria-pressed="false"]');
  await page.keyboard.press('+');
  await page.waitForSelector('button.speed-button.selected:has-text("300×")');
  await page.keyboard.press('0');
  await waitForText(page, '.elapsed', 'T+00:00');
  // A trainee abort with nothing to abort is explained, not silently ignored.
  await page.keyboard.press('r');
  await waitForText(page, '#notice', /no rollout is in progress/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad seed is explained and the run keeps its seed', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.fill('#seed-input', 'twelve');
  await page.press('#seed-input', 'Tab');
  assert.match(await page.textContent('#seed-error'), /Seed "twelve" is not a whole number/);
  await page.fill('#seed-input', '42');
  await page.press('#seed-input', 'Tab');
  assert.equal(await page.locator('#seed-error').count(), 0);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished');
  assert.match(await page.textContent('#audit-table'), /RolloutAborted/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a fault injected live shows on the chart and in the audit trail, and can be cleared', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'canary-good-release');
  await injectFault(page, { kind: 'bad build', environment: 'production', service: 'checkout', duration: 'until cleared' });
  assert.equal(await page.locator('.fault-row.fault-active').count(), 1);
  assert.match(await page.textContent('#audit-table'), /FaultInjected/);

  // Forty simulated seconds at 3600× is a fraction of a second of wall time.
  await page.click('button:has-text("10×")');
  for (let i = 0; i < 40; i += 1) await page.keyboard.press('ArrowRight');
  await waitForText(page, '.elapsed', 'T+00:40');
  const summary = await page.getAttribute('#error-chart', 'aria-label');
  const v1Rate = Number(summary.match(/v1 ([0-9.]+) %/)[1]);
  assert.ok(v1Rate > 8, `v1 error rate on the chart is ${v1Rate} % with a 15 % bad build`);
  assert.ok((await countCanvasPixels(page, '#error-chart', V1_BLUE)) > 50, 'v1 line drawn');
  await screenshot(page, 'fault-injected');

  await page.click('.fault-row button:has-text("Clear")');
  assert.equal(await page.locator('.fault-row.fault-active').count(), 0);
  assert.match(await page.textContent('#audit-table'), /FaultCleared/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('next decision stops at the canary pause and a region outage shows in the environments table', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'canary-bad-release');
  await page.keyboard.press('n');
  await waitForText(page, '#notice', /Stopped at 01:2\d: RolloutPaused/);
  assert.equal(await page.textContent('#rollout-phase'), 'Paused');
  await page.click('#next-decision');
  await waitForText(page, '#notice', /AnalysisRunFailed/);

  const production = page.locator('#environments-table tr[data-environment="production"]');
  assert.match(await production.textContent(), /(\d+)\/\1 ready/, "all instances ready before the outage");
  await injectFault(page, { kind: 'region outage', environment: 'production' });
  // A full minute of outage, so the 60 s error rate is all outage.
  for (let i = 0; i < 61; i += 1) await page.keyboard.press('ArrowRight');
  await waitForText(page, '.elapsed', 'T+02:54');
  const row = await production.textContent();
  assert.match(row, /0\/\d+ ready/, row);
  assert.match(row, /100\.0 %/, 'every request fails: downtime');
  assert.match(row, /down/, 'the database is down with the region');
  assert.equal((await production.locator('td').nth(3).textContent()).trim(), '—', 'no latency when nothing was served');
  const usersHit = Number((await production.locator('td').nth(4).textContent()).trim());
  assert.ok(usersHit > 1000, `a minute of downtime reaches many of production's 20,000 users, got ${usersHit}`);
  assert.equal(await page.locator('.tile[data-state="ready"]').count(), 0);
  await screenshot(page, 'region-outage');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a day in production: the 24 h request chart shows the daily curve and p95 has its limit', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'production-day');
  await waitForText(page, '#briefing-heading', /^A day in production/);
  // A day of 20 services runs for more than half a second, so it shows how far it has come.
  // A mutation observer sees every value the bar takes, however busy the page is.
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      const bar = document.querySelector('#run-progress');
      if (bar) window.progressSeen.push(Number(bar.getAttribute('value')));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.length > 3, `the bar showed while the day ran: ${JSON.stringify(seen)}`);
  assert.ok(seen.every((p, i) => p >= 0 && p < 100 && (i === 0 || p >= seen[i - 1])), `it only grows: ${JSON.stringify(seen)}`);
  assert.equal(await page.locator('#run-progress').count(), 0, 'the bar goes when the run ends');
  await page.click('.segment:has-text("Requests/s")');
  await page.click('.segment:has-text("24 h")');
  assert.match(await page.textContent('#chart-heading'), /Requests\/s by version/);
  const summary = await page.getAttribute('#error-chart', 'aria-label');
  assert.match(summary, /Requests\/s per version, per minute, over the last 24 h/);
  assert.doesNotMatch(summary, /Threshold/, 'requests have no threshold');
  assert.ok((await countCanvasPixels(page, '#error-chart', '#6d28d9')) > 100, 'the v3 line (released at 10:00) is drawn');
  await screenshot(page, 'production-day-requests');

  await page.click('.segment:has-text("p95 latency")');
  assert.match(await page.getAttribute('#error-chart', 'aria-label'), /Threshold: p95 limit 2,000 ms, far above every line/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('rapid clicking and key mashing leave a working app and an intact audit trail', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'canary-bad-release');
  for (let i = 0; i < 20; i += 1) {
    await page.click('#play');
    await page.click('#step');
    await page.click('#inject-fault');
    await page.click(`button.speed-button >> nth=${i % 6}`);
  }
  for (const key of ['n', 'Space', 'ArrowRight', '+', '-', 'r', 'a', 'e', 'n', 'Space']) await page.keyboard.press(key);
  await waitForText(page, '#audit-table', /FaultInjected/);
  // Still fully usable: reset, then the canonical story plays out as always.
  await page.keyboard.press('0');
  await waitForText(page, '.elapsed', 'T+00:00');
  await page.click('#run-to-end');
  await page.waitForSelector('#finished');
  assert.match(await page.textContent('#audit-table'), /RolloutAborted/);
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %, v2 0 %');
  assert.deepEqual(errors, [], 'no console errors or panics');
  await page.close();
});
