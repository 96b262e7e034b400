import { Counter, Histogram, Gauge, type Registry } from 'prom-client';

/** Prometheus metrics a deployment and model version; created once a registry (server). */
export class ServingMetrics {
  readonly requests: Counter<'deployment' | 'version' | 'role' | 'protocol'>;
  readonly errors: Counter<'deployment' | 'version' | 'role' | 'kind'>;
  readonly latency: Histogram<'deployment' | 'version' | 'role'>;
  readonly batchRows: Histogram<'deployment' | 'version'>;
  readonly batchRequests: Histogram<'deployment' | 'version'>;
  readonly logDropped: Gauge;
  readonly canaryPercent: Gauge<'deployment'>;

  private readonly pendingRequests = new Map<string, { labels: { deployment: string; version: string; role: string; protocol: string }; n: number }>();

  /** One prediction request: a map increment (prom-client validates and hashes labels on every inc). */
  countRequest(deployment: string, version: string, role: string, protocol: string): void {
    const key = `${deployment}\u0000${version}\u0000${role}\u0000${protocol}`;
    const p = this.pendingRequests.get(key);
    if (p) p.n++;
    else this.pendingRequests.set(key, { labels: { deployment, version, role, protocol }, n: 1 });
  }

  constructor(registry: Registry, logStats: () => { dropped: number } | null) {
    const registers = [registry];
    const pending = this.pendingRequests;
    this.requests = new Counter({
      name: 'pharos_serving_requests_total',
      help: 'Prediction requests by deployment, model version, role (stable/canary/shadow) and protocol',
      labelNames: ['deployment', 'version', 'role', 'protocol'],
      registers,
      // Counted in a plain map on the request path (see countRequest), added up here when scraped.
      collect() {
        for (const p of pending.values()) {
          if (p.n > 0) this.inc(p.labels, p.n);
          p.n = 0;
        }
      },
    });
    this.errors = new Counter({ name: 'pharos_serving_errors_total', help: 'Failed predictions by kind (invalid_input, model_error, unavailable)', labelNames: ['deployment', 'version', 'role', 'kind'], registers });
    this.latency = new Histogram({
      name: 'pharos_serving_latency_seconds',
      help: 'Prediction latency (validation, queueing, model run)',
      labelNames: ['deployment', 'version', 'role'],
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.batchRows = new Histogram({ name: 'pharos_serving_batch_rows', help: 'Rows per onnxruntime run (dynamic batching)', labelNames: ['deployment', 'version'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers });
    this.batchRequests = new Histogram({ name: 'pharos_serving_batch_requests', help: 'Requests grouped into one onnxruntime run', labelNames: ['deployment', 'version'], buckets: [1, 2, 4, 8, 16, 32, 64], registers });
    this.logDropped = new Gauge({
      name: 'pharos_serving_inference_log_dropped_rows',
      help: 'Inference-log rows dropped (queue full or write failure)',
      registers,
      collect() {
        this.set(logStats()?.dropped ?? 0);
      },
    });
    this.canaryPercent = new Gauge({ name: 'pharos_serving_canary_percent', help: 'Share of traffic sent to the canary', labelNames: ['deployment'], registers });
  }
}
