import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonitorScheduler } from './monitor-scheduler.ts';
import type { Monitor } from './types.ts';

const monitor = (id: string, schedule: string | undefined, enabled = true): Monitor => ({
  id,
  name: id,
  deployment: 'd',
  enabled,
  createdAt: 0,
  updatedAt: 0,
  spec: { task: 'binary', reference: { type: 'upload' }, window: { type: 'count', size: 1 }, checks: {}, alerts: [], schedule },
});

test('scheduled monitors run on their cron; disabled and unscheduled ones do not; stop ends every job', async () => {
  const ran: string[] = [];
  let firstRun!: () => void;
  const fired = new Promise<void>((r) => (firstRun = r));
  const scheduler = new MonitorScheduler(async (id) => {
    ran.push(id);
    firstRun();
  });
  scheduler.sync(monitor('before-start', '* * * * * *'));
  assert.equal(scheduler.nextRun('before-start'), null, 'nothing is planned before start');
  scheduler.start([monitor('every-second', '* * * * * *'), monitor('off', '* * * * * *', false), monitor('manual', undefined)]);
  assert.ok(scheduler.nextRun('every-second') instanceof Date);
  assert.equal(scheduler.nextRun('off'), null);
  assert.equal(scheduler.nextRun('manual'), null);
  await fired;
  assert.deepEqual(new Set(ran), new Set(['every-second']));
  scheduler.sync(monitor('every-second', '* * * * * *', false));
  assert.equal(scheduler.nextRun('every-second'), null, 'disabling unplans it');
  scheduler.sync(monitor('hourly', '0 * * * *'));
  assert.equal(scheduler.nextRun('hourly')!.getMinutes(), 0);
  scheduler.stop();
  assert.equal(scheduler.nextRun('hourly'), null);
});
