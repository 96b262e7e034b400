import type { Db, Store } from '../store/index.ts';
import type { AuditEvent, AuditSink } from '../core/audit.ts';

export interface AuditRecord extends AuditEvent {
  seq: number;
  timestamp: number;
}

/** Audit trail kept in the store. Append-only from the services' point of view (no update/delete API). */
export class AuditLog implements AuditSink {
  constructor(private readonly store: Store) {}

  async record(event: AuditEvent, db: Db = this.store.db): Promise<void> {
    await db
      .insertInto('audit_events')
      .values({
        timestamp: Date.now(),
        entity_type: event.entityType,
        entity_id: event.entityId,
        action: event.action,
        actor: event.actor ?? null,
        details: event.details ? JSON.stringify(event.details) : null,
      })
      .execute();
  }

  async list(filter: { entityType?: string; entityId?: string; limit?: number } = {}): Promise<AuditRecord[]> {
    let q = this.store.db.selectFrom('audit_events').selectAll().orderBy('seq', 'asc');
    if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
    if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
    const rows = await q.limit(Math.min(filter.limit ?? 1000, 10000)).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      timestamp: Number(r.timestamp),
      entityType: r.entity_type,
      entityId: r.entity_id,
      action: r.action,
      actor: r.actor ?? undefined,
      details: r.details ? JSON.parse(r.details) : undefined,
    }));
  }
}
