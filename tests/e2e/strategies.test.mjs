// Real manifests loaded into the app: a blue-green Rollout promoted by hand and rolled back by
// hand, a Kubernetes Deployment rolled out and undone, and a bad manifest refused with the
// field and the reason, all in real Chromium against the release build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { injectFault, openApp, screenshot, useServedApp, waitForText } from './harness.mjs';

const MANIFESTS = join(import.meta.dirname, '..', '..', 'engine', 'tests', 'manifests');
const app = useServedApp();

async function load(page, file) {
  await page.setInputFiles('#manifest-input', file);
}

test('a blue-green Rollout waits for promotion, switches at once, and can be rolled back by hand', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await load(page, join(MANIFESTS, 'rollout-bluegreen.yaml'));
  await waitForText(page, '#notice', /^Loaded rollout-bluegreen\.yaml: a Rollout\./);
  await waitForText(page, '#rollout-heading', /^Blue-green rollout$/);
  assert.equal(await page.inputValue('#scenario-select'), 'import:rollout-bluegreen');

  // Next decision: the preview is up and the rollout pauses at the promotion gate.
  await page.click('#next-decision');
  await waitForText(page, '#rollout-phase', /^Paused$/, 30_000);
  assert.match(await page.textContent('#notice'), /RolloutPaused/);
  assert.match(await page.textContent('.details'), /rollout-bluegreen-preview → blue-next/);
  assert.match(await page.textContent('#replica-sets'), /blue-next\s*2\s*2\s*2\s*1 %/);
  await screenshot(page, 'bluegreen-paused');

  // Promote: the active service switches in one step.
  await page.click('#promote');
  await page.click('#step');
  await page.click('#step');
  await waitForText(page, '#traffic-summary', /^blue-next 100 %$/);
  assert.match(await page.textContent('#audit-table'), /SwitchService/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /blue-next promoted: the active service switched to it in one step/);
  assert.equal(await page.textContent('#rollout-phase'), 'Healthy');
  await screenshot(page, 'bluegreen-promoted');

  // The same Rollout again, this time aborted by hand at the gate: blue stays active.
  await page.click('#reset');
  await waitForText(page, '#rollout-phase', /^Healthy$/);
  await page.click('#next-decision');
  await waitForText(page, '#rollout-phase', /^Paused$/, 30_000);
  await page.click('#abort');
  await waitForText(page, '#rollout-phase', /^Degraded$/);
  assert.match(await page.textContent('#rollout-banner'), /^Aborted: blue is active and serves all traffic/);
  assert.equal(await page.textContent('#traffic-summary'), 'blue 100 %');
  assert.match(await page.textContent('#audit-table'), /RolloutAborted/);
  await screenshot(page, 'bluegreen-aborted');
  assert.deepEqual(errors, [], 'no console errors');
  await page.close();
});

test('a Deployment rolls out within maxSurge and can be undone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dojo-'));
  const file = join(dir, 'web.yaml');
  await writeFile(file, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: example/web:v1
`);
  const { page, errors } = await openApp(app.browser, app.server.url);
  await load(page, file);
  await waitForText(page, '#rollout-heading', /^Deployment: rolling update$/);
  assert.match(await page.textContent('.details'), /maxSurge\s*1 \(1 pods\)/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /^v2 rolled out/);
  assert.match(await page.textContent('#audit-table'), /Scaled up replica set web-v2 from 0 to 1/);
  await screenshot(page, 'deployment-rolled-out');

  await page.click('#undo');
  await waitForText(page, '#audit-table', /Rolled back deployment "web" to revision 1/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /^Rolled back: v1 serves all traffic again/);
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad manifest is refused with the field and the reason, and the run goes on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dojo-'));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  strategy:
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: example/web:v1
`);
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.click('#step');
  await load(page, file);
  await waitForText(page, '#notice', /^bad\.yaml cannot be simulated: spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/);
  assert.equal(await page.inputValue('#scenario-select'), 'canary-bad-release', 'the run in progress is kept');
  assert.match(await page.textContent('.elapsed'), /T\+00:01/);
  await screenshot(page, 'manifest-refused');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Rollout loads with its Deployment and templates picked as three files, and one missing is named', async () => {
  const split = join(MANIFESTS, 'split');
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.setInputFiles('#manifest-input', [join(split, 'rollout.yaml'), join(split, 'deployment.yaml')]);
  await waitForText(page, '#notice', /^rollout\.yaml, deployment\.yaml cannot be simulated: .*no AnalysisTemplate of that name in rollout\.yaml, deployment\.yaml/);
  await page.setInputFiles('#manifest-input', ['rollout.yaml', 'deployment.yaml', 'templates.yaml'].map((f) => join(split, f)));
  await waitForText(page, '#notice', /^Loaded rollout\.yaml, deployment\.yaml, templates\.yaml: a Rollout\. How it is read: .*the pod template comes from Deployment payments/);
  assert.equal(await page.inputValue('#scenario-select'), 'import:payments');
  await screenshot(page, 'manifest-set-loaded');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Flagger Canary advances step by step and is promoted; a feature flag is turned on for everyone', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await load(page, join(MANIFESTS, 'flagger-podinfo.yaml'));
  await waitForText(page, '#rollout-heading', /^Flagger canary analysis$/);
  assert.match(await page.textContent('.details'), /Failed checks\s*0 of 5/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /^6\.0\.1 promoted: the primary now runs it\./);
  const audit = await page.textContent('#audit-table');
  for (const weight of [10, 20, 30, 40, 50]) {
    assert.match(audit, new RegExp(`Advance podinfo canary weight ${weight}`));
  }
  assert.equal(await page.locator('.step-done').count(), 6, 'five weights and the promotion');
  await screenshot(page, 'flagger-promoted');

  // An A/B test: only insiders and the canary cookie reach the canary, for ten iterations.
  await load(page, join(MANIFESTS, 'flagger-abtest.yaml'));
  await waitForText(page, '#rollout-heading', /^Flagger A\/B test$/);
  // At 60× an iteration takes a second of wall time; pause once a few have passed.
  await page.click('#play');
  await waitForText(page, '.details', /Iterations\s*[2-8] of 10/, 30_000);
  await page.click('#play');
  assert.match(await page.textContent('.details'), /Failed checks\s*0 of 10/);
  assert.match(await page.textContent('.details'), /Canary gets\s*header x-canary regex ".\*insider.\*" or cookie regex/);
  assert.equal(await page.textContent('#traffic-summary'), '6.0.0 90 %, 6.0.1 10 %');
  await screenshot(page, 'flagger-ab-test');
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /^6\.0\.1 promoted/);

  await page.selectOption('#scenario-select', 'feature-flag-rollout');
  await waitForText(page, '#rollout-heading', /^Feature flag rollout$/);
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  assert.match(await page.textContent('#rollout-banner'), /^new-checkout is on for every user: v3 is everyone's code path\./);
  assert.match(await page.textContent('.details'), /Users on\s*20000 of 20000/);
  await screenshot(page, 'feature-flag-on');
  assert.deepEqual(errors, []);
  await page.close();
});

