import type { Store } from '../store/index.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import type { AuditLog } from '../governance/index.ts';
import type { TrackingService } from '../tracking/index.ts';

export interface RegistryDeps {
  store: Store;
  artifacts: ArtifactStore;
  audit: AuditLog;
  tracking: TrackingService;
}

/** Registered models, versions, stages, aliases, tags. Knows nothing of HTTP. */
export class RegistryService {
  constructor(readonly deps: RegistryDeps) {}
}
