import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, startPharosServer, type RunningServer } from '../support/server.ts';
import type { QuickstartSummary } from '../../src/cli/quickstart-command.ts';

/**
 * `pharos quickstart` (what `npm start` runs) against a fresh server, non-interactively: the real mlflow
 * client trains and registers, the served model answers, the monitor finds the drift the quickstart causes
 * (with accuracy equal to scikit-learn's on the same rows), and the canary ends promoted or rolled back
 * with a reason. A second run on the same data reuses the deployment and monitor with new versions.
 */
let server: RunningServer;

function quickstart(): Promise<QuickstartSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'quickstart', '--url', server.url, '--work-dir', join(server.dataDir, 'quickstart'), '--json'],
      { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`pharos quickstart exited with ${code}\n${err}\n${out.slice(-4000)}`));
      resolve(JSON.parse(out));
    });
  });
}

async function get(path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}

const failedSteps = (s: QuickstartSummary) => s.steps.filter((x) => x.status !== 'done').map((x) => `${x.id}: ${x.lines.at(-1)}`);

describe('pharos quickstart (npm start) runs the loop on a fresh server', { skip: !process.env.PHAROS_PYTHON && 'PHAROS_PYTHON not set' }, () => {
  before(async () => {
    server = await startPharosServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('train → deploy → predict → labels → monitor → drift → retrain → canary decision', async () => {
    const s = await quickstart();
    assert.deepEqual(failedSteps(s), []);

    // Registered by the mlflow client, alias on the version production serves.
    const model = await get(`/api/2.0/mlflow/registered-models/get?name=${s.model}`);
    assert.equal(s.training!.version, '1');
    assert.equal(s.retraining!.version, '2');
    const versions = await get(`/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name='${s.model}'`)}`);
    assert.deepEqual(versions.model_versions.map((v: any) => v.version).sort(), ['1', '2']);

    // Traffic went through both protocols without failures; the deployment still answers.
    assert.deepEqual(Object.fromEntries(Object.entries(s.traffic).map(([k, t]) => [k, t.failed])), { baseline: 0, drifted: 0, ...(s.traffic.after ? { after: 0 } : {}) });
    const d = (await get(`/api/v1/deployments/${s.deployment}`)).deployment;
    const records = [{ mean_radius: 13.2, mean_texture: 17.4, mean_smoothness: 0.072, mean_compactness: 0.045, mean_concavity: 0.043, mean_symmetry: 0.149 }];
    const inv = await fetch(`${server.url}/deployments/${s.deployment}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: records }) });
    assert.equal(inv.status, 200);
    assert.ok([0, 1].includes(((await inv.json()) as any).predictions[0].output_label));

    // Monitor runs recorded: the baseline is quiet; the drifted window alerts on the shifted columns, and its
    // realised accuracy is scikit-learn's accuracy of the deployed version on the same drifted rows.
    const baseline = s.monitorRuns.baseline;
    assert.equal(baseline.status, 'ok');
    assert.deepEqual(baseline.driftedColumns, []);
    const drifted = s.monitorRuns.drifted;
    assert.equal(drifted.status, 'alerting');
    assert.deepEqual(drifted.driftedColumns.sort(), ['mean_radius', 'mean_texture']);
    assert.equal(drifted.rows, s.traffic.drifted.rows);
    assert.ok(Math.abs(drifted.accuracy! - s.training!.driftedAccuracy) <= 1e-9, `monitor accuracy ${drifted.accuracy} vs sklearn ${s.training!.driftedAccuracy}`);
    assert.ok(drifted.alerts.some((a) => a.startsWith('feature-drift (fired)')));
    assert.equal(typeof drifted.estimatedAccuracy, 'number', 'CBPE estimate from the training reference');
    const history = await get(`/api/v1/monitors/${s.monitor}/runs`);
    assert.ok(history.runs.some((r: any) => r.id === drifted.id && r.status === 'alerting'));
    // The drifted window's report, with plots, as the quickstart's link shows it.
    const page = await fetch(`${server.url}/api/v1/monitor-runs/${drifted.id}/drift-report.html`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /mean_radius/);
    assert.match(html, /Dataset drift detected|No dataset drift/);

    // The canary ended with an automatic decision and its reason in the routing history.
    const rollout = s.rollout!;
    assert.ok(rollout.action === 'promote' || rollout.action === 'rollback', JSON.stringify(rollout));
    assert.match(rollout.reason, /^automatic: candidate /);
    const event = d.history.findLast((e: any) => e.action === rollout.action);
    assert.equal(event.reason, rollout.reason);
    assert.equal(d.candidate, null);
    if (rollout.action === 'promote') {
      assert.equal(d.stable.model_version, '2');
      assert.equal(model.registered_model.name, s.model);
      const champion = await get(`/api/2.0/mlflow/registered-models/alias?name=${s.model}&alias=champion`);
      assert.equal(champion.model_version.version, '2');
      // After the promotion the reference is version 2's training data: the recalibrated inputs are no drift.
      assert.deepEqual(s.monitorRuns.after.driftedColumns, []);
    } else {
      assert.equal(d.stable.model_version, '1');
    }
  });

  test('a second quickstart on the same data registers new versions and reuses the deployment and monitor', async () => {
    const s = await quickstart();
    assert.deepEqual(failedSteps(s), []);
    assert.equal(s.training!.version, '3');
    assert.equal(s.retraining!.version, '4');
    assert.match(s.steps.find((x) => x.id === 'deploy')!.lines[0], /^updated: serving models:\/breast-cancer@champion \(version 3\)/);
    assert.match(s.steps.find((x) => x.id === 'monitor')!.lines[0], /^updated monitor/);
    assert.equal(s.monitorRuns.drifted.status, 'alerting');
    const monitors = await get('/api/v1/monitors');
    assert.equal(monitors.monitors.length, 1);
    const history = await get(`/api/v1/monitors/${s.monitor}/runs`);
    assert.ok(history.runs.length >= 5, `runs of both quickstarts kept: ${history.runs.length}`);
  });
});
