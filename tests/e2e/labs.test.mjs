// Labs as a learner does them, in real Chromium against the release build: the library, the
// briefing and its choices, the objectives ticking live, a hint, the debrief with its what-if,
// saved progress across reloads and corruption, and a share link that replays the same run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { countCanvasPixels, newPage, openLibrary, screenshot, useServedApp, violations, waitForText } from './harness.mjs';

const app = useServedApp();

/** Plays the compliance lab with the compliance team and main only, revealing one hint. */
async function playCompliance(page) {
  await page.click('#lab-compliance-audit-trail .lab-open');
  await page.waitForSelector('#briefing');
  await page.selectOption('#choice-reviewers', 'compliance-team');
  await page.selectOption('#choice-branches', 'main-only');
  await page.click('#start-lab');
  await page.waitForSelector('#objectives-heading');
  // The rules are the learner's first command: that objective ticks at once.
  await waitForText(page, '#objective-rules-set .objective-text', /protection rules/);
  assert.equal(await page.getAttribute('#objective-rules-set', 'data-state'), 'met');
  assert.equal(await page.getAttribute('#objective-auditor-package', 'data-state'), 'pending');
  // A hint says what it costs before it is revealed, and the running score follows.
  assert.equal(await page.textContent('#reveal-hint'), 'Reveal a hint (−5 points)');
  await page.click('#reveal-hint');
  await waitForText(page, '.hints', /compliance team is carol and frank/);
  // The run plays to the decision points: eve's refused deployment, then carol's approval.
  await page.click('button:has-text("3600×")');
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#objective-feature-branch-refused')?.dataset.state === 'met', null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('#objective-approved-by-compliance')?.dataset.state === 'met', null, { timeout: 60_000 });
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#objective-feature-branch-refused .objective-why'), /feature\/quick-fix/);
}

