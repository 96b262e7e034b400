import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceLogReader, InferenceLogWriter } from '../../serving/index.ts';
import { storeKinds } from '../../../test/support/stores.ts';
import type { Store } from '../../store/index.ts';
import { MonitoringService } from '../monitoring-service.ts';
import { inferenceLogSource, rowRequestId } from './inference-source.ts';

const T0 = Date.UTC(2026, 1, 1);

for (const kind of storeKinds().slice(0, 1)) {
  describe(`monitors over serving's Parquet inference log (${kind.name})`, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
    });
    after(async () => store.close());

    test('skl2onnx-shaped predictions, multi-row requests labelled per row, shadow rows left out', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pharos-ilog-'));
      const writer = new InferenceLogWriter(dir);
      const entry = (i: number, role: 'stable' | 'shadow', rows: number) => ({
        timestampMs: T0 + i * 1000,
        requestId: `req-${i}`,
        deployment: 'iris',
        modelName: 'iris',
        modelVersion: '3',
        modelUri: 'models:/iris@champion',
        role,
        latencyMs: 5 + i,
        rows,
        expand: () => ({
          features: Array.from({ length: rows }, (_, r) => ({ petal: i + r / 10 })),
          predictions: Array.from({ length: rows }, (_, r) => ({ output_label: (i + r) % 2, output_probability: { '0': (i + r) % 2 ? 0.2 : 0.7, '1': (i + r) % 2 ? 0.8 : 0.3 } })),
        }),
      });
      for (let i = 0; i < 10; i++) writer.record(entry(i, 'stable', i === 9 ? 3 : 1));
      writer.record(entry(4, 'shadow', 1));
      await writer.close();

      const source = inferenceLogSource(new InferenceLogReader(dir));
      const logged = await source.read({ deployment: 'iris', to: T0 + 60_000 });
      assert.equal(logged.length, 12, '9 single-row requests + one of 3 rows; the shadow row is not production traffic');
      assert.deepEqual(logged.slice(-3).map((r) => r.requestId), ['req-9', 'req-9:1', 'req-9:2']);
      assert.equal(rowRequestId('req-9', 2), 'req-9:2');

      const svc = new MonitoringService({ store, inferenceLog: source, clock: () => T0 + 60_000 });
      // The truth: every row's class is 1.
      await svc.recordLabels(logged.map((r) => ({ request_id: r.requestId, label: 1 })));
      const m = await svc.createMonitor({
        name: 'iris-log',
        deployment: 'iris',
        spec: { task: 'binary', reference: { type: 'window', from: T0, to: T0 + 5000 }, window: { type: 'count', size: 12 }, checks: { performance: true, latency: true }, alerts: [] },
      });
      const run = await svc.runMonitor(m.id);
      assert.equal(run.status, 'ok', run.error ?? '');
      const perf = run.results!.performance!;
      assert.equal(perf.labelled, 12);
      const predictedOnes = logged.filter((r) => (r.prediction as { output_label: number }).output_label === 1).length;
      assert.equal(perf.metrics!.accuracy, predictedOnes / 12);
      assert.equal(perf.metrics!.roc_auc, undefined, 'a single true class has no ROC AUC');
      assert.ok(perf.metrics!.log_loss > 0, 'probabilities read from the ZipMap output');
      assert.equal(run.results!.latency!.p50Ms, 10.5, "5..13 ms and three rows of one 14 ms request");
    });
  });
}
