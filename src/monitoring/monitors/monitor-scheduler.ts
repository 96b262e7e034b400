import { Cron } from 'croner';
import type { Monitor } from './types.ts';

/**
 * Runs scheduled monitors in-process (one cron job per enabled monitor with a schedule). `protect`
 * skips a tick while the previous run of the same monitor is still going. Each run is told the tick it
 * belongs to (the planned time, identical on every replica), so replicas sharing a database can agree
 * that only one of them runs it.
 */
export class MonitorScheduler {
  private readonly jobs = new Map<string, Cron>();
  private started = false;

  constructor(private readonly run: (monitorId: string, tickMs: number) => Promise<unknown>, private readonly onError: (monitorId: string, e: unknown) => void = () => {}) {}

  start(monitors: Monitor[]): void {
    this.started = true;
    for (const m of monitors) this.sync(m);
  }

  /** Re-plans one monitor after it was created, updated or disabled. */
  sync(monitor: Monitor): void {
    if (!this.started) return;
    this.remove(monitor.id);
    if (!monitor.enabled || !monitor.spec.schedule) return;
    let planned: Date | null = null;
    const job = new Cron(monitor.spec.schedule, { protect: true, name: `monitor:${monitor.id}` }, async (self: Cron) => {
      const tick = planned ?? new Date(Math.floor(Date.now() / 1000) * 1000);
      planned = self.nextRun();
      try {
        await this.run(monitor.id, tick.getTime());
      } catch (e) {
        this.onError(monitor.id, e);
      }
    });
    planned = job.nextRun();
    this.jobs.set(monitor.id, job);
  }

  remove(monitorId: string): void {
    this.jobs.get(monitorId)?.stop();
    this.jobs.delete(monitorId);
  }

  nextRun(monitorId: string): Date | null {
    return this.jobs.get(monitorId)?.nextRun() ?? null;
  }

  stop(): void {
    for (const j of this.jobs.values()) j.stop();
    this.jobs.clear();
    this.started = false;
  }
}
