import type { Generated } from 'kysely';

/** A deployment: what the server serves under a name, and how traffic is split between stable and candidate. */
export interface ServingDeploymentsTable {
  name: string;
  /** Model URI serving the traffic (usually an alias, `models:/churn@champion`, re-resolved when it moves). */
  stable_uri: string;
  /** Candidate model URI, when a rollout is in progress. */
  candidate_uri: string | null;
  /** 'canary' (gets `canary_percent` of traffic) or 'shadow' (gets a copy; answers never returned). */
  candidate_mode: string | null;
  canary_percent: number;
  /** JSON: rollout policy (auto-promotion bounds) and batching options. */
  config: string;
  /** When the current rollout began (auto-promotion's time bound counts from here). */
  rollout_started_at: number | null;
  creation_time: number;
  last_updated_time: number;
}

/** Every routing change of a deployment with its reason (also written to the audit trail). */
export interface ServingDeploymentEventsTable {
  id: Generated<number>;
  deployment: string;
  timestamp: number;
  /** create, update, canary, shadow, promote, rollback, model_switched, delete */
  action: string;
  reason: string;
  /** JSON: URIs/versions before and after, rollout statistics. */
  details: string | null;
}

export interface ServingTables {
  serving_deployments: ServingDeploymentsTable;
  serving_deployment_events: ServingDeploymentEventsTable;
}
