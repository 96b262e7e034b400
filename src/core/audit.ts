/**
 * Every state change can be written to an audit trail. Services call `audit.record(...)`; the store
 * keeps the events in `audit_events`. Governance will later hash-chain them; the seam is this one call.
 */
export interface AuditEvent {
  /** What kind of thing changed, e.g. 'registered_model', 'model_version', 'deployment'. */
  entityType: string;
  entityId: string;
  /** Verb, e.g. 'create', 'transition_stage', 'set_alias', 'rollback'. */
  action: string;
  actor?: string;
  /** Free-form details, stored as JSON. */
  details?: Record<string, unknown>;
}

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}
