import { join, resolve } from 'node:path';
import { openStore, defaultStoreUri, type Store } from './store/index.ts';
import { LocalArtifactStore, type ArtifactStore } from './artifacts/index.ts';
import { AuditLog } from './governance/index.ts';
import { TrackingService } from './tracking/index.ts';
import { RegistryService } from './registry/index.ts';
import { ServingService, RegistryModelResolver, InferenceLogReader, servingOptionsFromEnv } from './serving/index.ts';
import { MonitoringService, inferenceLogSource, lineageTrainingReference, rolloutQualitySource, servingRequestCounters } from './monitoring/index.ts';

export interface PharosConfig {
  /** Folder holding the embedded database and artifacts. Default ./pharos-data */
  dataDir: string;
  /** Overrides the embedded SQLite store: `postgresql://...` or a SQLite file path. */
  storeUri?: string;
  /** Overrides `<dataDir>/artifacts`. */
  artifactRoot?: string;
}

/** The composition root: every service, built once, shared by the HTTP routes, the CLI and the UI. */
export interface Pharos {
  readonly config: PharosConfig;
  readonly store: Store;
  readonly artifacts: ArtifactStore;
  readonly audit: AuditLog;
  readonly tracking: TrackingService;
  readonly registry: RegistryService;
  readonly serving: ServingService;
  readonly monitoring: MonitoringService;
  close(): Promise<void>;
}

export async function createPharos(config: Partial<PharosConfig> = {}): Promise<Pharos> {
  const dataDir = resolve(config.dataDir ?? 'pharos-data');
  const full: PharosConfig = { ...config, dataDir };
  const store = await openStore(config.storeUri ?? defaultStoreUri(dataDir));
  const artifacts = new LocalArtifactStore(config.artifactRoot ?? join(dataDir, 'artifacts'));
  const audit = new AuditLog(store);
  const tracking = new TrackingService({ store, artifacts, audit });
  const registry = new RegistryService({ store, artifacts, audit, tracking });
  const monitoring = new MonitoringService({ store, audit });
  const closers: Array<() => Promise<void>> = [];
  const serving = new ServingService({
    store,
    audit,
    resolver: new RegistryModelResolver((uri) => registry.resolveModelUri(uri), artifacts),
    inferenceLogDir: join(dataDir, 'inference-log'),
    options: servingOptionsFromEnv(),
  });
  await serving.start();
  // Monitors read the same log serving writes, and find training data through deployment → version → run lineage.
  monitoring.configure({
    inferenceLog: inferenceLogSource(new InferenceLogReader(join(dataDir, 'inference-log'))),
    training: lineageTrainingReference({ serving, registry, tracking }),
    requestCounters: servingRequestCounters(serving),
  });
  // Canary rollouts compare accuracy once labels arrive: the same log joined to the labels monitors use.
  serving.setRolloutQualitySource(rolloutQualitySource(new InferenceLogReader(join(dataDir, 'inference-log')), monitoring.labels));
  closers.push(() => serving.close());
  closers.push(async () => monitoring.stopScheduler());
  return {
    config: full,
    store,
    artifacts,
    audit,
    tracking,
    registry,
    serving,
    monitoring,
    async close() {
      for (const c of closers.reverse()) await c();
      await store.close();
    },
  };
}
