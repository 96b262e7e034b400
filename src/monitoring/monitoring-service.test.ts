import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storeKinds } from '../../test/support/stores.ts';
import type { Store } from '../store/index.ts';
import { MonitoringService } from './monitoring-service.ts';
import { classificationMetrics } from './performance/metrics.ts';
import type { InferenceWindowQuery, InferenceWindowSource, LoggedInference, MonitorSpec } from './monitors/types.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The inference log as monitors see it, over an in-memory list (the serving log is adapted to the same interface). */
class MemoryLog implements InferenceWindowSource {
  rows: LoggedInference[] = [];
  async read(q: InferenceWindowQuery): Promise<LoggedInference[]> {
    const hit = this.rows.filter((r) => r.deployment === q.deployment && (q.from === undefined || r.timestamp >= q.from) && (q.to === undefined || r.timestamp < q.to));
    hit.sort((a, b) => a.timestamp - b.timestamp);
    return q.last !== undefined ? hit.slice(-q.last) : hit;
  }
}


/** Local receiver standing in for Slack, a generic webhook consumer and a CI system that starts retraining. */
class Receiver {
  server!: Server;
  url = '';
  hooks: unknown[] = [];
  slack: unknown[] = [];
  retrains: unknown[] = [];
  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const json = JSON.parse(body);
        if (req.url === '/hook') this.hooks.push(json);
        else if (req.url === '/slack') this.slack.push(json);
        else if (req.url === '/retrain') {
          this.retrains.push(json);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ runId: `train-${this.retrains.length}` }));
          return;
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

/** `p` is the true positive probability; the model logs it as its score (well calibrated) and thresholds at 0.5. */
function request(r: () => number, i: number, t: number, opts: { xShift?: number; green?: boolean; latency?: number; flip?: boolean; hard?: boolean } = {}): { row: LoggedInference; label: number } {
  const x = r() * 10 + (opts.xShift ?? 0);
  // `hard`: traffic moves to the decision boundary (a covariate shift that costs accuracy with P(y|x) unchanged).
  const p = opts.hard ? 0.35 + r() * 0.3 : Math.min(0.97, Math.max(0.03, r()));
  let label = r() < p ? 1 : 0;
  if (opts.flip) label = 1 - label;
  const color = opts.green && r() < 0.3 ? 'green' : r() < 0.5 ? 'red' : 'blue';
  return {
    row: { requestId: `req-${t}-${i}`, deployment: 'churn', modelVersion: '1', features: { x, color, age: r() < 0.05 ? null : Math.round(20 + r() * 40) }, prediction: { label: p >= 0.5 ? 1 : 0, score: p }, latencyMs: (opts.latency ?? 20) + r() * 5, timestamp: t, error: null },
    label,
  };
}

