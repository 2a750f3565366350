// WCAG 2.2 A/AA checks with axe-core in the states a trainee sees: idle, mid-rollback, after a
// fault. A clean axe run is necessary, not sufficient: keyboard flow is covered in app.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectFault, openApp, useServedApp, violations, waitForText } from './harness.mjs';

const app = useServedApp();

test('no WCAG A/AA violations at rest, after a rollback, and with a fault active', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  assert.deepEqual(await violations(page), [], 'idle');

  await page.keyboard.press('n');
  await waitForText(page, '#rollout-phase', 'Paused');
  await page.keyboard.press('n');
  await waitForText(page, '#rollout-phase', 'Degraded');
  assert.deepEqual(await violations(page), [], 'after the rollback');

  await injectFault(page, { kind: 'cache outage' });
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
  await waitForText(page, '#audit-table', /FaultInjected/);
  assert.deepEqual(await violations(page), [], 'with a fault active');
  assert.deepEqual(errors, []);
  await page.close();
});

test('no WCAG A/AA violations in the pipeline: a review waiting, details open, an alert firing', async () => {
  const { page, errors } = await openApp(app.browser, app.server.url);
  await page.selectOption('#scenario-select', 'pipeline-release');
  await page.click('#next-decision');
  await waitForText(page, '#review-dialog', /Review deployments/, 30_000);
  await page.click('#secrets-config summary');
  await page.click('#run-form summary');
  await page.click('#environments-panel summary');
  assert.deepEqual(await violations(page), [], 'review waiting');
  await injectFault(page, { kind: 'bad build', environment: 'production', duration: 'until cleared' });
  await page.click('#play');
  await waitForText(page, '#alerts-summary', /^\d+ firing$/, 30_000);
  await page.click('#play');
  assert.deepEqual(await violations(page), [], 'alert firing');
  assert.deepEqual(errors, []);
  await page.close();
});
