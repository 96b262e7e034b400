import type { Store } from '../store/index.ts';
import { invalidParameter } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AuditSink } from '../core/audit.ts';
import { LabelStore, validateLabels } from './performance/label-store.ts';
import { MonitorStore } from './monitors/monitor-store.ts';
import { parseMonitorSpec } from './monitors/monitor-spec.ts';
import { executeMonitorRun, monitorRunDriftReport, newMonitorRunId, type TrainingReferenceResolver } from './monitors/monitor-runner.ts';
import { MonitorScheduler } from './monitors/monitor-scheduler.ts';
import { observeFlat } from './monitors/observations.ts';
import { evaluateAlerts } from './alerts/alert-evaluator.ts';
import { WebhookRetrainTrigger, type RetrainTrigger } from './alerts/retrain-trigger.ts';
import { driftReport } from './drift/index.ts';
import type { AlertEvent, DriftEngine, InferenceWindowSource, Monitor, MonitorRun, RequestCounterSource } from './monitors/types.ts';
import type { DriftReport } from './drift/types.ts';

export interface MonitoringDeps {
  store: Store;
  audit?: AuditSink;
  /** The serving inference log (adapted). Without it monitors fail their runs with a clear message. */
  inferenceLog?: InferenceWindowSource;
  /** Default: the Evidently-equivalent `driftReport`. */
  drift?: DriftEngine;
  training?: TrainingReferenceResolver;
  /** The pipelines capability's trigger; monitors without it fall back to their `retrainWebhook`. */
  retrainTrigger?: RetrainTrigger;
  /** Serving's request/error counters per deployment (failed requests are not in the inference log). */
  requestCounters?: RequestCounterSource;
  /** Epoch ms; injectable so cool-downs and windows are testable without waiting. */
  clock?: () => number;
  /** Windows above this many rows are summarised by sketches, approximately (default 1,000,000; see monitors/window-summary.ts). */
  sketchAboveRows?: number;
}

const MAX_REFERENCE_ROWS = 200_000;

/** Monitors over deployments, late labels, performance (realised and estimated) and alerts. Knows nothing of HTTP. */
export class MonitoringService {
  readonly labels: LabelStore;
  readonly monitors: MonitorStore;
  private readonly scheduler: MonitorScheduler;
  private readonly clock: () => number;

  constructor(private readonly deps: MonitoringDeps) {
    this.labels = new LabelStore(deps.store);
    this.monitors = new MonitorStore(deps.store);
    this.clock = deps.clock ?? Date.now;
    // A failing check is stored as a failed run; only store trouble reaches here, and a cron tick has no caller to tell.
    this.scheduler = new MonitorScheduler((id, tick) => this.runScheduled(id, tick), (id, e) => process.emitWarning(`scheduled run of monitor ${id} failed: ${(e as Error).message}`));
  }

  /** Plugs in sources that land after construction (the serving log, the drift engine, a pipelines trigger). */
  configure(patch: Partial<Pick<MonitoringDeps, 'inferenceLog' | 'drift' | 'training' | 'retrainTrigger' | 'requestCounters'>>): void {
    Object.assign(this.deps, patch);
  }

  async recordLabels(input: unknown): Promise<{ stored: number }> {
    return this.labels.put(validateLabels(input), this.clock());
  }

  async createMonitor(input: { name: unknown; deployment: unknown; spec: unknown; enabled?: unknown }): Promise<Monitor> {
    const name = requireName(input.name, 'name');
    const deployment = requireName(input.deployment, 'deployment');
    const spec = parseMonitorSpec(input.spec);
    const now = this.clock();
    const monitor: Monitor = { id: newId('mon-'), name, deployment, enabled: input.enabled === undefined ? true : input.enabled === true, spec, createdAt: now, updatedAt: now };
    await this.monitors.create(monitor);
    await this.deps.audit?.record({ entityType: 'monitor', entityId: monitor.id, action: 'create', details: { name, deployment } });
    this.scheduler.sync(monitor);
    return monitor;
  }

  async updateMonitor(idOrName: string, patch: { name?: unknown; deployment?: unknown; spec?: unknown; enabled?: unknown }): Promise<Monitor> {
    const current = await this.monitors.get(idOrName);
    if (patch.enabled !== undefined && typeof patch.enabled !== 'boolean') throw invalidParameter('enabled must be a boolean');
    const next: Monitor = {
      ...current,
      name: patch.name === undefined ? current.name : requireName(patch.name, 'name'),
      deployment: patch.deployment === undefined ? current.deployment : requireName(patch.deployment, 'deployment'),
      spec: patch.spec === undefined ? current.spec : parseMonitorSpec(patch.spec),
      enabled: patch.enabled === undefined ? current.enabled : (patch.enabled as boolean),
      updatedAt: this.clock(),
    };
    await this.monitors.update(next);
    await this.deps.audit?.record({ entityType: 'monitor', entityId: next.id, action: 'update', details: { name: next.name } });
    this.scheduler.sync(next);
    return next;
  }

  getMonitor(idOrName: string): Promise<Monitor> {
    return this.monitors.get(idOrName);
  }

  listMonitors(filter: { deployment?: string } = {}): Promise<Monitor[]> {
    return this.monitors.list(filter);
  }

  async deleteMonitor(idOrName: string): Promise<void> {
    const m = await this.monitors.get(idOrName);
    this.scheduler.remove(m.id);
    await this.monitors.delete(m.id);
    await this.deps.audit?.record({ entityType: 'monitor', entityId: m.id, action: 'delete', details: { name: m.name } });
  }

