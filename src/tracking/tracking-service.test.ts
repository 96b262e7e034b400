import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeKinds } from '../../test/support/stores.ts';
import type { Store } from '../store/index.ts';
import { LocalArtifactStore } from '../artifacts/index.ts';
import { AuditLog } from '../governance/index.ts';
import { TrackingService } from './tracking-service.ts';
import { isPharosError } from '../core/errors.ts';

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isPharosError(e), `expected a PharosError, got ${e}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

for (const kind of storeKinds()) {
  describe(`TrackingService (${kind.name})`, () => {
    let store: Store;
    let tracking: TrackingService;
    let audit: AuditLog;

    before(async () => {
      store = await kind.open();
      audit = new AuditLog(store);
      tracking = new TrackingService({ store, artifacts: new LocalArtifactStore(mkdtempSync(join(tmpdir(), 'pharos-art-'))), audit });
    });
    after(async () => {
      await store?.close();
    });

    it('has the Default experiment 0 and creates experiments with proxied artifact locations', async () => {
      const def = await tracking.getExperiment('0');
      assert.equal(def.name, 'Default');
      const id = await tracking.createExperiment('exp-a', { tags: [{ key: 'team', value: 'x' }] });
      const exp = await tracking.getExperiment(id);
      assert.equal(exp.artifact_location, `mlflow-artifacts:/${id}`);
      assert.deepEqual(exp.tags, [{ key: 'team', value: 'x' }]);
      assert.equal((await tracking.getExperimentByName('exp-a')).experiment_id, id);
      await rejectsWith(tracking.createExperiment('exp-a'), 'RESOURCE_ALREADY_EXISTS');
      await rejectsWith(tracking.getExperiment('999999'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(tracking.getExperiment('abc'), 'INVALID_PARAMETER_VALUE');
      const events = await audit.list({ entityType: 'experiment', entityId: id });
      assert.deepEqual(events.map((e) => e.action), ['create']);
    });

    it('deleting an experiment deletes its runs; restoring brings them back', async () => {
      const id = await tracking.createExperiment('exp-del');
      const run = await tracking.createRun({ experimentId: id, runName: 'r' });
      await tracking.deleteExperiment(id);
      assert.equal((await tracking.getExperiment(id)).lifecycle_stage, 'deleted');
      assert.equal((await tracking.getRun(run.info.run_id)).info.lifecycle_stage, 'deleted');
      await rejectsWith(tracking.createRun({ experimentId: id }), 'INVALID_PARAMETER_VALUE', /active/);
      await rejectsWith(tracking.createExperiment('exp-del'), 'RESOURCE_ALREADY_EXISTS', /deleted state/);
      await tracking.restoreExperiment(id);
      assert.equal((await tracking.getRun(run.info.run_id)).info.lifecycle_stage, 'active');
      await tracking.deleteExperiment('0');
      await rejectsWith(tracking.createRun({}), 'INVALID_PARAMETER_VALUE', /active/);
      await tracking.restoreExperiment('0');
      await tracking.renameExperiment(id, 'exp-del-renamed');
      assert.equal((await tracking.getExperiment(id)).name, 'exp-del-renamed');
      const actions = (await audit.list({ entityType: 'experiment', entityId: id })).map((e) => e.action);
      assert.deepEqual(actions, ['create', 'delete', 'restore', 'rename']);
    });

    it('creates runs with names, tags and artifact URIs', async () => {
      const expId = await tracking.createExperiment('exp-runs');
      const run = await tracking.createRun({ experimentId: expId, userId: 'ana', startTime: 1000, tags: [{ key: 'k', value: 'v' }], runName: 'first' });
      assert.equal(run.info.run_name, 'first');
      assert.equal(run.info.status, 'RUNNING');
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/${expId}/${run.info.run_id}/artifacts`);
      assert.deepEqual(
        run.data.tags.sort((a, b) => a.key.localeCompare(b.key)),
        [
          { key: 'k', value: 'v' },
          { key: 'mlflow.runName', value: 'first' },
        ],
      );
      const unnamed = await tracking.createRun({ experimentId: expId });
      assert.match(unnamed.info.run_name, /^[a-z]+-[a-z]+-\d+$/);
      await rejectsWith(
        tracking.createRun({ experimentId: expId, runName: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
        'INVALID_PARAMETER_VALUE',
        /different values/,
      );
      const info = await tracking.updateRun(run.info.run_id, { status: 'FINISHED', endTime: 2000, runName: 'renamed' });
      assert.equal(info.status, 'FINISHED');
      assert.equal(info.end_time, 2000);
      assert.equal(info.run_name, 'renamed');
      const tags = (await tracking.getRun(run.info.run_id)).data.tags;
      assert.equal(tags.find((t) => t.key === 'mlflow.runName')?.value, 'renamed');
    });

    it('log-batch stores metrics, params and tags together and keeps the latest metric by (step, timestamp, value)', async () => {
      const expId = await tracking.createExperiment('exp-batch');
      const { info } = await tracking.createRun({ experimentId: expId });
      await tracking.logBatch(info.run_id, {
        metrics: [
          { key: 'loss', value: 0.5, timestamp: 100, step: 2 },
          { key: 'loss', value: 0.9, timestamp: 200, step: 1 }, // later in time, earlier step: not latest
          { key: 'acc', value: 0.1, timestamp: 50, step: 0 },
        ],
        params: [
          { key: 'lr', value: '0.1' },
          { key: 'lr', value: '0.1' },
        ],
        tags: [{ key: 'phase', value: 'train' }],
      });
      let run = await tracking.getRun(info.run_id);
      const latest = () => Object.fromEntries(run.data.metrics.map((m) => [m.key, m]));
      assert.equal(latest().loss.value, 0.5);
      assert.equal(latest().loss.step, 2);
      // Same step, later timestamp wins; then same step+timestamp, larger value wins.
      await tracking.logMetric(info.run_id, { key: 'acc', value: 0.05, timestamp: 60, step: 0 });
      await tracking.logMetric(info.run_id, { key: 'loss', value: 0.7, timestamp: 100, step: 2 });
      await tracking.logMetric(info.run_id, { key: 'loss', value: 0.6, timestamp: 100, step: 2 });
      // An older point logged afterwards does not replace the latest.
      await tracking.logMetric(info.run_id, { key: 'loss', value: 5, timestamp: 1, step: 0 });
      run = await tracking.getRun(info.run_id);
      assert.equal(latest().acc.value, 0.05);
      assert.equal(latest().loss.value, 0.7);
      assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
      assert.deepEqual(run.data.tags.find((t) => t.key === 'phase'), { key: 'phase', value: 'train' });
      const history = await tracking.getMetricHistory(info.run_id, 'loss');
      assert.equal(history.items.length, 5);
    });

    it('rejects changing a param, duplicate keys with different values, and leaves the batch unapplied', async () => {
      const expId = await tracking.createExperiment('exp-params');
      const { info } = await tracking.createRun({ experimentId: expId });
      await tracking.logParam(info.run_id, 'lr', '0.1');
      await tracking.logParam(info.run_id, 'lr', '0.1');
      await rejectsWith(tracking.logParam(info.run_id, 'lr', '0.2'), 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
      await rejectsWith(
        tracking.logBatch(info.run_id, { params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }),
        'INVALID_PARAMETER_VALUE',
        /Duplicate parameter keys/,
      );
      // The conflicting batch is one transaction: its metric must not have been stored either.
      await rejectsWith(
        tracking.logBatch(info.run_id, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'lr', value: '0.3' }] }),
        'INVALID_PARAMETER_VALUE',
      );
      assert.equal((await tracking.getMetricHistory(info.run_id, 'm')).items.length, 0);
    });

    it('enforces MLflow limits and key rules without truncating', async () => {
      const expId = await tracking.createExperiment('exp-limits');
      const { info } = await tracking.createRun({ experimentId: expId });
      await rejectsWith(tracking.logParam(info.run_id, 'p', 'x'.repeat(6001)), 'INVALID_PARAMETER_VALUE', /6000/);
      await tracking.logParam(info.run_id, 'p', 'x'.repeat(6000));
      await rejectsWith(tracking.setTag(info.run_id, 't', 'x'.repeat(8001)), 'INVALID_PARAMETER_VALUE', /8000/);
      await rejectsWith(tracking.setTag(info.run_id, 'k'.repeat(251), 'v'), 'INVALID_PARAMETER_VALUE', /250/);
      await rejectsWith(tracking.setTag(info.run_id, 'a/../b', 'v'), 'INVALID_PARAMETER_VALUE', /resolve/);
      await rejectsWith(tracking.setTag(info.run_id, 'bad;key', 'v'), 'INVALID_PARAMETER_VALUE', /Names may only contain/);
      const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
      await rejectsWith(tracking.logBatch(info.run_id, { metrics }), 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
      const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
      await rejectsWith(tracking.logBatch(info.run_id, { tags }), 'INVALID_PARAMETER_VALUE', /at most 100 tags/);
      await rejectsWith(tracking.logMetric(info.run_id, { key: 'm', value: 1, timestamp: -5 }), 'INVALID_PARAMETER_VALUE', /timestamp/);
      await rejectsWith(tracking.logMetric(info.run_id, { key: 'm', value: 1, timestamp: 1, step: 1.5 }), 'INVALID_PARAMETER_VALUE', /step/);
    });

    it('accepts NaN and infinities as MLflow stores them', async () => {
      const expId = await tracking.createExperiment('exp-nan');
      const { info } = await tracking.createRun({ experimentId: expId });
      await tracking.logBatch(info.run_id, {
        metrics: [
          { key: 'n', value: NaN, timestamp: 1, step: 0 },
          { key: 'pi', value: Infinity, timestamp: 1, step: 0 },
          { key: 'ni', value: -Infinity, timestamp: 1, step: 0 },
        ],
      });
      const m = Object.fromEntries((await tracking.getRun(info.run_id)).data.metrics.map((x) => [x.key, x.value]));
      assert.ok(Number.isNaN(m.n));
      assert.equal(m.pi, Number.MAX_VALUE);
      assert.equal(m.ni, -Number.MAX_VALUE);
      assert.ok(Number.isNaN((await tracking.getMetricHistory(info.run_id, 'n')).items[0].value));
    });

    it('deleted runs reject logging until restored; deletion is audited', async () => {
      const expId = await tracking.createExperiment('exp-deleted-runs');
      const { info } = await tracking.createRun({ experimentId: expId });
      await tracking.deleteRun(info.run_id);
      await rejectsWith(tracking.logMetric(info.run_id, { key: 'm', value: 1, timestamp: 1 }), 'INVALID_PARAMETER_VALUE', /'active' state/);
      await rejectsWith(tracking.setTag(info.run_id, 'k', 'v'), 'INVALID_PARAMETER_VALUE');
      await tracking.restoreRun(info.run_id);
      await tracking.logMetric(info.run_id, { key: 'm', value: 1, timestamp: 1 });
      const actions = (await audit.list({ entityType: 'run', entityId: info.run_id })).map((e) => e.action);
      assert.deepEqual(actions, ['delete', 'restore']);
      await rejectsWith(tracking.deleteRun('0123456789abcdef0123456789abcdef'), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('returns metric history in (timestamp, step, value) order, paged with tokens', async () => {
      const expId = await tracking.createExperiment('exp-history');
      const { info } = await tracking.createRun({ experimentId: expId });
      const total = 2500;
      for (let start = 0; start < total; start += 1000) {
        const metrics = [];
        for (let i = start; i < Math.min(total, start + 1000); i++) metrics.push({ key: 'h', value: i * 2, timestamp: 10_000 - i, step: i });
        await tracking.logBatch(info.run_id, { metrics });
      }
      const all = await tracking.getMetricHistory(info.run_id, 'h');
      assert.equal(all.items.length, total);
      assert.equal(all.items[0].step, total - 1, 'the earliest timestamp comes first');
      const seen: number[] = [];
      let token: string | undefined;
      do {
        const page = await tracking.getMetricHistory(info.run_id, 'h', { maxResults: 1000, pageToken: token });
        seen.push(...page.items.map((m) => m.step));
        token = page.nextPageToken;
      } while (token);
      assert.deepEqual(seen, all.items.map((m) => m.step));
      await rejectsWith(tracking.getMetricHistory(info.run_id, 'h', { pageToken: 'garbage!' }), 'INVALID_PARAMETER_VALUE');
      const latest = (await tracking.getRun(info.run_id)).data.metrics.find((m) => m.key === 'h');
      assert.equal(latest?.step, total - 1);
    });

    it('loads many runs with their data in a fixed number of queries', async () => {
      const expId = await tracking.createExperiment('exp-load');
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { info } = await tracking.createRun({ experimentId: expId, runName: `r${i}` });
        await tracking.logBatch(info.run_id, { metrics: [{ key: 'i', value: i, timestamp: 1 }], params: [{ key: 'p', value: String(i) }] });
        ids.push(info.run_id);
      }
      const runs = await tracking.loadRuns([...ids].reverse());
      assert.deepEqual(runs.map((r) => r.info.run_id), [...ids].reverse());
      assert.deepEqual(runs.map((r) => r.data.params[0].value), ids.map((_, i) => String(i)).reverse());
    });

    it('logs datasets with context tags, model outputs, and logged models with metrics', async () => {
      const expId = await tracking.createExperiment('exp-inputs');
      const { info } = await tracking.createRun({ experimentId: expId });
      const dataset = { name: 'train', digest: 'abc123', source_type: 'code', source: '{}', schema: '{"cols":[]}' };
      await tracking.logInputs(info.run_id, { datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] });
      await tracking.logInputs(info.run_id, { datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] });
      const model = await tracking.createLoggedModel({ experimentId: expId, name: 'clf', sourceRunId: info.run_id, params: [{ key: 'C', value: '1' }] });
      assert.equal(model.info.status, 'LOGGED_MODEL_PENDING');
      assert.equal(model.info.artifact_uri, `mlflow-artifacts:/${expId}/models/${model.info.model_id}/artifacts`);
      await tracking.logOutputs(info.run_id, [{ model_id: model.info.model_id, step: 0 }]);
      await tracking.logMetric(info.run_id, { key: 'acc', value: 0.9, timestamp: 5, model_id: model.info.model_id });
      const run = await tracking.getRun(info.run_id);
      assert.equal(run.inputs.dataset_inputs.length, 1, 'logging the same dataset twice links it once');
      assert.deepEqual(run.inputs.dataset_inputs[0].tags, [{ key: 'mlflow.data.context', value: 'training' }]);
      assert.equal(run.inputs.dataset_inputs[0].dataset.schema, '{"cols":[]}');
      assert.deepEqual(run.outputs.model_outputs, [{ model_id: model.info.model_id, step: 0 }]);
      const ready = await tracking.finalizeLoggedModel(model.info.model_id, 'LOGGED_MODEL_READY');
      assert.equal(ready.info.status, 'LOGGED_MODEL_READY');
      assert.deepEqual(ready.data.params, [{ key: 'C', value: '1' }]);
      assert.deepEqual(ready.data.metrics.map((m) => [m.key, m.value, m.run_id]), [['acc', 0.9, info.run_id]]);
      await tracking.setLoggedModelTags(model.info.model_id, [{ key: 'flavor', value: 'sklearn' }]);
      await tracking.deleteLoggedModelTag(model.info.model_id, 'flavor');
      await rejectsWith(tracking.deleteLoggedModelTag(model.info.model_id, 'flavor'), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(tracking.finalizeLoggedModel(model.info.model_id, 'DONE'), 'INVALID_PARAMETER_VALUE');
      await tracking.deleteLoggedModel(model.info.model_id);
      await rejectsWith(tracking.getLoggedModel(model.info.model_id), 'RESOURCE_DOES_NOT_EXIST');
      await rejectsWith(tracking.logMetric(info.run_id, { key: 'acc', value: 1, timestamp: 6, model_id: 'm-missing' }), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('refuses values the columns cannot hold (NUL bytes, over-wide names and ids) with 400s on both engines', async () => {
      const expId = await tracking.createExperiment('exp-widths');
      const { info } = await tracking.createRun({ experimentId: expId });
      await rejectsWith(tracking.setTag(info.run_id, 'mlflow.runName', 'n'.repeat(251)), 'INVALID_PARAMETER_VALUE', /run name/);
      await rejectsWith(tracking.createRun({ experimentId: expId, tags: [{ key: 'mlflow.runName', value: 'n'.repeat(251) }] }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(tracking.createRun({ experimentId: expId, userId: 'u'.repeat(257) }), 'INVALID_PARAMETER_VALUE', /user_id/);
      await rejectsWith(tracking.setTag(info.run_id, 'k', 'a\0b'), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(tracking.createExperiment('bad\0name'), 'INVALID_PARAMETER_VALUE', /NUL/);
      await rejectsWith(tracking.logMetric(info.run_id, { key: 'm', value: 1, timestamp: 1, model_id: 'm'.repeat(65) }), 'INVALID_PARAMETER_VALUE', /model_id/);
      await rejectsWith(tracking.getExperiment('4294967296'), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(tracking.createExperiment('x', { artifactLocation: 's3://' + 'b'.repeat(900) }), 'INVALID_PARAMETER_VALUE', /Artifact location/);
    });

    it('stores requests with more rows than one SQL statement may bind (many run tags at creation)', async () => {
      const expId = await tracking.createExperiment('exp-many-tags');
      const tags = Array.from({ length: 12000 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
      const run = await tracking.createRun({ experimentId: expId, tags });
      assert.equal(run.data.tags.length, 12001, 'every tag plus mlflow.runName');
    });

    it('keeps param first-write-wins under concurrent batches', async () => {
      const expId = await tracking.createExperiment('exp-race');
      const { info } = await tracking.createRun({ experimentId: expId });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => tracking.logBatch(info.run_id, { params: [{ key: 'seed', value: String(i % 2) }], metrics: [{ key: 'm', value: i, timestamp: i, step: i }] })),
      );
      const stored = (await tracking.getRun(info.run_id)).data.params.find((p) => p.key === 'seed')?.value;
      assert.ok(stored === '0' || stored === '1');
      for (const [i, r] of results.entries()) {
        if (String(i % 2) === stored) assert.equal(r.status, 'fulfilled');
        else assert.equal(r.status, 'rejected');
      }
      const latest = (await tracking.getRun(info.run_id)).data.metrics.find((m) => m.key === 'm');
      const fulfilledSteps = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(latest?.step, Math.max(...fulfilledSteps), 'the latest metric is the highest step among the batches that committed');
    });

    it('samples metric history for charts like MLflow (row buckets, first and last kept)', async () => {
      const expId = await tracking.createExperiment('exp-sampled');
      const a = (await tracking.createRun({ experimentId: expId })).info.run_id;
      const b = (await tracking.createRun({ experimentId: expId })).info.run_id;
      await tracking.logBatch(a, { metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i, timestamp: i, step: i })) });
      await tracking.logBatch(b, { metrics: Array.from({ length: 5 }, (_, i) => ({ key: 'loss', value: i, timestamp: i, step: 0 })) });
      const points = await tracking.getMetricHistoryBulkInterval([a, b], 'loss', { maxResults: 10 });
      const ofA = points.filter((p) => p.run_id === a).map((p) => p.step);
      assert.equal(ofA.length, 10);
      assert.equal(ofA[0], 0);
      assert.equal(ofA[ofA.length - 1], 999);
      assert.deepEqual(ofA, [...ofA].sort((x, y) => x - y));
      assert.equal(points.filter((p) => p.run_id === b).length, 5, 'fewer points than buckets: all of them');
      const window = await tracking.getMetricHistoryBulkInterval([a], 'loss', { maxResults: 5, startStep: 100, endStep: 200 });
      assert.ok(window.every((p) => p.step >= 100 && p.step <= 200));
      assert.equal(window[window.length - 1].step, 200);
      await rejectsWith(tracking.getMetricHistoryBulkInterval([a], 'loss', { startStep: 1 }), 'INVALID_PARAMETER_VALUE');
      await rejectsWith(tracking.getMetricHistoryBulkInterval(['0123456789abcdef0123456789abcdef'], 'loss'), 'RESOURCE_DOES_NOT_EXIST');
    });
  });
}