for (const kind of storeKinds()) {
  describe(`MonitoringService (${kind.name})`, () => {
    let store: Store;
    const receiver = new Receiver();
    before(async () => {
      store = await kind.open();
      await receiver.start();
    });
    after(async () => {
      await store.close();
      await receiver.stop();
    });

    test('drift, data quality and latency alerts: consecutive windows, sustained duration, cool-down, de-duplication and retraining hand-off', async () => {
      const log = new MemoryLog();
      let now = T0;
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => now });
      const r = rng(1);
      // Reference: one hour of normal traffic, labelled.
      const refLabels: Array<{ request_id: string; label: number }> = [];
      for (let i = 0; i < 600; i++) {
        const q = request(r, i, T0 - 60 * MIN + i * 6000);
        log.rows.push(q.row);
        refLabels.push({ request_id: q.row.requestId, label: q.label });
      }
      await svc.recordLabels(refLabels);
      const spec: MonitorSpec = {
        task: 'binary',
        reference: { type: 'window', from: T0 - 60 * MIN, to: T0 },
        window: { type: 'time', durationMs: 2 * MIN },
        checks: { featureDrift: true, predictionDrift: true, dataQuality: true, latency: true, errorRate: true, performance: true, estimatedPerformance: true },
        alerts: [
          { name: 'inputs drifted', metric: 'feature_drift.share', op: '>', threshold: 0.3, forWindows: 2, channels: [{ type: 'webhook', url: `${receiver.url}/hook` }], cooldownMs: 10 * MIN, retrain: true },
          { name: 'slow', metric: 'latency.p99_ms', op: '>', threshold: 200, forMs: 5 * MIN, channels: [{ type: 'slack', url: `${receiver.url}/slack` }], cooldownMs: 30 * MIN },
        ],
        retrainWebhook: `${receiver.url}/retrain`,
      };
      const monitor = await svc.createMonitor({ name: 'churn-inputs', deployment: 'churn', spec });

      const runAt = async (k: number) => {
        now = T0 + k * 2 * MIN;
        for (let i = 0; i < 100; i++) log.rows.push(request(r, i, now - 2 * MIN + i * 1200, { xShift: 8, green: true, latency: 300 }).row);
        return svc.runMonitor(monitor.id);
      };

      const first = await runAt(1);
      assert.equal(first.status, 'ok', first.error ?? '');
      const res = first.results!;
      assert.equal(res.window.rows, 100);
      assert.equal(res.reference.rows, 600);
      assert.deepEqual(res.featureDrift!.columns.map((c) => [c.column, c.drifted]).sort(), [['age', false], ['color', true], ['x', true]]);
      assert.equal(res.metrics['feature_drift.share'], 2 / 3);
      assert.deepEqual(res.dataQuality!.color.newCategories, ['green']);
      const xs = log.rows.slice(-100).map((q) => q.features.x as number);
      assert.equal(res.dataQuality!.x.outOfRangeShare, xs.filter((x) => x > Math.max(...log.rows.slice(0, 600).map((q) => q.features.x as number))).length / 100);
      assert.ok(res.dataQuality!.age.missingShare > 0 && res.dataQuality!.age.missingShare < 0.2);
      const lat = log.rows.slice(-100).map((q) => q.latencyMs).sort((a, b) => a - b);
      assert.equal(res.latency!.p50Ms, (lat[49] + lat[50]) / 2);
      assert.ok(res.latency!.p99Ms > 300 && res.latency!.p99Ms <= lat[99]);
      assert.equal(res.errorRate, 0);
      assert.deepEqual(first.alerts, [], 'one drifted window is not enough for a 2-window rule; 2 minutes of slowness not enough for 5');

      const second = await runAt(2);
      assert.equal(second.status, 'alerting');
      assert.deepEqual(second.alerts!.map((a) => [a.ruleName, a.status]), [['inputs drifted', 'fired']]);
      assert.equal(second.alerts![0].retrainRunId, 'train-1');
      assert.equal(receiver.hooks.length, 1);
      const hook = receiver.hooks[0] as Record<string, any>;
      assert.equal(hook.rule.name, 'inputs drifted');
      assert.equal(hook.monitor.deployment, 'churn');
      assert.equal(hook.value, 2 / 3);
      assert.match(hook.message, /feature_drift.share = 0.6667 > 0.3 for 2 consecutive windows/);
      assert.equal((receiver.retrains[0] as any).context.deployment, 'churn');

      const third = await runAt(3);
      assert.deepEqual(third.alerts!.map((a) => [a.ruleName, a.status]).sort(), [['inputs drifted', 'suppressed'], ['slow', 'fired']]);
      assert.equal(receiver.slack.length, 1);
      assert.match((receiver.slack[0] as { text: string }).text, /slow.*churn-inputs.*latency.p99_ms = \d+(\.\d+)? > 200 for 360 s/);
      for (let k = 4; k <= 6; k++) await runAt(k); // 6 and 8 and 10 minutes after the first delivery: inside the cool-down
      assert.equal(receiver.hooks.length, 1, 'no re-delivery inside the cool-down');
      assert.equal(receiver.retrains.length, 1, 'retraining triggered once per cool-down');
      const seventh = await runAt(7); // 10 minutes after the first delivery: cool-down over
      assert.deepEqual(seventh.alerts!.filter((a) => a.ruleName === 'inputs drifted').map((a) => a.status), ['fired']);
      assert.equal(receiver.hooks.length, 2);
      assert.equal(receiver.retrains.length, 2);

      const history = await svc.history('churn-inputs');
      assert.equal(history.length, 7);
      assert.deepEqual(history.map((h) => h.startedAt), [7, 6, 5, 4, 3, 2, 1].map((k) => T0 + k * 2 * MIN));
      const fired = await svc.alerts({ monitor: 'churn-inputs', status: 'fired' });
      assert.deepEqual(fired.map((a) => a.ruleName), ['inputs drifted', 'slow', 'inputs drifted']);
      const suppressed = await svc.alerts({ monitor: monitor.id, rule: 'inputs drifted', status: 'suppressed' });
      assert.equal(suppressed.length, 4);
    });

    test('late labels: realised performance per window, CBPE estimate beside it, concept drift when labels change but inputs do not', async () => {
      const log = new MemoryLog();
      let now = T0;
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => now });
      const r = rng(2);
      const refLabels = [];
      for (let i = 0; i < 3000; i++) {
        const q = request(r, i, T0 - 60 * MIN + i * 1000);
        log.rows.push(q.row);
        refLabels.push({ request_id: q.row.requestId, label: q.label });
      }
      await svc.recordLabels(refLabels);
      const monitor = await svc.createMonitor({
        name: 'churn-performance',
        deployment: 'churn',
        spec: { task: 'binary', reference: { type: 'window', from: T0 - 60 * MIN, to: T0 }, window: { type: 'count', size: 1000 }, checks: { featureDrift: true, performance: true, estimatedPerformance: true }, alerts: [{ name: 'accuracy', metric: 'performance.accuracy', op: '<', threshold: 0.85 }] },
      });
      // Same inputs, but the world changed: 40% of outcomes flip (P(y|x) moved).
      now = T0 + 30 * MIN;
      const current = [];
      for (let i = 0; i < 1000; i++) {
        const q = request(r, i, T0 + i * 1000, { flip: r() < 0.4 });
        log.rows.push(q.row);
        current.push(q);
      }
      const before = await svc.runMonitor(monitor.id);
      assert.equal(before.results!.performance!.labelled, 0);
      assert.equal(before.results!.performance!.metrics, null);
      const est = (before.results!.estimatedPerformance as { metrics: Record<string, number> }).metrics;
      assert.ok(est.accuracy > 0.7, `estimated accuracy ${est.accuracy}`);
      assert.equal(before.results!.conceptDrift, undefined, 'nothing to judge before labels');

      // Half the labels arrive.
      await svc.recordLabels(current.filter((_, i) => i % 2 === 0).map((q) => ({ request_id: q.row.requestId, label: q.label })));
      const afterRun = await svc.runMonitor(monitor.id);
      const perf = afterRun.results!.performance!;
      assert.equal(perf.labelled, 500);
      assert.equal(perf.coverage, 0.5);
      const labelled = current.filter((_, i) => i % 2 === 0);
      const expected = classificationMetrics({
        yTrue: labelled.map((q) => q.label),
        yPred: labelled.map((q) => (q.row.prediction as { label: number }).label),
        scores: labelled.map((q) => (q.row.prediction as { score: number }).score),
        positiveLabel: 1,
      });
      for (const k of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const) assert.equal(perf.metrics![k], expected[k], k);
      assert.ok(perf.reference!.accuracy - perf.metrics!.accuracy > 0.1, `reference ${perf.reference!.accuracy} vs ${perf.metrics!.accuracy}`);
      assert.equal(afterRun.results!.featureDrift!.drifted, false);
      assert.equal(afterRun.results!.conceptDrift!.detected, true, afterRun.results!.conceptDrift!.reason);
      assert.equal(afterRun.results!.metrics.concept_drift, 1);
      assert.deepEqual(afterRun.alerts!.map((a) => a.ruleName), ['accuracy']);
      assert.equal(afterRun.alerts![0].deliveries.length, 0, 'a rule without channels is recorded, not delivered');
    });

    test('a drop the input shift explains is not concept drift (CBPE predicted it)', async () => {
      const log = new MemoryLog();
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => T0 + 30 * MIN });
      const r = rng(4);
      const labels = [];
      for (let i = 0; i < 3000; i++) {
        const q = request(r, i, T0 - 60 * MIN + i * 1000);
        log.rows.push(q.row);
        labels.push({ request_id: q.row.requestId, label: q.label });
      }
      for (let i = 0; i < 1000; i++) {
        const q = request(r, i, T0 + i * 1000, { hard: true });
        log.rows.push(q.row);
        labels.push({ request_id: q.row.requestId, label: q.label });
      }
      await svc.recordLabels(labels);
      const m = await svc.createMonitor({ name: 'covariate-only', deployment: 'churn', spec: { task: 'binary', reference: { type: 'window', from: T0 - 60 * MIN, to: T0 }, window: { type: 'count', size: 1000 }, checks: { featureDrift: true, performance: true, estimatedPerformance: true }, alerts: [] } });
      const run = await svc.runMonitor(m.id);
      const res = run.results!;
      const realised = res.performance!.metrics!.accuracy;
      const estimated = (res.estimatedPerformance as { metrics: Record<string, number> }).metrics.accuracy;
      assert.ok(res.performance!.reference!.accuracy - realised > 0.1, `accuracy fell: ${res.performance!.reference!.accuracy} -> ${realised}`);
      assert.ok(Math.abs(estimated - realised) < 0.05, `CBPE ${estimated} vs realised ${realised}`);
      assert.equal(res.conceptDrift!.detected, false, res.conceptDrift!.reason);
      assert.match(res.conceptDrift!.reason, /as the input shift predicts/);
    });

    test('multiclass: macro metrics from probabilities and a CBPE estimate beside them', async () => {
      const log = new MemoryLog();
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => T0 + 10 * MIN });
      const r = rng(3);
      const classes = ['setosa', 'versicolor', 'virginica'];
      const labels: Array<{ request_id: string; label: string }> = [];
      for (let i = 0; i < 1200; i++) {
        const z = classes.map(() => Math.exp((r() - 0.5) * 5));
        const s = z.reduce((a, b) => a + b, 0);
        const p = z.map((v) => v / s);
        const u = r();
        const truth = u < p[0] ? classes[0] : u < p[0] + p[1] ? classes[1] : classes[2];
        const t = i < 900 ? T0 - 60 * MIN + i * 1000 : T0 + i;
        log.rows.push({ requestId: `mc-${i}`, deployment: 'iris', features: { petal: p[0] * 3 }, prediction: { output_label: classes[p.indexOf(Math.max(...p))], output_probability: Object.fromEntries(classes.map((c, k) => [c, p[k]])) }, latencyMs: 1, timestamp: t });
        labels.push({ request_id: `mc-${i}`, label: truth });
      }
      await svc.recordLabels(labels);
      const m = await svc.createMonitor({ name: 'iris-mc', deployment: 'iris', spec: { task: 'multiclass', average: 'weighted', reference: { type: 'window', from: T0 - 60 * MIN, to: T0 }, window: { type: 'count', size: 300 }, checks: { performance: true, estimatedPerformance: true }, alerts: [] } });
      const run = await svc.runMonitor(m.id);
      const perf = run.results!.performance!;
      const current = log.rows.slice(900);
      const expected = classificationMetrics({
        yTrue: labels.slice(900).map((l) => l.label),
        yPred: current.map((q) => (q.prediction as { output_label: string }).output_label),
        probabilities: current.map((q) => (q.prediction as { output_probability: Record<string, number> }).output_probability),
        average: 'weighted',
      });
      assert.deepEqual(perf.metrics, { ...expected });
      const est = (run.results!.estimatedPerformance as { metrics: Record<string, number> }).metrics;
      assert.ok(Math.abs(est.accuracy - expected.accuracy) < 0.08, `estimated ${est.accuracy} vs realised ${expected.accuracy}`);
      assert.equal(run.results!.conceptDrift!.detected, false, run.results!.conceptDrift!.reason);
    });

    test('error rate from serving counters between runs, even when every request failed and the log is empty', async () => {
      const log = new MemoryLog();
      let tick = T0;
      let counters = { requests: 100, errors: 0 };
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => (tick += 1000), requestCounters: async (d) => (d === 'pay' ? counters : null) });
      await svc.recordLabels([{ request_id: 'unused', label: 1 }]);
      const m = await svc.createMonitor({ name: 'pay-errors', deployment: 'pay', spec: { task: 'binary', reference: { type: 'window', from: 0, to: 1 }, window: { type: 'time', durationMs: 60_000 }, checks: { errorRate: true }, alerts: [{ name: 'failing', metric: 'error_rate', op: '>', threshold: 0.5 }] } });
      const first = await svc.runMonitor(m.id);
      assert.equal(first.results!.errorRate, 0, 'first run: counts since serving started');
      counters = { requests: 140, errors: 30 };
      const second = await svc.runMonitor(m.id);
      assert.equal(second.results!.errorRate, 30 / 40);
      assert.equal(second.results!.window.rows, 0);
      assert.deepEqual(second.alerts!.map((a) => a.ruleName), ['failing']);
      counters = { requests: 10, errors: 1 }; // serving restarted
      assert.equal((await svc.runMonitor(m.id)).results!.errorRate, 0.1);
      const quiet = await svc.runMonitor(m.id);
      assert.equal(quiet.results!.errorRate, undefined);
      assert.equal(quiet.results!.skipped.errorRate, 'no requests since the previous run');
    });

    test('replicas sharing the database: each cron tick runs (and alerts) once', async () => {
      const log = new MemoryLog();
      log.rows.push({ requestId: 'x', deployment: 'rep', features: { a: 1 }, prediction: 1, latencyMs: 500, timestamp: T0 - 10 });
      const replicas = [0, 1, 2].map(() => new MonitoringService({ store, inferenceLog: log, clock: () => T0 }));
      const m = await replicas[0].createMonitor({
        name: 'replicated',
        deployment: 'rep',
        spec: { task: 'binary', reference: { type: 'window', from: 0, to: T0 - 20 }, window: { type: 'count', size: 5 }, schedule: '*/5 * * * *', checks: { latency: true }, alerts: [{ name: 'slow', metric: 'latency.p99_ms', op: '>', threshold: 100, channels: [{ type: 'webhook', url: `${receiver.url}/hook` }], cooldownMs: 0 }] },
      });
      const hooksBefore = receiver.hooks.length;
      const tick = T0 - (T0 % (5 * MIN));
      const results = await Promise.all(replicas.map((r) => r.runScheduled(m.id, tick)));
      const ran = results.filter((r) => r !== null);
      assert.equal(ran.length, 1, 'exactly one replica runs the tick');
      assert.equal(ran[0]!.id, `mr-${m.id}-${tick}`);
      assert.equal(ran[0]!.status, 'alerting');
      assert.equal(receiver.hooks.length, hooksBefore + 1, 'one notification, not one per replica');
      const next = await Promise.all(replicas.map((r) => r.runScheduled(m.id, tick + 5 * MIN)));
      assert.equal(next.filter((r) => r !== null).length, 1);
      assert.deepEqual((await replicas[1].history(m.id)).map((h) => h.status), ['alerting', 'alerting']);
    });

    test('uploaded reference, failures stored in history, precise validation errors', async () => {
      const log = new MemoryLog();
      let tick = T0;
      const svc = new MonitoringService({ store, inferenceLog: log, clock: () => tick++ });
      const m = await svc.createMonitor({ name: 'uploaded', deployment: 'd2', spec: { task: 'regression', reference: { type: 'upload' }, window: { type: 'count', size: 10 }, alerts: [] } });
      assert.deepEqual(m.spec.checks.featureDrift, true, 'checks default to all on');
      log.rows.push({ requestId: 'a', deployment: 'd2', features: { x: 1 }, prediction: 2.5, latencyMs: 3, timestamp: T0 - 5 });
      const failed = await svc.runMonitor('uploaded');
      assert.equal(failed.status, 'failed');
      assert.match(failed.error!, /uploaded reference but none was uploaded/);
      await svc.uploadReference('uploaded', [{ x: 1, label: 2, prediction: 2 }, { x: 2, label: 3, prediction: 3.5 }]);
      await svc.recordLabels([{ request_id: 'a', label: 2 }]);
      const ok = await svc.runMonitor('uploaded');
      assert.equal(ok.status, 'ok', ok.error ?? '');
      assert.deepEqual(ok.results!.performance!.metrics, { count: 1, rmse: 0.5, mae: 0.5, r2: 0 });
      assert.equal(ok.results!.performance!.reference!.mae, 0.25);
      assert.deepEqual((await svc.history('uploaded')).map((h) => h.status), ['ok', 'failed']);

      const bad = async (spec: unknown, re: RegExp) => assert.rejects(svc.createMonitor({ name: `bad-${Math.random()}`, deployment: 'd', spec }), (e: Error & { status?: number }) => e.status === 400 && re.test(e.message));
      const good = { task: 'binary', reference: { type: 'upload' }, window: { type: 'count', size: 10 }, alerts: [] };
      await bad({ ...good, window: { type: 'count', size: 0 } }, /^spec\.window\.size: /);
      await bad({ ...good, schedule: 'every tuesday' }, /^spec\.schedule: must be a valid cron/);
      await bad({ ...good, alerts: [{ name: 'a', metric: 'latency.p99_ms', op: '!=', threshold: 1 }] }, /^spec\.alerts\.0\.op/);
      await bad({ ...good, alerts: [{ name: 'a', metric: 'x', op: '>', threshold: 1, channels: [{ type: 'slack', url: 'ftp://x' }] }] }, /^spec\.alerts\.0\.channels\.0\.url: must be an http\(s\) URL/);
      await bad({ ...good, reference: { type: 'window', from: 10, to: 5 } }, /^spec\.reference\.to: must be after/);
      await bad({ ...good, extra: 1 }, /^spec: .*extra/i);
      await assert.rejects(svc.createMonitor({ name: 'uploaded', deployment: 'd', spec: good }), /already exists/);
      await assert.rejects(svc.getMonitor('nope'), /does not exist/);
    });
  });
}