  /** Replaces the monitor's uploaded reference with flat rows (features, plus `label`/`prediction`/`score` when known). */
  async uploadReference(idOrName: string, rows: unknown, opts: { labelColumn?: string; source?: string } = {}): Promise<{ rows: number }> {
    const m = await this.monitors.get(idOrName);
    if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter('rows must be a non-empty array of objects');
    if (rows.length > MAX_REFERENCE_ROWS) throw invalidParameter(`at most ${MAX_REFERENCE_ROWS} reference rows, got ${rows.length}`);
    const observed = rows.map((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) throw invalidParameter(`rows[${i}] must be an object`);
      return observeFlat(r as Record<string, unknown>, m.spec, opts.labelColumn);
    });
    await this.monitors.putReference(m.id, opts.source ?? 'upload', observed);
    return { rows: observed.length };
  }

  /** Runs the monitor now over its window; the run (results or the error) and its alerts are stored. */
  async runMonitor(idOrName: string): Promise<MonitorRun> {
    const monitor = await this.monitors.get(idOrName);
    return this.execute(monitor, newMonitorRunId(), false);
  }

  /**
   * A cron tick's run. The run id is derived from the tick, and claimed in the store before anything
   * runs: with several replicas on one database, exactly one runs (and alerts for) each tick. Null when
   * another replica has it.
   */
  async runScheduled(monitorId: string, tickMs: number): Promise<MonitorRun | null> {
    const monitor = await this.monitors.get(monitorId);
    const id = `mr-${monitor.id}-${tickMs}`;
    const startedAt = this.clock();
    const claimed = await this.monitors.claimRun({ id, monitorId: monitor.id, startedAt, finishedAt: startedAt, windowStart: null, windowEnd: null, rowCount: 0, status: 'running', results: null, error: null });
    return claimed ? this.execute(monitor, id, true) : null;
  }

  private async execute(monitor: Monitor, runId: string, claimed: boolean): Promise<MonitorRun> {
    const startedAt = this.clock();
    const run: MonitorRun = { id: runId, monitorId: monitor.id, startedAt, finishedAt: startedAt, windowStart: null, windowEnd: null, rowCount: 0, status: 'ok', results: null, error: null };
    try {
      const previous = this.deps.requestCounters ? (await this.monitors.runs(monitor.id, { limit: 5 })).find((r) => r.results?.servingCounters) : undefined;
      const results = await executeMonitorRun(
        monitor,
        {
          source: this.deps.inferenceLog,
          labels: this.labels,
          drift: this.deps.drift ?? driftReport,
          training: this.deps.training,
          uploadedReference: (id) => this.monitors.getReference(id),
          requestCounters: this.deps.requestCounters,
          previousCounters: previous?.results?.servingCounters,
          sketchAboveRows: this.deps.sketchAboveRows,
        },
        startedAt,
      );
      run.results = results;
      run.windowStart = results.window.from;
      run.windowEnd = results.window.to;
      run.rowCount = results.window.rows;
    } catch (e) {
      run.status = 'failed';
      run.error = (e as Error).message;
    }
    run.finishedAt = Math.max(this.clock(), startedAt);
    let events: AlertEvent[] = [];
    if (run.status === 'ok') {
      events = await evaluateAlerts(monitor, run, {
        lastFired: (id, rule) => this.monitors.lastFired(id, rule),
        // Runs other replicas are still making (and this run's own claim) are not history yet.
        previousRuns: async (id, limit) => (await this.monitors.runs(id, { limit: limit + 5 })).filter((r) => r.id !== run.id && r.status !== 'running').slice(0, limit),
        retrainTrigger: (m) => this.deps.retrainTrigger ?? (m.spec.retrainWebhook ? new WebhookRetrainTrigger(m.spec.retrainWebhook) : null),
      });
      if (events.some((e) => e.status === 'fired')) run.status = 'alerting';
    }
    await this.monitors.saveRun(run, events, claimed);
    return { ...run, alerts: events };
  }

  history(idOrName: string, opts: { limit?: number; before?: number; status?: string } = {}): Promise<MonitorRun[]> {
    return this.monitors.get(idOrName).then((m) => this.monitors.runs(m.id, opts));
  }

  getRun(runId: string): Promise<MonitorRun> {
    return this.monitors.run(runId);
  }

  /** A past run's window as a full drift report (with both distributions per column), for the HTML report. */
  async runDriftReport(runId: string): Promise<{ monitor: Monitor; run: MonitorRun; report: DriftReport }> {
    const run = await this.monitors.run(runId);
    const monitor = await this.monitors.get(run.monitorId);
    const report = await monitorRunDriftReport(monitor, run, {
      source: this.deps.inferenceLog,
      labels: this.labels,
      drift: this.deps.drift ?? driftReport,
      training: this.deps.training,
      uploadedReference: (id) => this.monitors.getReference(id),
    });
    return { monitor, run, report };
  }

  async alerts(filter: { monitor?: string; rule?: string; status?: string; since?: number; limit?: number } = {}): Promise<AlertEvent[]> {
    const monitorId = filter.monitor ? (await this.monitors.get(filter.monitor)).id : undefined;
    return this.monitors.alerts({ monitorId, ruleName: filter.rule, status: filter.status, since: filter.since, limit: filter.limit });
  }

  /** Starts the cron schedules (the server does; the CLI and tests need not). */
  async startScheduler(): Promise<void> {
    this.scheduler.start(await this.monitors.list());
  }

  nextScheduledRun(monitorId: string): Date | null {
    return this.scheduler.nextRun(monitorId);
  }

  stopScheduler(): void {
    this.scheduler.stop();
  }
}

function requireName(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 256) throw invalidParameter(`${what} must be a non-empty string of at most 256 characters`);
  return v;
}
