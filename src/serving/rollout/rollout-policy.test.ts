import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ROLLOUT_POLICY, SlotStats, evaluateRollout, routeCanary } from './rollout-policy.ts';

const stats = (n: number, latencyMs: number, errors = 0) => {
  const s = new SlotStats();
  for (let i = 0; i < n; i++) s.record(latencyMs, i >= errors);
  return s;
};
const policy = { ...DEFAULT_ROLLOUT_POLICY, minRequests: 50, minRequestsForBreach: 20, maxErrorRateIncrease: 0.05, maxLatencyRatio: 2, latencySlackMs: 1 };

test('routeCanary sends exactly the configured share', () => {
  assert.equal(routeCanary(10, 0.05), 'candidate');
  assert.equal(routeCanary(10, 0.1), 'stable');
  assert.equal(routeCanary(0, 0), 'stable');
  assert.equal(routeCanary(100, 0.999), 'candidate');
});

test('waits until the candidate has served enough requests for long enough', () => {
  assert.deepEqual(evaluateRollout(stats(100, 1), stats(49, 1), policy, 0, 1000), { action: 'wait' });
  assert.deepEqual(evaluateRollout(stats(100, 1), stats(60, 1), { ...policy, minDurationMs: 5000 }, 0, 1000), { action: 'wait' });
  const d = evaluateRollout(stats(100, 1), stats(60, 1), { ...policy, minDurationMs: 5000 }, 0, 6000);
  assert.equal(d.action, 'promote');
  assert.equal(evaluateRollout(stats(100, 1), stats(60, 1), { ...policy, autoPromote: false }, 0, 6000).action, 'wait');
});

test('an error rate above stable plus the allowance rolls back at once, before minRequests', () => {
  const d = evaluateRollout(stats(100, 1, 1), stats(20, 1, 3), policy, 0);
  assert.equal(d.action, 'rollback');
  assert.match((d as { reason: string }).reason, /error rate 15\.00% over 20 requests exceeds stable's 1\.00% \+ 5\.00 points/);
  // Within the allowance: no breach.
  assert.equal(evaluateRollout(stats(100, 1, 1), stats(20, 1, 1), policy, 0).action, 'wait');
  // Too few requests to judge.
  assert.equal(evaluateRollout(stats(100, 1), stats(19, 1, 19), policy, 0).action, 'wait');
});

test('a p99 above stable p99 x ratio + slack rolls back', () => {
  const d = evaluateRollout(stats(100, 2), stats(30, 6), policy, 0);
  assert.equal(d.action, 'rollback');
  assert.match((d as { reason: string }).reason, /p99 latency 6\.00 ms exceeds 5\.00 ms/);
  assert.equal(evaluateRollout(stats(100, 2), stats(30, 4.9), policy, 0).action, 'wait');
});

test('SlotStats keeps a window of recent latencies for its quantiles', () => {
  const s = new SlotStats(4);
  for (const ms of [100, 100, 100, 100, 1, 2, 3, 4]) s.record(ms, true);
  assert.equal(s.quantile(0.99), 4);
  assert.equal(s.quantile(0.5), 2);
  assert.equal(s.requests, 8);
});

test('once enough labels arrive on both sides, lower candidate accuracy rolls back; fewer labels are not judged', () => {
  const q = (stableAcc: number, candAcc: number, n: number) => ({ stable: { labelled: n, accuracy: stableAcc }, candidate: { labelled: n, accuracy: candAcc } });
  const p = { ...policy, minLabelled: 30, maxAccuracyDrop: 0.02 };
  const worse = evaluateRollout(stats(100, 1), stats(10, 1), p, 0, 1000, q(0.9, 0.85, 30));
  assert.equal(worse.action, 'rollback');
  assert.match((worse as { reason: string }).reason, /candidate accuracy 85\.00% on 30 labelled requests is below stable's 90\.00% \(30 labelled\) - 2\.00 points/);
  assert.deepEqual(evaluateRollout(stats(100, 1), stats(10, 1), p, 0, 1000, q(0.9, 0.85, 29)), { action: 'wait' });
  assert.deepEqual(evaluateRollout(stats(100, 1), stats(10, 1), p, 0, 1000, q(0.9, 0.89, 30)), { action: 'wait' });
  const promoted = evaluateRollout(stats(100, 1), stats(60, 1), p, 0, 1000, q(0.9, 0.91, 40));
  assert.equal(promoted.action, 'promote');
  assert.match((promoted as { reason: string }).reason, /accuracy 91\.00% vs stable 90\.00% on 40\/40 labelled requests/);
});
