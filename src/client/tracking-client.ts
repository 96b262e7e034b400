/**
 * The tracking part of the TypeScript client: the native API (/api/v1/experiments, /api/v1/runs...) with
 * typed answers. Errors come back as `TrackingClientError` carrying the server's MLflow-style `error_code`.
 */
import type { NativeExperiment, NativeMetricPoint, NativeRun } from '../tracking/index.ts';
import { nativeRequest, type QueryValue } from './native-http.ts';

export type { NativeExperiment as ExperimentInfo, NativeRun as RunInfo, NativeMetricPoint as MetricPoint };

export class TrackingClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrackingClientError';
  }
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface MetricToLog {
  key: string;
  /** NaN and ±Infinity are sent as MLflow's "NaN" / "Infinity" strings. */
  value: number;
  step?: number;
  timestamp?: number;
  modelId?: string;
}

export interface PageOf<T> {
  items: T[];
  nextPageToken?: string;
}

function wireDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

export class TrackingClient {
  private readonly base: string;
  constructor(
    baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly headers: Record<string, string> = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  private request<T>(method: string, path: string, body?: unknown, query?: Record<string, QueryValue>): Promise<T> {
    return nativeRequest<T>({ base: this.base, fetchImpl: this.fetchImpl, headers: this.headers }, (status, code, message) => new TrackingClientError(status, code, message), method, path, body, query);
  }

  private static seg(s: string): string {
    return encodeURIComponent(s);
  }

  async listExperiments(opts: { filter?: string; viewType?: ViewType; orderBy?: string[]; maxResults?: number; pageToken?: string } = {}): Promise<PageOf<NativeExperiment>> {
    const r = await this.request<{ experiments: NativeExperiment[]; next_page_token?: string }>('GET', '/experiments', undefined, {
      filter: opts.filter,
      view_type: opts.viewType,
      order_by: opts.orderBy,
      max_results: opts.maxResults,
      page_token: opts.pageToken,
    });
    return { items: r.experiments ?? [], nextPageToken: r.next_page_token };
  }

  createExperiment(name: string, opts: { artifactLocation?: string; tags?: Record<string, string> } = {}): Promise<NativeExperiment> {
    return this.request('POST', '/experiments', { name, artifact_location: opts.artifactLocation, tags: opts.tags });
  }

  getExperiment(id: string): Promise<NativeExperiment> {
    return this.request('GET', `/experiments/${TrackingClient.seg(id)}`);
  }

  getExperimentByName(name: string): Promise<NativeExperiment> {
    return this.request('GET', `/experiments/by-name/${TrackingClient.seg(name)}`);
  }

  /** Resolves a name or an id to the experiment (names first, since a name may look like a number). */
  async findExperiment(nameOrId: string): Promise<NativeExperiment> {
    try {
      return await this.getExperimentByName(nameOrId);
    } catch (e) {
      if (!(e instanceof TrackingClientError) || e.status !== 404 || !/^\d+$/.test(nameOrId)) throw e;
      return this.getExperiment(nameOrId);
    }
  }

  updateExperiment(id: string, changes: { name?: string; tags?: Record<string, string> }): Promise<NativeExperiment> {
    return this.request('PATCH', `/experiments/${TrackingClient.seg(id)}`, changes);
  }

  async deleteExperiment(id: string): Promise<void> {
    await this.request('DELETE', `/experiments/${TrackingClient.seg(id)}`);
  }

  restoreExperiment(id: string): Promise<NativeExperiment> {
    return this.request('POST', `/experiments/${TrackingClient.seg(id)}/restore`);
  }

  createRun(opts: { experimentId?: string; runName?: string; userId?: string; startTime?: number; tags?: Record<string, string> } = {}): Promise<NativeRun> {
    return this.request('POST', '/runs', { experiment_id: opts.experimentId, run_name: opts.runName, user_id: opts.userId, start_time: opts.startTime, tags: opts.tags });
  }

  getRun(id: string): Promise<NativeRun> {
    return this.request('GET', `/runs/${TrackingClient.seg(id)}`);
  }

  updateRun(id: string, changes: { status?: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED'; endTime?: number; runName?: string }): Promise<NativeRun> {
    return this.request('PATCH', `/runs/${TrackingClient.seg(id)}`, { status: changes.status, end_time: changes.endTime, run_name: changes.runName });
  }

  async deleteRun(id: string): Promise<void> {
    await this.request('DELETE', `/runs/${TrackingClient.seg(id)}`);
  }

  restoreRun(id: string): Promise<NativeRun> {
    return this.request('POST', `/runs/${TrackingClient.seg(id)}/restore`);
  }

  /** One transaction on the server; split larger batches yourself (1000 metrics, 100 params, 100 tags). */
  async log(id: string, batch: { metrics?: MetricToLog[]; params?: Record<string, string>; tags?: Record<string, string> }): Promise<void> {
    await this.request('POST', `/runs/${TrackingClient.seg(id)}/log`, {
      metrics: batch.metrics?.map((m) => ({ key: m.key, value: wireDouble(m.value), step: m.step, timestamp: m.timestamp, model_id: m.modelId })),
      params: batch.params,
      tags: batch.tags,
    });
  }

  async searchRuns(opts: { experimentIds: string[]; filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string; viewType?: ViewType }): Promise<PageOf<NativeRun>> {
    const r = await this.request<{ runs: NativeRun[]; next_page_token?: string }>('POST', '/runs/search', {
      experiment_ids: opts.experimentIds,
      filter: opts.filter,
      order_by: opts.orderBy,
      max_results: opts.maxResults,
      page_token: opts.pageToken,
      run_view_type: opts.viewType,
    });
    return { items: r.runs ?? [], nextPageToken: r.next_page_token };
  }

  async metricHistory(id: string, key: string, opts: { maxResults?: number; pageToken?: string } = {}): Promise<PageOf<NativeMetricPoint>> {
    const r = await this.request<{ points: NativeMetricPoint[]; next_page_token?: string }>('GET', `/runs/${TrackingClient.seg(id)}/metrics/${TrackingClient.seg(key)}/history`, undefined, {
      max_results: opts.maxResults,
      page_token: opts.pageToken,
    });
    return { items: r.points ?? [], nextPageToken: r.next_page_token };
  }

  /** The run's artifact folder inside the server's proxied store (`mlflow-artifacts:/1/<run>/artifacts` → `1/<run>/artifacts`). */
  private async artifactRoot(runId: string): Promise<string> {
    const uri = (await this.getRun(runId)).artifact_uri;
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(uri);
    if (!m) throw new TrackingClientError(400, 'INVALID_PARAMETER_VALUE', `run ${runId} stores artifacts at '${uri}', not on the Pharos server`);
    return m[1];
  }

  private artifactUrl(root: string, path: string): string {
    const rel = path.split('/').filter((p) => p !== '').map(encodeURIComponent).join('/');
    return `${this.base}/api/2.0/mlflow-artifacts/artifacts/${root.split('/').map(encodeURIComponent).join('/')}/${rel}`;
  }

  /** Uploads one file into the run's artifacts at `path` (e.g. 'model/model.onnx'), as `mlflow.log_artifact` does. */
  async uploadArtifact(runId: string, path: string, content: Uint8Array | string): Promise<void> {
    const res = await this.fetchImpl(this.artifactUrl(await this.artifactRoot(runId), path), {
      method: 'PUT',
      headers: { ...this.headers, 'content-type': 'application/octet-stream' },
      body: typeof content === 'string' ? content : Buffer.from(content),
    });
    if (!res.ok) {
      const json: any = await res.json().catch(() => undefined);
      throw new TrackingClientError(res.status, json?.error_code ?? `HTTP_${res.status}`, json?.message ?? res.statusText);
    }
  }

  async downloadArtifact(runId: string, path: string): Promise<Buffer> {
    const res = await this.fetchImpl(this.artifactUrl(await this.artifactRoot(runId), path), { headers: this.headers });
    if (!res.ok) {
      const json: any = await res.json().catch(() => undefined);
      throw new TrackingClientError(res.status, json?.error_code ?? `HTTP_${res.status}`, json?.message ?? res.statusText);
    }
    return Buffer.from(await res.arrayBuffer());
  }

  listArtifacts(id: string, path?: string): Promise<{ root_uri: string; files: Array<{ path: string; is_dir: boolean; file_size?: number }> }> {
    return this.request('GET', `/runs/${TrackingClient.seg(id)}/artifacts`, undefined, { path });
  }
}