test('the compliance lab: library, briefing, choices, objectives ticking, a hint, the debrief and its what-if', async () => {
  const { page, errors } = await openLibrary(app.browser, app.server.url);
  assert.match(await page.textContent('#lab-compliance-audit-trail'), /Compliance and audit trail/);
  assert.match(await page.textContent('#lab-compliance-audit-trail'), /Not started/);
  assert.deepEqual(await violations(page), [], 'library');
  await screenshot(page, 'lab-library-1366');

  await page.click('#lab-compliance-audit-trail .lab-open');
  await page.waitForSelector('#briefing');
  assert.match(await page.textContent('#briefing'), /Our auditors want to see who approved/);
  assert.deepEqual(await violations(page), [], 'briefing');
  await screenshot(page, 'lab-briefing-1366');
  await page.click('text=← All labs');
  await page.waitForSelector('#library');

  const started = Date.now();
  await playCompliance(page);
  const playedMs = Date.now() - started;
  await screenshot(page, 'lab-workspace-finished-1366');
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  assert.equal(await page.textContent('#score-total'), '95');
  assert.match(await page.textContent('#verdict'), /^Passed/);
  assert.match(await page.textContent('.breakdown'), /Hints revealed \(1\)−5/);
  const timeline = await page.textContent('.timeline');
  assert.match(timeline, /environment\.update_protection_rule/);
  assert.match(timeline, /Branch "feature\/quick-fix" is not allowed to deploy to production/);
  assert.match(timeline, /carol approved deploy-production/);
  assert.match(await page.textContent('.csm-card'), /approval\(s\) on record/);

  // The auditor's package: the trail as CSV, whose chain verifies in the sandbox's checker.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-audit-csv')]);
  const csv = await readFile(await download.path(), 'utf8');
  assert.match(csv, /workflows\.approve_workflow_job/);
  assert.match(csv, /environment\.update_protection_rule/);
  // The package verifies against this run's head; a tampered copy is caught where it was edited.
  await page.setInputFiles('#debrief-verify-input', { name: 'audit.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await waitForText(page, '#debrief-verify-result', /verified, \d+ records, and its head is this run's/);
  const tampered = csv.replace('carol approved', 'mallory approved');
  assert.notEqual(tampered, csv);
  await page.setInputFiles('#debrief-verify-input', { name: 'tampered.csv', mimeType: 'text/csv', buffer: Buffer.from(tampered) });
  await waitForText(page, '#debrief-verify-result', /tampered\.csv: NOT VERIFIED/);

  // What if there had been no protection rules? The same seed and commands, run to the end.
  await page.click('.what-if-variant:has-text("No protection rules")');
  await page.waitForSelector('#what-if-table');
  const whatIf = await page.textContent('#what-if-table');
  assert.match(whatIf, /Score\s*95\s*0/);
  assert.ok((await page.locator('#what-if-table tr.differs').count()) >= 2, 'the differences are highlighted');
  assert.deepEqual(await violations(page), [], 'debrief');
  await screenshot(page, 'lab-debrief-1366');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'lab-debrief-1920');
  assert.deepEqual(errors, []);
  console.log(`# the compliance lab played to its end in ${playedMs} ms of wall time at 3600×`);
  await page.close();
});

test('progress survives a reload and a corrupted value, and one lab can be reset', async () => {
  const { page, errors } = await openLibrary(app.browser, app.server.url);
  await playCompliance(page);
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  await page.reload();
  await page.waitForSelector('#library');
  await waitForText(page, '#lab-compliance-audit-trail', /Passed · best 95/);

  // A corrupted value: the app opens, says so once, and keeps the value under a backup key.
  await page.evaluate(() => localStorage.setItem('deploy-dojo.progress', '{"version":1,"state":{"labs":'));
  await page.reload();
  await page.waitForSelector('#library');
  await waitForText(page, '#notice', /could not be read \(it is not JSON/);
  assert.equal(await page.evaluate(() => localStorage.getItem('deploy-dojo.progress.unreadable')), '{"version":1,"state":{"labs":');
  assert.match(await page.textContent('#lab-compliance-audit-trail'), /Not started/);

  // Reset one lab: played again, then reset, it reads as not started and the reset is saved.
  await playCompliance(page);
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  await page.click('text=← All labs');
  await waitForText(page, '#lab-compliance-audit-trail', /Passed · best 95/);
  await page.click('#lab-compliance-audit-trail .link-button');
  await waitForText(page, '#lab-compliance-audit-trail', /Not started/);
  await page.reload();
  await page.waitForSelector('#library');
  assert.match(await page.textContent('#lab-compliance-audit-trail'), /Not started/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a share link replays the same run bit for bit; a broken link opens the library with why', async () => {
  const { page, errors } = await openLibrary(app.browser, app.server.url);
  await playCompliance(page);
  const head = (await page.getAttribute('#audit-head', 'title')) ?? '';
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  const link = await page.getAttribute('#share-link', 'href');
  assert.match(link, /^#run=[A-Za-z0-9_-]+$/);

  const shared = await newPage(app.browser);
  await shared.page.goto(`${app.server.url}${link}`);
  await shared.page.waitForSelector('#objectives-heading');
  await shared.page.click('#run-to-end');
  await shared.page.waitForSelector('#finished', { timeout: 60_000 });
  assert.equal((await shared.page.getAttribute('#audit-head', 'title')) ?? '', head, 'the same audit head');
  assert.ok(head.length > 0);

  const broken = await newPage(app.browser);
  await broken.page.goto(`${app.server.url}#run=not*base64`);
  await broken.page.waitForSelector('#library');
  await waitForText(broken.page, '#notice', /This link cannot be opened: the link is damaged at character 4/);
  assert.deepEqual([...errors, ...shared.errors, ...broken.errors], []);
  await Promise.all([page.close(), shared.page.close(), broken.page.close()]);
});

test('the zero-downtime lab: recreate without probes costs downtime; the what-if shows rolling with probes costs none', async () => {
  const { page, errors } = await openLibrary(app.browser, app.server.url);
  await page.click('#lab-zero-downtime .lab-open');
  await page.waitForSelector('#briefing');
  assert.match(await page.textContent('#briefing'), /99\.99 % uptime SLA/);
  // The defaults are the customer's situation today: recreate, no probe, no graceful shutdown.
  assert.equal(await page.inputValue('#choice-strategy'), 'recreate');
  await page.click('#start-lab');
  await page.waitForSelector('#objectives-heading');
  await page.click('#reveal-hint');
  await waitForText(page, '.hints', /Recreate has downtime by design/);
  await page.click('button:has-text("60×")');
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#objective-no-downtime')?.dataset.state === 'failed', null, { timeout: 60_000 });
  assert.match(await page.textContent('#objective-no-downtime .objective-why'), /ended early: downtime_s is \d+/);
  await page.click('#play');
  await screenshot(page, 'lab-zero-downtime-recreate-1366');
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  assert.match(await page.textContent('#verdict'), /^Not passed/);
  const numbers = await page.textContent('.key-numbers');
  assert.match(numbers, /Sessions lost1200/);
  await page.click('.what-if-variant:has-text("Rolling, probes and graceful shutdown")');
  await page.waitForSelector('#what-if-table');
  const table = await page.textContent('#what-if-table');
  assert.match(table, /Downtime\d+ s0 s/);
  assert.match(table, /Score\d+100/);
  // Both runs' error rate on one time axis: recreate's failures, and none for the rolling update.
  assert.match(await page.getAttribute('#what-if-chart-ours', 'aria-label'), /v/);
  assert.ok((await countCanvasPixels(page, '#what-if-chart-ours', '#b45309')) + (await countCanvasPixels(page, '#what-if-chart-ours', '#1d4ed8')) > 50, 'your run is drawn');
  assert.ok((await countCanvasPixels(page, '#what-if-chart-theirs', '#b45309')) + (await countCanvasPixels(page, '#what-if-chart-theirs', '#1d4ed8')) > 50, 'the variant is drawn');
  await screenshot(page, 'lab-zero-downtime-debrief-1366');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'lab-zero-downtime-debrief-1920');
  assert.deepEqual(errors, []);
  await page.close();
});

test('monthly to weekly: a quarter of releases, DORA side by side, and the canary catching the bad release', async () => {
  const { page, errors } = await openLibrary(app.browser, app.server.url);
  await page.click('#lab-monthly-to-weekly .lab-open');
  await page.waitForSelector('#briefing');
  await page.selectOption('#choice-cadence', 'weekly');
  await page.selectOption('#choice-approvers', 'one');
  await page.selectOption('#choice-soak', '24h');
  await page.selectOption('#choice-canary', 'yes');
  await page.click('#start-lab');
  await page.waitForSelector('#objectives-heading');
  await page.click('#reveal-hint');
  await waitForText(page, '.hints', /batch size/);
  // The release watched live is the quarter's bad one: the canary's gate rolls it back.
  await page.click('#next-decision');
  await waitForText(page, '#rollout-phase', 'Paused', 30_000);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.equal(await page.textContent('#rollout-phase'), 'Degraded');
  assert.equal(await page.getAttribute('#objective-blast-radius', 'data-state'), 'met');
  await page.click('#show-debrief');
  await page.waitForSelector('#debrief');
  assert.match(await page.textContent('#verdict'), /^Passed/);
  const numbers = await page.textContent('.key-numbers');
  assert.match(numbers, /Deployments a year52 \(High\)/);
  assert.match(await page.textContent('.breakdown'), /Trouble began at \d\d:\d\d: detected in 0 s, mitigated in \d+ s/);
  // The run's own chart is on the page (and on the printed summary): v1 and the bad v2.
  assert.ok((await countCanvasPixels(page, '#debrief-chart', '#b45309')) > 20, 'v2 drawn in the debrief');
  assert.match(await page.getAttribute('#debrief-chart', 'aria-label'), /v1/);
  await page.click('.what-if-variant:has-text("Monthly, five approvers, no canary")');
  await page.waitForSelector('#what-if-table');
  const table = await page.textContent('#what-if-table');
  assert.match(table, /Deployments a year52 \(High\)12 \(Medium\)/);
  assert.match(await page.textContent('.csm-card'), /52 deployments a year instead of about 12/);
  await screenshot(page, 'lab-monthly-to-weekly-debrief-1366');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'lab-monthly-to-weekly-debrief-1920');
  assert.deepEqual(errors, []);
  await page.close();
});
