// The audit trail as an auditor uses it: filtered, exported as CSV and JSON, and checked; an
// edited export is caught and the broken record named. Real Chromium, release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { openApp, screenshot, useServedApp, waitForText } from './harness.mjs';

const app = useServedApp();

async function download(page, button, dir) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return path;
}

test('the audit trail is filtered, exported, verified, and an edited export is caught', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dojo-audit-'));
  const { page, errors } = await openApp(app.browser, app.server.url);
  // A person's decision among automation's: promote at the first pause, then the gate rolls back.
  await page.click('#next-decision');
  await waitForText(page, '#rollout-phase', /^Paused$/, 30_000);
  await page.click('#promote');
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.equal(await page.textContent('#audit-status'), 'Chain verified');
  const head = await page.getAttribute('#audit-head', 'title');

  await page.selectOption('#audit-who', 'people');
  const peopleRows = await page.locator('#audit-table tbody tr').allTextContents();
  assert.ok(peopleRows.length >= 1, 'the promotion is there');
  for (const row of peopleRows) assert.match(row, /trainee/);
  await page.selectOption('#audit-who', 'all');
  await page.fill('#audit-search', 'RolloutAborted');
  assert.equal(await page.locator('#audit-table tbody tr').count(), 1);
  assert.match(await page.textContent('#audit-table'), /\[rolled back\]/);
  await page.fill('#audit-search', '');

  const csvPath = await download(page, '#export-csv', dir);
  assert.match(csvPath, /audit-canary-bad-release-seed-\d+\.csv$/);
  const csv = await readFile(csvPath, 'utf8');
  assert.ok(csv.startsWith(`# deploy-dojo audit trail; schema 2; chain head ${head};`), csv.slice(0, 120));
  assert.match(csv.split('\n')[1], /^seq,tick_s,time_utc,actor,person,action,environment,version,commit_sha,branch,reason,outcome,prev_hash,hash$/);
  await page.setInputFiles('#verify-input', csvPath);
  await waitForText(page, '#verify-result', /verified, \d+ records, and its head is this run's$/);

  const jsonPath = await download(page, '#export-json', dir);
  const exported = JSON.parse(await readFile(jsonPath, 'utf8'));
  assert.equal(exported.schema_version, 2);
  assert.equal(exported.chain_head, head);
  assert.equal(exported.record_count, exported.records.length);
  await page.setInputFiles('#verify-input', jsonPath);
  await waitForText(page, '#verify-result', /\.json: verified/);

  // Someone edits one reason in the CSV: the check names the record.
  const lines = csv.split('\n');
  lines[4] = lines[4].replace(/Rollout|Scaled|Created|Traffic/, 'Nothing');
  const tampered = join(dir, 'tampered.csv');
  await writeFile(tampered, lines.join('\n'));
  await page.setInputFiles('#verify-input', tampered);
  await waitForText(page, '#verify-result', /^tampered\.csv: NOT VERIFIED: record 2 \(.*\): its hash does not match its contents: the record was edited$/);
  await screenshot(page, 'audit-tampered');

  // A record deleted from the JSON.
  exported.records.splice(1, 1);
  const deleted = join(dir, 'deleted.json');
  await writeFile(deleted, JSON.stringify(exported));
  await page.setInputFiles('#verify-input', deleted);
  await waitForText(page, '#verify-result', /NOT VERIFIED: the export says \d+ records but holds \d+/);
  assert.deepEqual(errors, []);
  await page.close();
});
