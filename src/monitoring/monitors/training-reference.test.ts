import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPharos, type Pharos } from '../../app.ts';
import { lineageTrainingReference, localDatasetPath } from './training-reference.ts';
import type { InferenceWindowQuery, LoggedInference } from './types.ts';

describe('training reference from model lineage', () => {
  let pharos: Pharos;
  const dir = mkdtempSync(join(tmpdir(), 'pharos-lineage-'));
  before(async () => {
    pharos = await createPharos({ dataDir: dir });
  });
  after(async () => pharos.close());

  test('deployment → model version → run → training dataset input → file rows; then a monitor uses it by default', async () => {
    const csv = join(dir, 'train.csv');
    writeFileSync(csv, 'tenure,plan,label\n' + Array.from({ length: 200 }, (_, i) => `${i % 50},${i % 3 ? 'basic' : 'pro'},${i % 2}`).join('\n') + '\n');
    const experimentId = await pharos.tracking.createExperiment('churn');
    const run = await pharos.tracking.createRun({ experimentId });
    const runId = run.info.run_id;
    await pharos.tracking.logInputs(runId, {
      datasets: [
        { tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset: { name: 'holdout', digest: 'aaa', source_type: 'local', source: JSON.stringify({ uri: '/nonexistent/eval.csv' }) } },
        { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'train', digest: 'bbb', source_type: 'local', source: JSON.stringify({ uri: pathToFileURL(csv).href }) } },
      ],
    });
    await pharos.registry.createRegisteredModel({ name: 'churn' });
    const mv = await pharos.registry.createModelVersion({ name: 'churn', source: `runs:/${runId}/model`, runId });

    // Serving's deployment lookup: only which model version the deployment serves matters here.
    const served = { getDeployment: async (name: string) => ({ stable: { modelName: name === 'churn-prod' ? 'churn' : null, modelVersion: name === 'churn-prod' ? String(mv.version) : null } }) };
    const resolver = lineageTrainingReference({ serving: served, registry: pharos.registry, tracking: pharos.tracking });
    const ref = await resolver.resolve('churn-prod');
    assert.equal(ref.rows.length, 200);
    assert.deepEqual(ref.rows[1], { tenure: 1, plan: 'basic', label: 1 });
    assert.match(ref.source, /training dataset train@bbb of churn v1/);
    await assert.rejects(resolver.resolve('other'), /does not serve a registered model version/);
    assert.equal((await resolver.resolve('churn-prod')).rows, ref.rows, 'an unchanged file is not read again');
    writeFileSync(csv, 'tenure,plan,label\n7,pro,0\n');
    assert.deepEqual((await resolver.resolve('churn-prod')).rows, [{ tenure: 7, plan: 'pro', label: 0 }], 'a changed file is');
    writeFileSync(csv, 'tenure,plan,label\n' + Array.from({ length: 200 }, (_, i) => `${i % 50},${i % 3 ? 'basic' : 'pro'},${i % 2}`).join('\n') + '\n');

    const rows: LoggedInference[] = Array.from({ length: 100 }, (_, i) => ({ requestId: `r${i}`, deployment: 'churn-prod', features: { tenure: 40 + (i % 30), plan: i % 2 ? 'basic' : 'enterprise' }, prediction: i % 2, latencyMs: 3, timestamp: 1000 + i }));
    pharos.monitoring.configure({ training: resolver, inferenceLog: { read: async (q: InferenceWindowQuery) => rows.filter((r) => r.deployment === q.deployment).slice(-(q.last ?? 100)) } });
    const m = await pharos.monitoring.createMonitor({ name: 'churn-training-ref', deployment: 'churn-prod', spec: { task: 'binary', reference: { type: 'training' }, window: { type: 'count', size: 100 }, alerts: [] } });
    const result = await pharos.monitoring.runMonitor(m.id);
    assert.equal(result.status, 'ok', result.error ?? '');
    assert.equal(result.results!.reference.rows, 200);
    assert.deepEqual(result.results!.featureDrift!.columns.map((c) => [c.column, c.drifted]), [['tenure', true], ['plan', true]], 'the label column is not a feature');
    assert.deepEqual(result.results!.dataQuality!.plan.newCategories, ['enterprise']);
  });

  test('dataset sources: local paths and file URLs are readable, remote ones are not', () => {
    assert.equal(localDatasetPath(JSON.stringify({ uri: '/data/train.parquet' })), '/data/train.parquet');
    assert.equal(localDatasetPath(JSON.stringify({ uri: 'file:///data/t.csv' })), '/data/t.csv');
    assert.equal(localDatasetPath(JSON.stringify({ url: 'https://example.com/t.csv' })), null);
    assert.equal(localDatasetPath(JSON.stringify({ uri: 's3://bucket/t.csv' })), null);
    assert.equal(localDatasetPath('{}'), null);
  });
});
