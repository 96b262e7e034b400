import type { Generated } from 'kysely';

export interface AuditEventsTable {
  seq: Generated<number>;
  timestamp: number;
  entity_type: string;
  entity_id: string;
  action: string;
  actor: string | null;
  details: string | null; // JSON
}

export interface AuditTables {
  audit_events: AuditEventsTable;
}
