/**
 * One monitor run over a large window: 100k current rows (10 features, 3 of them shifted), 50k reference
 * rows, 50k late labels joined, every check on (drift, prediction drift, data quality, latency, realised and
 * CBPE-estimated performance). Prints wall times. Run: node --import tsx bench/monitoring/monitor-run.ts
 * (ROWS=n for another size; PHAROS_STORE=<URI of a dedicated, empty database> for PostgreSQL: it is migrated and written to).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { MonitoringService, type InferenceWindowQuery, type LoggedInference } from '../../src/monitoring/index.ts';

async function main() {
  const current = Number(process.env.ROWS ?? 100_000);
  const referenceRows = current / 2;
  const store = await openStore(process.env.PHAROS_STORE ?? join(mkdtempSync(join(tmpdir(), 'pharos-bench-mon-')), 'pharos.db'));
  const rows: LoggedInference[] = [];
  for (let i = 0; i < referenceRows + current; i++) {
    const features: Record<string, unknown> = {};
    for (let k = 0; k < 8; k++) features[`x${k}`] = Math.random() * 10 + (i >= referenceRows && k < 3 ? 2 : 0);
    features.city = ['a', 'b', 'c'][i % 3];
    features.plan = ['p', 'q'][i % 2];
    const p = Math.random();
    rows.push({ requestId: `r${i}`, deployment: 'd', features, prediction: { label: p > 0.5 ? 1 : 0, score: p }, latencyMs: Math.random() * 50, timestamp: i });
  }
  const inferenceLog = {
    read: async (q: InferenceWindowQuery) => {
      const hit = rows.filter((r) => (q.from === undefined || r.timestamp >= q.from) && (q.to === undefined || r.timestamp < q.to));
      return q.last ? hit.slice(-q.last) : hit;
    },
  };
  const monitoring = new MonitoringService({ store, inferenceLog, clock: () => referenceRows + current });
  let t = performance.now();
  const labels = rows.slice(0, referenceRows * 2).map((r) => ({ request_id: r.requestId, label: Math.random() < 0.5 ? 1 : 0 }));
  for (let i = 0; i < labels.length; i += 100_000) await monitoring.recordLabels(labels.slice(i, i + 100_000));
  console.log(`${labels.length} labels stored: ${Math.round(performance.now() - t)} ms`);
  const m = await monitoring.createMonitor({ name: 'bench', deployment: 'd', spec: { task: 'binary', reference: { type: 'window', from: 0, to: referenceRows }, window: { type: 'count', size: current }, alerts: [] } });
  t = performance.now();
  const run = await monitoring.runMonitor(m.id);
  console.log(`monitor run over ${current} rows (reference ${referenceRows}): ${Math.round(performance.now() - t)} ms, status ${run.status}, drift share ${run.results?.metrics['feature_drift.share']}, labelled ${run.results?.metrics['performance.labelled']}`);
  await store.close();
}

void main();
