import type { Db, Store } from '../../store/index.ts';
import { invalidParameter } from '../../core/errors.ts';
import type { Label } from './metrics.ts';

export interface GroundTruth {
  request_id: string;
  label: Label;
}

/** Most labels one call accepts; larger files are sent in several calls (the CLI does). */
export const MAX_LABELS_PER_CALL = 100_000;
const WRITE_CHUNK = 500;
const READ_CHUNK = 900;

/** Checks a POSTed body item by item, so the 400 names the first bad entry. */
export function validateLabels(input: unknown): GroundTruth[] {
  if (!Array.isArray(input)) throw invalidParameter('labels must be a JSON array of {request_id, label}');
  if (input.length === 0) throw invalidParameter('labels is empty');
  if (input.length > MAX_LABELS_PER_CALL) throw invalidParameter(`at most ${MAX_LABELS_PER_CALL} labels per call, got ${input.length}`);
  return input.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw invalidParameter(`labels[${i}] must be an object {request_id, label}`);
    const { request_id, label } = item as Record<string, unknown>;
    if (typeof request_id !== 'string' || request_id.length === 0 || request_id.length > 256) {
      throw invalidParameter(`labels[${i}].request_id must be a non-empty string of at most 256 characters`);
    }
    if (!(typeof label === 'string' || typeof label === 'boolean' || (typeof label === 'number' && Number.isFinite(label)))) {
      throw invalidParameter(`labels[${i}].label must be a string, a finite number or a boolean (request_id ${request_id})`);
    }
    return { request_id, label };
  });
}

/**
 * Late ground truth, keyed by the inference log's request id. A label sent twice for the same request
 * replaces the first (corrections happen); joins to predictions happen at monitor-run time.
 */
export class LabelStore {
  constructor(private readonly store: Store) {}

  async put(labels: GroundTruth[], receivedAt = Date.now()): Promise<{ stored: number }> {
    // The last label for a request within one call wins; duplicates inside one multi-row upsert would fail on PostgreSQL.
    const latest = new Map<string, Label>();
    for (const l of labels) latest.set(l.request_id, l.label);
    const rows = [...latest].map(([request_id, label]) => ({ request_id, label: JSON.stringify(label), received_at: receivedAt }));
    await this.store.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
        await trx
          .insertInto('monitoring_labels')
          .values(rows.slice(i, i + WRITE_CHUNK))
          .onConflict((oc) => oc.column('request_id').doUpdateSet((eb) => ({ label: eb.ref('excluded.label'), received_at: eb.ref('excluded.received_at') })))
          .execute();
      }
    });
    return { stored: rows.length };
  }

  /** Labels for these requests (missing ones are simply absent). */
  async get(requestIds: readonly string[], db: Db = this.store.db): Promise<Map<string, Label>> {
    const out = new Map<string, Label>();
    const unique = [...new Set(requestIds)];
    for (let i = 0; i < unique.length; i += READ_CHUNK) {
      const rows = await db
        .selectFrom('monitoring_labels')
        .select(['request_id', 'label'])
        .where('request_id', 'in', unique.slice(i, i + READ_CHUNK))
        .execute();
      for (const r of rows) out.set(r.request_id, JSON.parse(r.label) as Label);
    }
    return out;
  }

  async count(): Promise<number> {
    const r = await this.store.db.selectFrom('monitoring_labels').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
