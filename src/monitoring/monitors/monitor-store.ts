import type { Db, Store } from '../../store/index.ts';
import { alreadyExists, notFound } from '../../core/errors.ts';
import type { MonitorsTable, MonitorRunsTable, AlertEventsTable } from '../../store/index.ts';
import type { AlertEvent, Monitor, MonitorRun, MonitorSpec, ObservedRow } from './types.ts';

const toMonitor = (r: MonitorsTable): Monitor => ({
  id: r.monitor_id,
  name: r.name,
  deployment: r.deployment,
  enabled: Number(r.enabled) === 1,
  spec: JSON.parse(r.spec) as MonitorSpec,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toRun = (r: MonitorRunsTable): MonitorRun => ({
  id: r.run_id,
  monitorId: r.monitor_id,
  startedAt: Number(r.started_at),
  finishedAt: Number(r.finished_at),
  windowStart: r.window_start === null ? null : Number(r.window_start),
  windowEnd: r.window_end === null ? null : Number(r.window_end),
  rowCount: Number(r.row_count),
  status: r.status as MonitorRun['status'],
  results: r.results ? JSON.parse(r.results) : null,
  error: r.error,
});

export const toAlertEvent = (r: AlertEventsTable): AlertEvent => ({
  id: r.event_id,
  monitorId: r.monitor_id,
  ruleName: r.rule_name,
  runId: r.run_id,
  firedAt: Number(r.fired_at),
  status: r.status as AlertEvent['status'],
  value: r.value === null ? null : Number(r.value),
  message: r.message,
  deliveries: JSON.parse(r.deliveries),
  retrainRunId: r.retrain_run_id,
});

const isUniqueViolation = (e: unknown) => /unique|duplicate key/i.test(String((e as Error)?.message));

/** Persistence of monitors, their reference uploads, run history and alert history. */
export class MonitorStore {
  constructor(private readonly store: Store) {}

  get db(): Db {
    return this.store.db;
  }

  async create(m: Monitor): Promise<void> {
    try {
      await this.store.db
        .insertInto('monitors')
        .values({ monitor_id: m.id, name: m.name, deployment: m.deployment, spec: JSON.stringify(m.spec), enabled: m.enabled ? 1 : 0, created_at: m.createdAt, updated_at: m.updatedAt })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(`monitor named "${m.name}" already exists`);
      throw e;
    }
  }

  async update(m: Monitor): Promise<void> {
    try {
      await this.store.db
        .updateTable('monitors')
        .set({ name: m.name, deployment: m.deployment, spec: JSON.stringify(m.spec), enabled: m.enabled ? 1 : 0, updated_at: m.updatedAt })
        .where('monitor_id', '=', m.id)
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw alreadyExists(`monitor named "${m.name}" already exists`);
      throw e;
    }
  }

  /** By id or by name. */
  async get(idOrName: string): Promise<Monitor> {
    const row = await this.store.db
      .selectFrom('monitors')
      .selectAll()
      .where((eb) => eb.or([eb('monitor_id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (!row) throw notFound(`monitor "${idOrName}" does not exist`);
    return toMonitor(row);
  }

  async list(filter: { deployment?: string } = {}): Promise<Monitor[]> {
    let q = this.store.db.selectFrom('monitors').selectAll().orderBy('name');
    if (filter.deployment) q = q.where('deployment', '=', filter.deployment);
    return (await q.execute()).map(toMonitor);
  }

  async delete(id: string): Promise<void> {
    await this.store.transaction(async (trx) => {
      await trx.deleteFrom('alert_events').where('monitor_id', '=', id).execute();
      await trx.deleteFrom('monitor_runs').where('monitor_id', '=', id).execute();
      await trx.deleteFrom('monitor_references').where('monitor_id', '=', id).execute();
      await trx.deleteFrom('monitors').where('monitor_id', '=', id).execute();
    });
  }

  async putReference(monitorId: string, source: string, rows: ObservedRow[]): Promise<void> {
    const values = { monitor_id: monitorId, source, row_count: rows.length, rows: JSON.stringify(rows), created_at: Date.now() };
    await this.store.db
      .insertInto('monitor_references')
      .values(values)
      .onConflict((oc) => oc.column('monitor_id').doUpdateSet({ source: values.source, row_count: values.row_count, rows: values.rows, created_at: values.created_at }))
      .execute();
  }

  async getReference(monitorId: string): Promise<{ source: string; rows: ObservedRow[] } | null> {
    const r = await this.store.db.selectFrom('monitor_references').select(['source', 'rows']).where('monitor_id', '=', monitorId).executeTakeFirst();
    return r ? { source: r.source, rows: JSON.parse(r.rows) } : null;
  }

  /**
   * Claims a run id before the run starts (status 'running'). False when the id exists: another replica
   * already took this scheduled tick.
   */
  async claimRun(run: MonitorRun): Promise<boolean> {
    const inserted = await this.store.db
      .insertInto('monitor_runs')
      .values({ run_id: run.id, monitor_id: run.monitorId, started_at: run.startedAt, finished_at: run.startedAt, window_start: null, window_end: null, row_count: 0, status: 'running', results: 'null', error: null })
      .onConflict((oc) => oc.column('run_id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Stores a finished run and its alerts together; a claimed run's row is completed in place. */
  async saveRun(run: MonitorRun, events: AlertEvent[], claimed = false): Promise<void> {
    await this.store.transaction(async (trx) => {
      const values = {
        run_id: run.id,
        monitor_id: run.monitorId,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        window_start: run.windowStart,
        window_end: run.windowEnd,
        row_count: run.rowCount,
        status: run.status,
        results: JSON.stringify(run.results),
        error: run.error,
      };
      if (claimed) await trx.updateTable('monitor_runs').set(values).where('run_id', '=', run.id).execute();
      else await trx.insertInto('monitor_runs').values(values).execute();
      if (events.length > 0) {
        await trx
          .insertInto('alert_events')
          .values(
            events.map((e) => ({
              event_id: e.id,
              monitor_id: e.monitorId,
              rule_name: e.ruleName,
              run_id: e.runId,
              fired_at: e.firedAt,
              status: e.status,
              value: e.value,
              message: e.message,
              deliveries: JSON.stringify(e.deliveries),
              retrain_run_id: e.retrainRunId,
            })),
          )
          .execute();
      }
    });
  }

  /** Newest first. */
  async runs(monitorId: string, opts: { limit?: number; before?: number; status?: string } = {}): Promise<MonitorRun[]> {
    let q = this.store.db.selectFrom('monitor_runs').selectAll().where('monitor_id', '=', monitorId);
    if (opts.before !== undefined) q = q.where('started_at', '<', opts.before);
    if (opts.status) q = q.where('status', '=', opts.status);
    const rows = await q.orderBy('started_at', 'desc').orderBy('run_id', 'desc').limit(Math.min(opts.limit ?? 100, 1000)).execute();
    return rows.map(toRun);
  }

  async run(runId: string): Promise<MonitorRun> {
    const row = await this.store.db.selectFrom('monitor_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (!row) throw notFound(`monitor run "${runId}" does not exist`);
    return toRun(row);
  }

  /** The newest delivered alert of a rule (what its cool-down counts from). */
  async lastFired(monitorId: string, ruleName: string): Promise<AlertEvent | null> {
    const row = await this.store.db
      .selectFrom('alert_events')
      .selectAll()
      .where('monitor_id', '=', monitorId)
      .where('rule_name', '=', ruleName)
      .where('status', '=', 'fired')
      .orderBy('fired_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toAlertEvent(row) : null;
  }

  /** Newest first. */
  async alerts(filter: { monitorId?: string; ruleName?: string; status?: string; since?: number; limit?: number } = {}): Promise<AlertEvent[]> {
    let q = this.store.db.selectFrom('alert_events').selectAll();
    if (filter.monitorId) q = q.where('monitor_id', '=', filter.monitorId);
    if (filter.ruleName) q = q.where('rule_name', '=', filter.ruleName);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.since !== undefined) q = q.where('fired_at', '>=', filter.since);
    const rows = await q.orderBy('fired_at', 'desc').orderBy('event_id', 'desc').limit(Math.min(filter.limit ?? 100, 1000)).execute();
    return rows.map(toAlertEvent);
  }
}
