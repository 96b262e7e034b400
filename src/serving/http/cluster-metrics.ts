import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * Prometheus metrics of a `pharos serve --processes n` cluster. A scrape reaches one process (the port is
 * shared), so that process asks the primary, which gathers every process's registry (prom-client's
 * AggregatorRegistry: counters and histograms summed) and answers: one scrape sees the whole server.
 */
const REQUEST = 'pharos:cluster-metrics?';
const ANSWER = 'pharos:cluster-metrics';

interface Message {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
}

/** In the primary: answer the workers' requests for the cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: Message) => {
    if (m?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: m.id, text }),
      (e: Error) => worker.send({ type: ANSWER, id: m.id, error: `not every serving process answered the primary (${e.message}); see their logs` }),
    );
  });
}

let nextId = 1;
const waiting = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
let shared: Registry | null = null;

/**
 * In a cluster worker, from startup on: `registry` is what the primary collects from this process, and the
 * answers to this process's requests are routed back. Elsewhere nothing.
 */
export function shareMetricsWithCluster(registry: Registry): void {
  if (!cluster.isWorker || shared) return;
  shared = registry;
  AggregatorRegistry.setRegistries([registry]);
  // prom-client installs a worker's answer to the primary's collection request when an AggregatorRegistry is made.
  new AggregatorRegistry();
  process.on('message', (m: Message) => {
    if (m?.type !== ANSWER || m.id === undefined) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`cluster metrics: ${m.error}`));
    else w?.resolve(m.text ?? '');
  });
}

/** What a scrape of this process answers: its registry, or in a cluster worker the whole cluster's metrics. */
export function metricsText(registry: Registry): Promise<string> {
  if (!shared) return registry.metrics();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('cluster metrics: the primary did not answer in 10 s'));
    }, 10_000);
    waiting.set(id, { resolve: (t) => (clearTimeout(timer), resolve(t)), reject: (e) => (clearTimeout(timer), reject(e)) });
    process.send!({ type: REQUEST, id });
  });
}