test('CodeDeploy: a crashing in-place release fails and is rolled back by a new deployment; an ECS canary is stopped by hand', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'CodeDeployDefault.HalfAtATime');
  await waitForText(page, '#rollout-heading', /^CodeDeploy: CodeDeployDefault\.HalfAtATime$/);
  assert.equal(await page.inputValue('#scenario-select'), 'CodeDeployDefault.HalfAtATime');

  // The new revision's instances exit after start-up; the old one is left alone.
  await injectFault(page, { kind: 'crash on start', environment: 'production', service: 'app-ec2', version: 'v2', duration: 'until cleared' });
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  let rows = await page.locator('#codedeploy-deployments tbody tr').allTextContents();
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.match(rows[0], /^d-[0-9A-Z]{9}v1SucceededcodeDeployRollbackT\+/);
  assert.match(rows[1], /^d-[0-9A-Z]{9}v2FaileduserT\+/);
  const messages = await page.textContent('#codedeploy-messages');
  assert.match(messages, /Failed \(HEALTH_CONSTRAINTS\): 5 of 10 instances failed; CodeDeployDefault\.HalfAtATime needs 5 to succeed/);
  assert.match(messages, /Succeeded: the revision is on 10 of 10 instances/);
  assert.equal(await page.textContent('#traffic-summary'), 'v1 100 %');
  const audit = await page.textContent('#audit-table');
  for (const action of ['DeploymentStart', 'InstanceFailure', 'DeploymentFailure', 'DeploymentRollback', 'DeploymentSuccess']) {
    assert.match(audit, new RegExp(action));
  }
  await screenshot(page, 'codedeploy-rolled-back');

  // Traffic shifting: stopped by hand at 10 %, traffic goes back by a rollback deployment.
  await page.selectOption('#scenario-select', 'CodeDeployDefault.ECSCanary10Percent15Minutes');
  await waitForText(page, '#rollout-heading', /^CodeDeploy: CodeDeployDefault\.ECSCanary10Percent15Minutes$/);
  await page.click('#next-decision');
  await waitForText(page, '#rollout-phase', /^Paused$/, 30_000);
  assert.equal(await page.textContent('#abort'), 'Stop & roll back');
  await page.click('#abort');
  await page.click('#run-to-end');
  await page.waitForSelector('#finished', { timeout: 60_000 });
  rows = await page.locator('#codedeploy-deployments tbody tr').allTextContents();
  assert.equal(rows.length, 2, rows.join(' | '));
  assert.match(rows[0], /v1SucceededcodeDeployRollback/);
  assert.match(rows[1], /v2StoppeduserT\+/);
  assert.match(await page.textContent('#codedeploy-messages'), /Stopped \(DEPLOYMENT_STOPPED\): stopped by request/);
  assert.match(await page.textContent('#traffic-summary'), /^v1 100 %/);
  await screenshot(page, 'codedeploy-stopped');
  assert.deepEqual(errors, []);
  await page.close();
});
