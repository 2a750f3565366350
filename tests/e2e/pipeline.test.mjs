// The pipeline as a reviewer, an on-call engineer and an auditor use it: approve a production
// deployment, watch an alert fire and acknowledge it, export the audit trail and verify it;
// and a deployment freeze that only an emergency override with a written reason gets past.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { injectFault, openApp, screenshot, useServedApp, waitForText } from './harness.mjs';

const app = useServedApp();

test('a reviewer approves production, an alert fires and is acknowledged, and the exported trail verifies', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'pipeline-release');
  await waitForText(page, '#pipeline-title', /^Complete CI\/CD Pipeline · no run yet$/);
  assert.match(await page.textContent('#window-badge'), /Deployment window open/);
  assert.match(await page.textContent('#budget-policy'), /^GREEN$/);
  assert.match(await page.textContent('#latency-verdict'), /^MET$/);
  assert.equal(await page.locator('#slo-table tbody tr').count(), 4);
  assert.equal(await page.locator('#slo-table tbody tr:has-text("PASS")').count(), 4);
  assert.match(await page.textContent('#latency-text'), /^\d+\.\d % of [\d.]+( k| M)? answered requests under 2 s \(target 95\.0 %: p95 under 2 s\) · 0 slow · p95 now \d+ ms$/);

  // Next decision: every job up to production runs, then production waits for a reviewer.
  await page.click('#next-decision');
  await waitForText(page, '#review-dialog', /Review deployments: production/, 30_000);
  assert.match(await page.textContent('#job-graph'), /Deploy to production\s*Waiting/);
  assert.match(await page.textContent('#job-graph'), /Migrate production database\s*Success/);
  // The environment's URL from the workflow is on the job.
  assert.match(await page.textContent('[data-job="deploy-production"]'), /production\s*https:\/\/app\.example\.com/);
  const reviewers = await page.locator('#review-as option').allTextContents();
  assert.deepEqual(reviewers, ['alice', 'bob', 'root']);
  await page.selectOption('#review-as', 'bob');
  await page.fill('#review-comment', 'Smoke tests green on staging');
  await screenshot(page, 'pipeline-review');
  await page.click('#approve-deployment');
  await waitForText(page, '#job-graph', /Deploy to production\s*Deploying/);
  assert.match(await page.textContent('#audit-table'), /workflows\.approve_workflow_job[\s\S]*bob approved deploy-production of run #1 for production: "Smoke tests green on staging"/);

  // A bad build in production: the error-rate alert fires after its minute.
  await injectFault(page, { kind: 'bad build', environment: 'production', duration: 'until cleared' });
  await page.click('#play');
  // The budget's fast-burn page comes first; the error-rate rule waits its minute.
  await waitForText(page, '#alerts-summary', /^\d+ firing$/, 30_000);
  await waitForText(page, '#alert-feed', /HighErrorRate/, 30_000);
  await page.click('#play');
  const feed = await page.textContent('#alert-feed');
  assert.match(feed, /Slack #deploys/);
  assert.match(feed, /\[CRITICAL\] HighErrorRate in production: error rate \d+\.\d % over the last minute \(threshold 5\.0 %\) for 1 min\. Runbook: incident runbook \(002 appendix H\): step 2/);
  // The course's SLO dashboard: a 15 % error rate breaks the run's error rate objective.
  assert.match(await page.textContent('#slo-table tbody tr:has-text("error rate")'), /≤ 1\.0 %\s*\d+\.\d{3} %\s*FAIL\s*[\d,]+ of [\d,]+ requests failed$/);
  await page.click('#incidents .incident-firing:has-text("HighErrorRate") button.ack');
  await waitForText(page, '#incidents', /acknowledged by trainee/);
  assert.match(await page.textContent('#audit-table'), /alert\.acknowledged/);
  await screenshot(page, 'pipeline-alert');

  // The auditor's report names who triggered and who approved production.
  await page.click('#auditor-report summary');
  const auditor = await page.textContent('#auditor-report');
  assert.match(auditor, /Triggered by dana \(push of main, commit e5f2a18\)/);
  assert.match(auditor, /Review: approved by bob at 2026-03-10T\d\d:\d\d:\d\dZ: "Smoke tests green on staging"/);
  assert.match(auditor, /Checks passed: deploy-staging, integration-tests, migrate-production, quality-gate, smoke-tests, unit-tests, validate/);

  // Secrets are listed without their values; rotating one is audited, masked.
  await page.click('#secrets-config summary');
  assert.match(await page.textContent('#secrets-table'), /PROD_ENDPOINT\s*production\s*v1, expires 2026-06-08/);
  assert.doesNotMatch(await page.textContent('body'), /api\.internal\.example\.com|sk-live-/);
  assert.match(await page.textContent('#config-table'), /ai\.model\s*gpt-4\s*production/);
  await page.click('#secrets-table tr:has-text("PROD_ENDPOINT") button');
  await waitForText(page, '#secrets-table', /PROD_ENDPOINT\s*production\s*v2/);
  assert.match(await page.textContent('#audit-table'), /environment\.update_actions_secret/);

  // The auditor's export verifies.
  const dir = await mkdtemp(join(tmpdir(), 'dojo-pipeline-'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  await page.setInputFiles('#verify-input', path);
  await waitForText(page, '#verify-result', /verified, \d+ records, and its head is this run's$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a red error budget freezes production; an emergency override needs a reason and is flagged', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'pipeline-budget-freeze');
  await waitForText(page, '#budget-policy', /^RED$/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#job-graph'), /Deploy to production\s*Failure\s*production\s*https:\/\/app\.example\.com\s*Deployment freeze: the error budget policy is red/);
  assert.match(await page.textContent('#run-conclusion'), /Run failure/);

  await page.click('#run-form summary');
  // The workflow's dispatch inputs are in the form.
  assert.deepEqual(await page.locator('#input-environment option').allTextContents(), ['staging', 'production']);
  await page.selectOption('#input-environment', 'staging');
  await page.click('#run-emergency');
  await waitForText(page, '#notice', /an emergency override needs a written reason/);
  await page.fill('#emergency-reason', 'Card payments fail for every customer');
  await page.check('#skip-tests');
  await page.click('#run-emergency');
  await waitForText(page, '#override-flag', /^EMERGENCY OVERRIDE \(tests skipped\): Card payments fail for every customer$/);
  assert.match(await page.textContent('#audit-table'), /by trainee with inputs environment=staging, reason=Card payments fail for every customer, skip_tests=true; EMERGENCY OVERRIDE/);
  await page.click('#next-decision');
  await waitForText(page, '#review-dialog', /Review deployments: production/, 30_000);
  assert.match(await page.textContent('#job-graph'), /Unit tests\s*Skipped/);
  await screenshot(page, 'pipeline-emergency');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an administrator changes production protection rules; the next deployment follows them and its statuses are listed', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'pipeline-release');
  await page.click('#environments-panel summary');
  const production = page.locator('.environment-rules[data-environment="production"]');
  assert.match(await production.textContent(), /Required reviewers\s*alice, bob \(one approval is enough\)/);
  assert.match(await page.textContent('#rules-production-active'), /^v1, deployed before this scenario began$/);

  // Clearing the reviewers while self-review is still prevented: GitHub's objection.
  await page.fill('#rules-production-reviewers', '');
  await page.click('#rules-production-save');
  await waitForText(page, '#notice', /Required reviewers must have at least one reviewer to set prevent_self_review/);
  // A wait timer that is not a number is named in the form itself.
  await page.uncheck('#rules-production-self-review');
  await page.fill('#rules-production-wait', '');
  await page.click('#rules-production-save');
  await waitForText(page, '.environment-rules[data-environment="production"] [role="alert"]', /the wait timer must be a whole number of minutes/);
  await page.fill('#rules-production-wait', '5');
  await page.click('#rules-production-save');
  await waitForText(page, '.environment-rules[data-environment="production"] .rule-lines', /Wait timer\s*5 min/);
  assert.match(await page.textContent('#audit-table'), /environment\.update_protection_rule[\s\S]*trainee changed the protection rules of production: required reviewers alice, bob → none; prevent self-review on → off; wait timer 0 → 5 min/);
  await screenshot(page, 'protection-rules');

  // No review now: the deployment waits its five minutes and goes ahead.
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.doesNotMatch(await page.textContent('#audit-table'), /approve_workflow_job/);
  assert.match(await page.textContent('#rules-production-active'), /^v3 \(commit e5f2a18\) since \d\d:\d\d:\d\d$/);
  const history = await page.locator('#rules-production-history li').allTextContents();
  assert.match(history[1], /in progress\s*run #1 deploy-production: state in_progress/);
  assert.match(history[0], /success\s*run #1 deploy-production: state success/);
  assert.ok(history.some((line) => /waiting\s*run #1: deploy-production is waiting: Waiting: the wait timer of production ends in 5 min/.test(line)), history.join('\n'));
  assert.match(await page.textContent('#rules-staging-active'), /^v3 \(commit e5f2a18\)/);
  await screenshot(page, 'protection-rules-deployed');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an instructor moves the close of business hours; the window badge and the audit trail follow', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'pipeline-release');
  await waitForText(page, '#window-badge', /Deployment window open/);
  await page.click('#environments-panel summary');
  assert.match(await page.textContent('#window-hours'), /^Mon–Fri 09:00–18:00 UTC$/);
  // Closing before opening is refused in the engine's words.
  await page.fill('#window-end', '08:00');
  await page.dispatchEvent('#window-end', 'change');
  await page.click('#window-save');
  await waitForText(page, '#notice', /the hours must start before they end within one day, not 09:00–08:00/);
  // The scenario's clock says 14:00 on a Tuesday: closing at 12:00 closes the window now.
  await page.fill('#window-end', '12:00');
  await page.dispatchEvent('#window-end', 'change');
  await page.uncheck('#window-day-fri');
  await page.click('#window-save');
  await waitForText(page, '#window-hours', /^Mon–Thu 09:00–12:00 UTC$/);
  await waitForText(page, '#window-badge', /Deployment window closed/);
  assert.match(await page.textContent('#audit-table'), /deployment_window\.update[\s\S]*trainee changed the business hours of production: Mon–Fri 09:00–18:00 UTC → Mon–Thu 09:00–12:00 UTC/);
  await screenshot(page, 'deployment-window');
  assert.deepEqual(errors, []);
  await page.close();
});

test('with queue: max, manual runs wait in line for their concurrency group and the card says where', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  const dir = await mkdtemp(join(tmpdir(), 'dojo-queue-'));
  const file = join(dir, 'serial-deploys.yml');
  await writeFile(file, [
    'name: Serial deploys',
    'on:',
    '  workflow_dispatch:',
    'concurrency:',
    '  group: deploy',
    '  queue: max',
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    environment: staging',
    '    steps:',
    '      - run: ./deploy.sh',
    '',
  ].join('\n'));
  await page.setInputFiles('#manifest-input', file);
  await waitForText(page, '#pipeline-title', /Serial deploys/);
  await page.click('#run-form summary');
  for (let i = 0; i < 3; i += 1) await page.click('#run-workflow');
  await waitForText(page, '#queue-note', /^Run #3 waits for concurrency group 'deploy': 2nd of 2 in line; run #1 is running$/);
  assert.match(await page.textContent('[data-job="deploy"]'), /the run waits for concurrency group 'deploy'/);
  assert.doesNotMatch(await page.textContent('#audit-table'), /cancel_workflow_run/);
  await screenshot(page, 'pipeline-queue');
  assert.deepEqual(errors, []);
  await page.close();
});
