import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeKinds } from '../../test/support/stores.ts';
import type { Store } from '../store/index.ts';
import { AuditLog } from '../governance/index.ts';
import { ServingService } from './serving-service.ts';
import type { ModelResolver, ResolvedModel } from './model/model-resolver.ts';
import { sumRegressor } from './onnx/onnx-test-models.ts';
import { InferenceLogReader } from './inference-log/inference-log.ts';
import type { PredictionRequest } from './inference/request-formats.ts';

/** Registry stand-in: URIs map to model files and versions; tests move "aliases" by changing the map. */
class MapResolver implements ModelResolver {
  readonly map = new Map<string, { version: number; path: string }>();
  async resolve(uri: string): Promise<ResolvedModel> {
    const hit = this.map.get(uri);
    if (!hit) throw Object.assign(new Error(`unknown model ${uri}`), {});
    return { uri, name: 'm', version: hit.version, localPath: hit.path };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pharos-serving-'));
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const v1 = file('v1.onnx', sumRegressor({ scale: 1 }));
const v2 = file('v2.onnx', sumRegressor({ scale: 2 }));
const incompatible = file('wide.onnx', sumRegressor({ features: 3 }));
const broken = file('broken.onnx', new Uint8Array([1, 2, 3, 4, 5]));

const row: PredictionRequest = { kind: 'tensor', data: [[1, 2]] };
/** Automatic transitions run beside the request that triggered them: wait for their history entry. */
async function settled(s: ServingService, name: string, action: string) {
  for (let i = 0; i < 200; i++) {
    const d = await s.getDeployment(name);
    if (d.history.some((e) => e.action === action)) return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  return s.getDeployment(name);
}

const answer = async (s: ServingService, name: string) => {
  const r = await s.predict(name, row);
  return { value: (r.outputs.variable.data as Float32Array)[0], role: r.role, version: r.model.versionLabel };
};

for (const kind of storeKinds()) {
  describe(`serving service (${kind.name})`, () => {
    let store: Store;
    let resolver: MapResolver;
    let serving: ServingService;
    let audit: AuditLog;
    let logDir: string;

    before(async () => {
      store = await kind.open();
      audit = new AuditLog(store);
      resolver = new MapResolver();
      resolver.map.set('models:/m/1', { version: 1, path: v1 });
      resolver.map.set('models:/m/2', { version: 2, path: v2 });
      resolver.map.set('models:/m/3', { version: 3, path: incompatible });
      resolver.map.set('models:/m/4', { version: 4, path: broken });
      resolver.map.set('models:/m@champion', { version: 1, path: v1 });
      logDir = mkdtempSync(join(tmpdir(), 'pharos-serving-log-'));
      serving = new ServingService({ store, audit, resolver, inferenceLogDir: logDir, options: { workers: 0, refreshIntervalMs: 0, batching: { maxWaitMs: 1 } } });
      await serving.start();
      serving.activate();
    });
    after(async () => {
      await serving.close();
      await store.close();
    });

    test('a canary gets its share of traffic; each answer comes from the model that says it did', async () => {
      // Latency bounds wide open: 200 requests at once queue, and queueing noise must not roll this canary back.
      await serving.createDeployment({ name: 'split', modelUri: 'models:/m/1', canaryUri: 'models:/m/2', canaryPercent: 50, policy: { autoPromote: false, maxLatencyRatio: 1000, latencySlackMs: 60_000 } });
      const answers = await Promise.all(Array.from({ length: 200 }, () => answer(serving, 'split')));
      const canary = answers.filter((a) => a.role === 'canary');
      assert.ok(canary.length > 40 && canary.length < 160, `canary got ${canary.length} of 200: ${JSON.stringify(await serving.getDeployment('split', 0))}`);
      for (const a of answers) assert.equal(a.value, a.role === 'canary' ? 6 : 3);
      const d = await serving.getDeployment('split');
      assert.equal(d.candidate!.stats.requests, canary.length);
      assert.equal(d.stable.stats.requests, 200 - canary.length);
    });

    test('a shadow gets a copy of every request; callers only ever see stable answers', async () => {
      await serving.createDeployment({ name: 'shadowed', modelUri: 'models:/m/1', shadowUri: 'models:/m/2', policy: { autoPromote: false, maxLatencyRatio: 1000, latencySlackMs: 60_000 } });
      const answers = await Promise.all(Array.from({ length: 30 }, () => answer(serving, 'shadowed')));
      assert.ok(answers.every((a) => a.role === 'stable' && a.value === 3));
      for (let i = 0; i < 100 && (await serving.getDeployment('shadowed')).candidate!.stats.requests < 30; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal((await serving.getDeployment('shadowed')).candidate!.stats.requests, 30);
      await serving.inferenceLog!.flush();
      const rows = await new InferenceLogReader(logDir).read({ deployment: 'shadowed' });
      assert.equal(rows.filter((r) => r.role === 'shadow').length, 30);
      assert.ok(rows.filter((r) => r.role === 'shadow').every((r) => r.prediction === 6 && r.modelVersion === '2'));
      assert.ok(rows.filter((r) => r.role === 'stable').every((r) => r.prediction === 3));
      assert.deepEqual(rows[0].features, { X: [1, 2] });
    });

    test('a canary within bounds is promoted automatically, with the reason in the history and the audit trail', async () => {
      await serving.createDeployment({ name: 'promo', modelUri: 'models:/m/1', canaryUri: 'models:/m/2', canaryPercent: 50, policy: { minRequests: 10, maxLatencyRatio: 1000, latencySlackMs: 1000 } });
      for (let i = 0; i < 200 && (await serving.getDeployment('promo', 0)).candidate; i++) await answer(serving, 'promo');
      const d = await settled(serving, 'promo', 'promote');
      assert.equal(d.candidate, null);
      assert.equal(d.stable.uri, 'models:/m/2');
      const promote = d.history.find((e) => e.action === 'promote')!;
      assert.match(promote.reason, /^automatic: candidate served 10 requests/);
      assert.equal((await answer(serving, 'promo')).value, 6);
      const trail = await audit.list({ entityType: 'deployment', entityId: 'promo' });
      assert.deepEqual(trail.map((e) => e.action), ['create', 'promote']);
      assert.equal(trail[1].actor, 'pharos-rollout');
    });

    test('a canary that fails requests stable accepts is rolled back at once; no caller sees a failure', async () => {
      await serving.createDeployment({ name: 'breach', modelUri: 'models:/m/1', canaryUri: 'models:/m/3', canaryPercent: 50, policy: { minRequestsForBreach: 5, minRequests: 1000 } });
      const answers = [];
      for (let i = 0; i < 100; i++) answers.push(await answer(serving, 'breach'));
      assert.ok(answers.every((a) => a.value === 3));
      const d = await settled(serving, 'breach', 'rollback');
      assert.equal(d.candidate, null);
      const rollback = d.history.find((e) => e.action === 'rollback')!;
      assert.match(rollback.reason, /^automatic: candidate error rate 100\.00% over 5 requests/);
      assert.equal(rollback.details!.removed, 'models:/m/3');
    });

    test('promote and rollback by hand; bad requests stay 400s and do not count against the canary', async () => {
      await serving.createDeployment({ name: 'manual', modelUri: 'models:/m/1', policy: { autoPromote: false } });
      await assert.rejects(serving.promote('manual'), /no candidate/);
      await serving.updateDeployment('manual', { canaryUri: 'models:/m/2', canaryPercent: 100 });
      await assert.rejects(serving.predict('manual', { kind: 'tensor', data: [[1, 2, 3]] }), (e: any) => e.status === 400 && /expected shape \[-1, 2\]/.test(e.message));
      assert.equal((await serving.getDeployment('manual')).candidate!.stats.errors, 0);
      assert.equal((await answer(serving, 'manual')).value, 6);
      await serving.rollback('manual', 'not yet');
      assert.equal((await answer(serving, 'manual')).value, 3);
      await serving.updateDeployment('manual', { canaryUri: 'models:/m/2', canaryPercent: 0 });
      const d = await serving.promote('manual', 'looks good');
      assert.equal(d.stable.uri, 'models:/m/2');
      assert.deepEqual(d.history.map((e) => e.action), ['create', 'update', 'rollback', 'update', 'promote']);
      assert.equal(d.history[2].reason, 'not yet');
    });

    test('moving an alias switches traffic under concurrent load with zero failed requests', async () => {
      await serving.createDeployment({ name: 'alias', modelUri: 'models:/m@champion' });
      let failures = 0;
      const seen: number[] = [];
      let stop = false;
      const clients = Array.from({ length: 8 }, async () => {
        while (!stop) {
          try {
            seen.push((await answer(serving, 'alias')).value);
          } catch {
            failures++;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 100));
      resolver.map.set('models:/m@champion', { version: 2, path: v2 });
      await serving.refresh();
      const switchedAt = seen.length;
      await new Promise((r) => setTimeout(r, 100));
      stop = true;
      await Promise.all(clients);
      assert.equal(failures, 0);
      assert.ok(seen.includes(3) && seen.includes(6), 'both versions answered');
      // After the swap, no request that started later got the old model.
      const after = seen.slice(switchedAt + 8);
      assert.ok(after.length > 0 && after.every((v) => v === 6));
      const d = await serving.getDeployment('alias');
      assert.equal(d.stable.modelVersion, '2');
      assert.match(d.history.at(-1)!.reason, /models:\/m@champion moved from version 1 to 2/);
    });

    test('a model that fails to load leaves the deployment not ready with the reason', async () => {
      await serving.createDeployment({ name: 'broken', modelUri: 'models:/m/4' });
      const d = await serving.getDeployment('broken');
      assert.equal(d.ready, false);
      assert.match(d.reason!, /not a valid ONNX model|protobuf|invalid/i);
      await assert.rejects(serving.predict('broken', row), (e: any) => e.status === 503 && /not ready/.test(e.message));
      assert.equal((await answer(serving, 'split')).value > 0, true, 'other deployments keep serving');
    });

    test('a request of many rows runs in chunks and comes back whole and in order', async () => {
      await serving.createDeployment({ name: 'big', modelUri: 'models:/m/1' });
      const data = Array.from({ length: 1000 }, (_, i) => [i, 1]);
      const r = await serving.predict('big', { kind: 'tensor', data });
      assert.equal(r.rows, 1000);
      assert.deepEqual(r.outputs.variable.shape, [1000]);
      assert.deepEqual(Array.from(r.outputs.variable.data as Float32Array), data.map(([a, b]) => a + b));
    });

    test('a slow request does not stall the others: a small request sent after a huge one is answered first', async () => {
      await serving.createDeployment({ name: 'mixed', modelUri: 'models:/m/1' });
      const data = Array.from({ length: 200_000 }, (_, i) => [i % 1000, 1]);
      const order: string[] = [];
      const huge = serving.predict('mixed', { kind: 'tensor', data }).then((r) => {
        order.push('huge');
        return r;
      });
      await new Promise((r) => setImmediate(r));
      const small = serving.predict('mixed', row).then((r) => {
        order.push('small');
        return r;
      });
      const [h, s] = await Promise.all([huge, small]);
      assert.deepEqual(order, ['small', 'huge']);
      assert.equal(h.rows, 200_000);
      assert.equal((h.outputs.variable.data as Float32Array)[199_999], (199_999 % 1000) + 1);
      assert.equal((s.outputs.variable.data as Float32Array)[0], 3);
    });

    test('bad deployment specs are 4xx', async () => {
      await assert.rejects(serving.createDeployment({ name: 'split', modelUri: 'models:/m/1' }), (e: any) => e.status === 400 && /already exists/.test(e.message));
      await assert.rejects(serving.createDeployment({ name: 'x y', modelUri: 'models:/m/1' }), (e: any) => e.status === 400);
      await assert.rejects(serving.createDeployment({ name: 'pct', modelUri: 'models:/m/1', canaryUri: 'models:/m/2', canaryPercent: 150 }), (e: any) => e.status === 400 && /0 to 100/.test(e.message));
      await assert.rejects(serving.createDeployment({ name: 'pol', modelUri: 'models:/m/1', policy: { nope: 1 } as any }), (e: any) => e.status === 400 && /unknown policy field 'nope'/.test(e.message));
      await assert.rejects(serving.getDeployment('missing'), (e: any) => e.status === 404);
    });

    test('deployments and their rollouts survive a restart', async () => {
      const again = new ServingService({ store, audit, resolver, inferenceLogDir: null, options: { workers: 0, refreshIntervalMs: 0 } });
      await again.start();
      assert.equal((await again.getDeployment('split', 0)).stable.state, 'loading');
      again.activate();
      try {
        const d = await again.getDeployment('split');
        assert.equal(d.candidate!.uri, 'models:/m/2');
        assert.equal(d.candidate!.percent, 50);
        assert.equal(d.policy.autoPromote, false);
        for (let i = 0; i < 1000 && !(await again.getDeployment('split', 0)).ready; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal((await answer(again, 'split')).value > 0, true);
      } finally {
        await again.close();
      }
    });
  });
}
