import type { Store } from '../store/index.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import type { AuditLog } from '../governance/index.ts';

export interface TrackingDeps {
  store: Store;
  artifacts: ArtifactStore;
  audit: AuditLog;
}

/** Experiments, runs, params, metrics, tags, datasets and logged models. Knows nothing of HTTP. */
export class TrackingService {
  constructor(readonly deps: TrackingDeps) {}
}
