/**
 * The typed TypeScript client for a Pharos server. One part per capability, each usable on its own
 * (`new TrackingClient(url)`), or all together through `PharosClient`.
 */
import { TrackingClient } from './tracking-client.ts';
import { RegistryClient } from './registry-client.ts';

export { TrackingClient, TrackingClientError, type ExperimentInfo, type RunInfo, type MetricPoint, type MetricToLog, type PageOf, type ViewType } from './tracking-client.ts';
export { RegistryClient, RegistryClientError, type ModelVersionInfo, type RegisteredModelInfo } from './registry-client.ts';

export interface PharosClientOptions {
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export class PharosClient {
  readonly tracking: TrackingClient;
  readonly registry: RegistryClient;

  constructor(
    readonly baseUrl: string,
    opts: PharosClientOptions = {},
  ) {
    this.tracking = new TrackingClient(baseUrl, opts.fetch, opts.headers);
    this.registry = new RegistryClient(baseUrl, opts.fetch, opts.headers);
  }
}
