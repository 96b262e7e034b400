import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Store } from '../store/index.ts';
import type { AuditSink } from '../core/audit.ts';
import { PharosError, alreadyExists, invalidParameter, isPharosError, notFound } from '../core/errors.ts';
import { ServedModel } from './model/served-model.ts';
import type { ModelResolver } from './model/model-resolver.ts';
import { buildFeeds, type Feeds } from './inference/feeds.ts';
import type { PredictionRequest } from './inference/request-formats.ts';
import { mlflowPredictions } from './inference/responses.ts';
import type { BatchingOptions } from './inference/dynamic-batcher.ts';
import type { Tensor } from './onnx/tensor.ts';
import { toPlainArray } from './onnx/tensor.ts';
import { DEFAULT_ROLLOUT_POLICY, SlotStats, evaluateRollout, routeCanary, type RolloutPolicy, type RolloutQuality, type RolloutQualitySource } from './rollout/rollout-policy.ts';
import { InferenceLogWriter, type InferenceLogOptions } from './inference-log/inference-log.ts';
import { ServingMetrics } from './serving-metrics.ts';

export interface DeploymentSpec {
  name: string;
  modelUri: string;
  /** Candidate getting `canaryPercent` of traffic. */
  canaryUri?: string | null;
  canaryPercent?: number;
  /** Candidate getting a copy of every request; its answers are logged, never returned. */
  shadowUri?: string | null;
  policy?: Partial<RolloutPolicy>;
  batching?: Partial<BatchingOptions>;
}

export interface DeploymentUpdate {
  modelUri?: string;
  canaryUri?: string | null;
  canaryPercent?: number;
  shadowUri?: string | null;
  policy?: Partial<RolloutPolicy>;
  batching?: Partial<BatchingOptions>;
}

export interface DeploymentEvent {
  timestamp: number;
  action: string;
  reason: string;
  details?: Record<string, unknown>;
}

export interface ModelSlotView {
  uri: string;
  state: 'loading' | 'ready' | 'failed';
  reason: string | null;
  modelName: string | null;
  modelVersion: string | null;
  loadedAt: number | null;
  stats: ReturnType<SlotStats['snapshot']>;
}

export interface DeploymentView {
  name: string;
  ready: boolean;
  reason: string | null;
  stable: ModelSlotView;
  candidate: (ModelSlotView & { mode: 'canary' | 'shadow'; percent: number }) | null;
  policy: RolloutPolicy;
  batching: Partial<BatchingOptions>;
  rolloutStartedAt: number | null;
  creationTime: number;
  lastUpdatedTime: number;
  history: DeploymentEvent[];
}

export interface PredictionResult {
  outputs: Record<string, Tensor>;
  model: ServedModel;
  rows: number;
  role: 'stable' | 'canary';
  /** The caller's id, else a generated one when the inference log records it ('' otherwise). */
  requestId: string;
}

export interface ServingOptions {
  /** Worker threads a loaded model (sessions). Default: per ServedModel (cores, at most 4). */
  workers?: number;
  /** How often registry URIs (aliases) are re-resolved; 0 disables the poll (call `refresh()`). */
  refreshIntervalMs?: number;
  batching?: Partial<BatchingOptions>;
  inferenceLog?: Partial<InferenceLogOptions> & { enabled?: boolean };
}

export interface ServingDeps {
  /** Where deployments persist; null for a standalone `pharos serve` (deployments live in memory). */
  store: Store | null;
  audit: AuditSink | null;
  resolver: ModelResolver;
  /** Folder of the inference log segments; null disables the log. */
  inferenceLogDir: string | null;
  options?: ServingOptions;
}

class ModelSlot {
  state: 'loading' | 'ready' | 'failed' = 'loading';
  reason: string | null = null;
  model: ServedModel | null = null;
  stats = new SlotStats();
  loading: Promise<void> | null = null;
  constructor(readonly uri: string) {}

  view(): ModelSlotView {
    const src = this.model?.source;
    return {
      uri: this.uri,
      state: this.state,
      reason: this.reason,
      modelName: src?.name ?? null,
      modelVersion: this.model?.versionLabel ?? null,
      loadedAt: this.model?.loadedAt ?? null,
      stats: this.stats.snapshot(),
    };
  }
}

class Deployment {
  stable: ModelSlot;
  candidate: ModelSlot | null = null;
  mode: 'canary' | 'shadow' | null = null;
  percent = 0;
  rolloutStartedAt: number | null = null;
  transitioning = false;
  /** The rollout's realised accuracy per side (labels arrive late): refreshed in the background, read on each request. */
  quality: RolloutQuality | null = null;
  /** The rollout (its start) that `quality` belongs to. */
  qualitySince: number | null = null;
  qualityCheckedAt = 0;
  qualityPending = false;
  /** History of an in-memory deployment (persisted ones read it from the store). */
  events: DeploymentEvent[] = [];
  constructor(
    readonly name: string,
    stableUri: string,
    public policy: RolloutPolicy,
    public batching: Partial<BatchingOptions>,
    readonly creationTime: number,
    public lastUpdatedTime: number,
  ) {
    this.stable = new ModelSlot(stableUri);
  }
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkPercent(p: number | undefined): number | undefined {
  if (p === undefined) return undefined;
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) throw invalidParameter(`canary percent must be a number from 0 to 100, got ${JSON.stringify(p)}`);
  return p;
}

function checkPolicy(p: Partial<RolloutPolicy> | undefined): Partial<RolloutPolicy> {
  if (p === undefined || p === null) return {};
  if (typeof p !== 'object') throw invalidParameter('policy must be an object');
  for (const [k, v] of Object.entries(p)) {
    if (!(k in DEFAULT_ROLLOUT_POLICY)) throw invalidParameter(`unknown policy field '${k}'; known: ${Object.keys(DEFAULT_ROLLOUT_POLICY).join(', ')}`);
    const expected = typeof DEFAULT_ROLLOUT_POLICY[k as keyof RolloutPolicy];
    if (typeof v !== expected || (typeof v === 'number' && (!Number.isFinite(v) || v < 0))) throw invalidParameter(`policy.${k} must be a ${expected === 'number' ? 'non-negative number' : expected}`);
  }
  return p;
}

function checkBatching(b: Partial<BatchingOptions> | undefined): Partial<BatchingOptions> {
  if (b === undefined || b === null) return {};
  for (const [k, v] of Object.entries(b)) {
    if (!['maxBatchSize', 'maxWaitMs', 'maxConcurrentBatches'].includes(k)) throw invalidParameter(`unknown batching field '${k}'; known: maxBatchSize, maxWaitMs, maxConcurrentBatches`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalidParameter(`batching.${k} must be a non-negative number`);
  }
  return b;
}

/**
 * Deployments and prediction routing. Knows nothing of HTTP: the route plugin parses requests into
 * `PredictionRequest`s and formats `PredictionResult`s. A model that fails to load leaves its deployment
 * not ready with the reason; nothing here can take the process down.
 */
export class ServingService {
  private readonly deployments = new Map<string, Deployment>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private retiring = new Set<Promise<void>>();
  private metrics: ServingMetrics | null = null;
  readonly inferenceLog: InferenceLogWriter | null;
  private readonly options: ServingOptions;
  private closed = false;
  private rolloutQuality: RolloutQualitySource | null = null;

  constructor(private readonly deps: ServingDeps) {
    this.options = deps.options ?? {};
    const logOpts = this.options.inferenceLog ?? {};
    this.inferenceLog = deps.inferenceLogDir && logOpts.enabled !== false ? new InferenceLogWriter(deps.inferenceLogDir, logOpts) : null;
  }

  /**
   * Reads the persisted deployments. Their models load on `activate()`: a process that only resolves or
   * inspects deployments (a CLI command) never pays for loading every model.
   */
  async start(): Promise<void> {
    if (!this.deps.store) return;
    const rows = await this.deps.store.db.selectFrom('serving_deployments').selectAll().execute();
    for (const r of rows) {
      const config = JSON.parse(r.config) as { policy?: Partial<RolloutPolicy>; batching?: Partial<BatchingOptions> };
      const d = new Deployment(r.name, r.stable_uri, { ...DEFAULT_ROLLOUT_POLICY, ...config.policy }, config.batching ?? {}, Number(r.creation_time), Number(r.last_updated_time));
      if (r.candidate_uri && (r.candidate_mode === 'canary' || r.candidate_mode === 'shadow')) {
        d.candidate = new ModelSlot(r.candidate_uri);
        d.mode = r.candidate_mode;
        d.percent = Number(r.canary_percent);
        d.rolloutStartedAt = r.rollout_started_at === null ? Date.now() : Number(r.rollout_started_at);
      }
      this.deployments.set(d.name, d);
    }
  }

  private active = false;

  /** Starts serving: loads the persisted deployments' models in the background and starts the alias poll. */
  activate(): void {
    if (this.active || this.closed) return;
    this.active = true;
    for (const d of this.deployments.values()) {
      for (const slot of [d.stable, d.candidate]) if (slot && !slot.model && !slot.loading && slot.state === 'loading') void this.loadSlot(d, slot);
    }
    const interval = this.options.refreshIntervalMs ?? 2000;
    if (interval > 0) {
      this.refreshTimer = setInterval(() => {
        if (this.refreshing) return;
        this.refreshing = this.refresh().finally(() => (this.refreshing = null));
      }, interval);
      this.refreshTimer.unref();
    }
  }

  /** Adds this service's metrics to a server's Prometheus registry. */
  attachMetrics(registry: Registry): void {
    if (registry.getSingleMetric('pharos_serving_requests_total')) return;
    this.metrics = new ServingMetrics(registry, () => this.inferenceLog?.stats() ?? null);
  }

  // ---------------------------------------------------------------- deployments

  async createDeployment(spec: DeploymentSpec, actor?: string): Promise<DeploymentView> {
    if (typeof spec.name !== 'string' || !NAME_RE.test(spec.name)) throw invalidParameter(`deployment name must match ${NAME_RE} (got ${JSON.stringify(spec.name)})`);
    if (typeof spec.modelUri !== 'string' || spec.modelUri === '') throw invalidParameter('a model URI is required (e.g. models:/churn@champion)');
    if (spec.canaryUri && spec.shadowUri) throw invalidParameter('give either a canary or a shadow candidate, not both');
    if (this.deployments.has(spec.name)) throw alreadyExists(`Deployment '${spec.name}' already exists`);
    const percent = checkPercent(spec.canaryPercent);
    const policy = { ...DEFAULT_ROLLOUT_POLICY, ...checkPolicy(spec.policy) };
    const batching = checkBatching(spec.batching);
    // A URI the registry cannot resolve is the caller's mistake: refuse it now rather than deploy something never ready.
    await this.deps.resolver.resolve(spec.modelUri);
    if (spec.canaryUri) await this.deps.resolver.resolve(spec.canaryUri);
    if (spec.shadowUri) await this.deps.resolver.resolve(spec.shadowUri);
    const now = Date.now();
    const d = new Deployment(spec.name, spec.modelUri, policy, batching, now, now);
    const candidateUri = spec.canaryUri ?? spec.shadowUri ?? null;
    if (candidateUri) {
      d.candidate = new ModelSlot(candidateUri);
      d.mode = spec.canaryUri ? 'canary' : 'shadow';
      d.percent = d.mode === 'canary' ? (percent ?? 10) : 0;
      d.rolloutStartedAt = now;
    }
    if (this.deps.store) {
      try {
        await this.deps.store.db.insertInto('serving_deployments').values(this.row(d)).execute();
      } catch (e) {
        const existing = await this.deps.store.db.selectFrom('serving_deployments').select('name').where('name', '=', spec.name).executeTakeFirst();
        if (existing) throw alreadyExists(`Deployment '${spec.name}' already exists`);
        throw e;
      }
    }
    this.deployments.set(d.name, d);
    await this.recordEvent(d, 'create', `deployed ${spec.modelUri}${candidateUri ? ` with ${d.mode} ${candidateUri}${d.mode === 'canary' ? ` at ${d.percent}%` : ''}` : ''}`, { stable: spec.modelUri, candidate: candidateUri, mode: d.mode, percent: d.percent }, actor);
    await Promise.all([this.loadSlot(d, d.stable), d.candidate ? this.loadSlot(d, d.candidate) : null]);
    return this.getDeployment(d.name);
  }

  /** A deployment kept in memory only (standalone `pharos serve`): its rollout decisions stay in this process. */
  async serveEphemeral(spec: DeploymentSpec): Promise<DeploymentView> {
    const now = Date.now();
    const d = new Deployment(spec.name, spec.modelUri, { ...DEFAULT_ROLLOUT_POLICY, ...checkPolicy(spec.policy) }, checkBatching(spec.batching), now, now);
    const candidateUri = spec.canaryUri ?? spec.shadowUri ?? null;
    if (candidateUri) {
      d.candidate = new ModelSlot(candidateUri);
      d.mode = spec.canaryUri ? 'canary' : 'shadow';
      d.percent = d.mode === 'canary' ? (checkPercent(spec.canaryPercent) ?? 10) : 0;
      d.rolloutStartedAt = now;
    }
    this.deployments.set(d.name, d);
    await Promise.all([this.loadSlot(d, d.stable), d.candidate ? this.loadSlot(d, d.candidate) : null]);
    return this.getDeployment(d.name);
  }

  async updateDeployment(name: string, update: DeploymentUpdate, actor?: string): Promise<DeploymentView> {
    const d = this.require(name);
    if (update.canaryUri && update.shadowUri) throw invalidParameter('give either a canary or a shadow candidate, not both');
    const percent = checkPercent(update.canaryPercent);
    if (update.policy !== undefined) d.policy = { ...d.policy, ...checkPolicy(update.policy) };
    if (update.batching !== undefined) d.batching = { ...d.batching, ...checkBatching(update.batching) };
    for (const uri of [update.modelUri, update.canaryUri, update.shadowUri]) if (uri) await this.deps.resolver.resolve(uri);
    const changes: string[] = [];
    if (update.modelUri && update.modelUri !== d.stable.uri) {
      const slot = new ModelSlot(update.modelUri);
      await this.loadSlot(d, slot);
      if (slot.state !== 'ready') throw new PharosError('INVALID_STATE', `model ${update.modelUri} failed to load: ${slot.reason}; deployment '${name}' keeps serving ${d.stable.uri}`);
      const old = d.stable;
      d.stable = slot;
      this.retire(old);
      changes.push(`stable ${old.uri} -> ${update.modelUri}`);
    }
    const candidateUri = update.canaryUri ?? update.shadowUri;
    if (candidateUri) {
      const mode = update.canaryUri ? 'canary' : 'shadow';
      if (d.candidate && d.candidate.uri === candidateUri) d.mode = mode;
      else {
        if (d.candidate) this.retire(d.candidate);
        d.candidate = new ModelSlot(candidateUri);
        d.mode = mode;
        d.rolloutStartedAt = Date.now();
        d.stable.stats = new SlotStats();
        await this.loadSlot(d, d.candidate);
      }
      d.percent = mode === 'canary' ? (percent ?? (d.percent || 10)) : 0;
      changes.push(`${mode} ${candidateUri}${mode === 'canary' ? ` at ${d.percent}%` : ''}`);
    } else if (update.canaryUri === null || update.shadowUri === null) {
      if (d.candidate) {
        this.retire(d.candidate);
        changes.push(`candidate ${d.candidate.uri} removed`);
      }
      d.candidate = null;
      d.mode = null;
      d.percent = 0;
      d.rolloutStartedAt = null;
    } else if (percent !== undefined) {
      if (!d.candidate || d.mode !== 'canary') throw invalidParameter(`deployment '${name}' has no canary to set a percent for`);
      changes.push(`canary percent ${d.percent}% -> ${percent}%`);
      d.percent = percent;
    }
    if (update.policy !== undefined) changes.push('rollout policy updated');
    if (update.batching !== undefined) changes.push('batching updated (applies to models loaded from now on)');
    d.lastUpdatedTime = Date.now();
    await this.persist(d);
    await this.recordEvent(d, 'update', changes.join('; ') || 'no change', { stable: d.stable.uri, candidate: d.candidate?.uri ?? null, mode: d.mode, percent: d.percent }, actor);
    return this.getDeployment(name);
  }

  /** Candidate becomes stable. */
  async promote(name: string, reason = 'promoted by hand', actor?: string): Promise<DeploymentView> {
    const d = this.require(name);
    if (!d.candidate) throw new PharosError('INVALID_STATE', `deployment '${name}' has no candidate to promote`);
    if (d.candidate.state !== 'ready') throw new PharosError('INVALID_STATE', `candidate ${d.candidate.uri} is not ready (${d.candidate.state}${d.candidate.reason ? `: ${d.candidate.reason}` : ''})`);
    const before = { stable: d.stable.view(), candidate: d.candidate.view() };
    const old = d.stable;
    d.stable = d.candidate;
    d.stable.stats = new SlotStats();
    const mode = d.mode;
    d.candidate = null;
    d.mode = null;
    d.percent = 0;
    d.rolloutStartedAt = null;
    d.lastUpdatedTime = Date.now();
    this.retire(old);
    await this.persist(d);
    await this.recordEvent(d, 'promote', reason, { from: before.stable.uri, to: d.stable.uri, mode, fromVersion: before.stable.modelVersion, toVersion: before.candidate.modelVersion, stats: { stable: before.stable.stats, candidate: before.candidate.stats } }, actor);
    return this.getDeployment(name);
  }

  /** Candidate removed; stable keeps all traffic. */
  async rollback(name: string, reason = 'rolled back by hand', actor?: string): Promise<DeploymentView> {
    const d = this.require(name);
    if (!d.candidate) throw new PharosError('INVALID_STATE', `deployment '${name}' has no candidate to roll back`);
    const cand = d.candidate;
    const mode = d.mode;
    d.candidate = null;
    d.mode = null;
    d.percent = 0;
    d.rolloutStartedAt = null;
    d.lastUpdatedTime = Date.now();
    this.retire(cand);
    await this.persist(d);
    await this.recordEvent(d, 'rollback', reason, { removed: cand.uri, mode, stable: d.stable.uri, stats: { stable: d.stable.stats.snapshot(), candidate: cand.stats.snapshot() } }, actor);
    return this.getDeployment(name);
  }

  async deleteDeployment(name: string, actor?: string): Promise<void> {
    const d = this.require(name);
    this.deployments.delete(name);
    this.retire(d.stable);
    if (d.candidate) this.retire(d.candidate);
    if (this.deps.store) await this.deps.store.db.deleteFrom('serving_deployments').where('name', '=', name).execute();
    await this.recordEvent(d, 'delete', 'deployment deleted', undefined, actor);
  }

  async listDeployments(): Promise<DeploymentView[]> {
    return Promise.all([...this.deployments.keys()].sort().map((n) => this.getDeployment(n, 0)));
  }

  async getDeployment(name: string, historyLimit = 100): Promise<DeploymentView> {
    const d = this.require(name);
    let history: DeploymentEvent[] = d.events.slice(-historyLimit);
    if (this.deps.store && historyLimit > 0) {
      const rows = await this.deps.store.db.selectFrom('serving_deployment_events').selectAll().where('deployment', '=', name).orderBy('id', 'desc').limit(historyLimit).execute();
      history = rows.reverse().map((r) => ({ timestamp: Number(r.timestamp), action: r.action, reason: r.reason, details: r.details ? JSON.parse(r.details) : undefined }));
    }
    const ready = d.stable.state === 'ready';
    return {
      name: d.name,
      ready,
      reason: ready ? null : d.stable.state === 'loading' ? (this.active || d.stable.loading ? 'model is loading' : 'models load when this process starts serving') : d.stable.reason,
      stable: d.stable.view(),
      candidate: d.candidate ? { ...d.candidate.view(), mode: d.mode!, percent: d.percent } : null,
      policy: d.policy,
      batching: d.batching,
      rolloutStartedAt: d.rolloutStartedAt,
      creationTime: d.creationTime,
      lastUpdatedTime: d.lastUpdatedTime,
      history,
    };
  }

  hasDeployment(name: string): boolean {
    return this.deployments.has(name);
  }

  /** The model answering for `name` (a version when given: the stable's or the candidate's). */
  model(name: string, version?: string): { model: ServedModel | null; state: string; reason: string | null } {
    const d = this.require(name);
    const slot = version === undefined ? d.stable : [d.stable, d.candidate].find((s) => s?.model?.versionLabel === version);
    if (!slot) throw notFound(`Deployment '${name}' serves no model version ${version}`);
    return { model: slot.model, state: slot.state, reason: slot.reason };
  }

  // ---------------------------------------------------------------- predictions

  async predict(name: string, req: PredictionRequest, opts: { version?: string; requestId?: string; protocol?: string } = {}): Promise<PredictionResult> {
    const d = this.require(name);
    // Only the inference log (and OIP answers, whose route passes one) ever shows the id: none is made for nothing.
    const requestId = opts.requestId ?? (this.inferenceLog ? randomUUID() : '');
    const protocol = opts.protocol ?? 'native';
    const startedAt = Date.now();
    if (opts.version !== undefined) {
      const { model, state, reason } = this.model(name, opts.version);
      if (!model) throw new PharosError('TEMPORARILY_UNAVAILABLE', `model version ${opts.version} of '${name}' is not ready (${state}${reason ? `: ${reason}` : ''})`);
      const slot = d.stable.model === model ? d.stable : d.candidate!;
      return this.runOn(d, slot, slot === d.stable ? 'stable' : 'canary', model, buildFeeds(model, req), req, requestId, startedAt, protocol);
    }
    const stable = d.stable;
    const cand = d.candidate;
    if (cand && d.mode === 'shadow' && cand.model) this.shadow(d, cand, req, requestId);
    if (cand && d.mode === 'canary' && cand.model && routeCanary(d.percent) === 'candidate') {
      const model = cand.model;
      let feeds: Feeds | null = null;
      try {
        feeds = buildFeeds(model, req);
      } catch (e) {
        // Refused by the canary: a client error only if stable refuses it too; otherwise the canary is incompatible.
        if (!stable.model) throw e;
        buildFeeds(stable.model, req);
        this.candidateOutcome(d, cand, 0, false, 'invalid_input');
      }
      if (feeds) {
        try {
          return await this.runOn(d, cand, 'canary', model, feeds, req, requestId, startedAt, protocol);
        } catch (e) {
          if (isPharosError(e) && e.status < 500) throw e;
          // The canary failed a valid request: stable answers it (counted against the canary by runOn).
        }
      }
    }
    const model = stable.model;
    if (!model) throw new PharosError('TEMPORARILY_UNAVAILABLE', `deployment '${name}' is not ready: ${stable.state === 'loading' ? 'model is loading' : stable.reason}`);
    let feeds: Feeds;
    try {
      feeds = buildFeeds(model, req);
    } catch (e) {
      this.metrics?.errors.inc({ deployment: name, version: model.versionLabel, role: 'stable', kind: 'invalid_input' });
      throw e;
    }
    return this.runOn(d, stable, 'stable', model, feeds, req, requestId, startedAt, protocol);
  }

  private async runOn(d: Deployment, slot: ModelSlot, role: 'stable' | 'canary', model: ServedModel, feeds: Feeds, req: PredictionRequest, requestId: string, startedAt: number, protocol: string): Promise<PredictionResult> {
    const t0 = performance.now();
    const labels = { deployment: d.name, version: model.versionLabel, role };
    this.metrics?.countRequest(d.name, labels.version, role, protocol);
    let outputs: Record<string, Tensor>;
    try {
      outputs = await model.predict(feeds);
    } catch (e) {
      const ms = performance.now() - t0;
      this.metrics?.errors.inc({ ...labels, kind: 'model_error' });
      if (role === 'canary') this.candidateOutcome(d, slot, ms, false, 'model_error');
      else slot.stats.record(ms, false);
      throw new PharosError('INTERNAL_ERROR', `model ${model.source.uri} (version ${model.versionLabel}) failed: ${(e as Error).message}`);
    }
    const ms = performance.now() - t0;
    this.metrics?.latency.observe(labels, ms / 1000);
    if (role === 'canary') this.candidateOutcome(d, slot, ms, true);
    else slot.stats.record(ms, true);
    this.log(d, model, role, feeds, req, outputs, requestId, startedAt, ms);
    return { outputs, model, rows: feeds.rows, role, requestId };
  }

  private shadow(d: Deployment, slot: ModelSlot, req: PredictionRequest, requestId: string): void {
    const model = slot.model!;
    const startedAt = Date.now();
    const t0 = performance.now();
    const labels = { deployment: d.name, version: model.versionLabel, role: 'shadow' };
    // Never awaited, never thrown: the caller's answer comes from stable only.
    void (async () => {
      let feeds: Feeds;
      try {
        feeds = buildFeeds(model, req);
      } catch {
        if (d.stable.model) {
          try {
            buildFeeds(d.stable.model, req);
          } catch {
            return; // a bad request for both sides says nothing about the candidate
          }
        }
        this.metrics?.errors.inc({ ...labels, kind: 'invalid_input' });
        this.candidateOutcome(d, slot, performance.now() - t0, false, 'invalid_input');
        return;
      }
      this.metrics?.countRequest(d.name, labels.version, 'shadow', 'shadow');
      try {
        const outputs = await model.predict(feeds);
        const ms = performance.now() - t0;
        this.metrics?.latency.observe(labels, ms / 1000);
        this.candidateOutcome(d, slot, ms, true);
        this.log(d, model, 'shadow', feeds, req, outputs, requestId, startedAt, ms);
      } catch {
        this.metrics?.errors.inc({ ...labels, kind: 'model_error' });
        this.candidateOutcome(d, slot, performance.now() - t0, false, 'model_error');
      }
    })();
  }

  /**
   * Where rollouts learn their realised accuracy once labels arrive (monitoring joins the inference log and the
   * labels); without it rollouts are judged on errors and latency alone.
   */
  setRolloutQualitySource(source: RolloutQualitySource | null): void {
    this.rolloutQuality = source;
  }
  /** How often a rollout's accuracy is re-read at most (default 2 s; 0 = on every candidate request). */
  qualityRefreshMs = 2000;

  /** Re-reads a rollout's accuracy in the background, at most every `qualityRefreshMs`. */
  private refreshQuality(d: Deployment): void {
    const source = this.rolloutQuality;
    const since = d.rolloutStartedAt;
    if (!source || since === null || d.qualityPending) return;
    if (d.qualitySince === since && Date.now() - d.qualityCheckedAt < this.qualityRefreshMs) return;
    d.qualityPending = true;
    source({ deployment: d.name, since })
      .then((q) => {
        d.quality = q;
        d.qualitySince = since;
      })
      .catch(() => {}) // quality is advisory: a failed read leaves the last known value
      .finally(() => {
        d.qualityPending = false;
        d.qualityCheckedAt = Date.now();
      });
  }

  /** Counts a candidate request and applies the rollout policy: rollback at once on a breach, promotion when earned. */
  private candidateOutcome(d: Deployment, slot: ModelSlot, ms: number, ok: boolean, _kind?: string): void {
    if (d.candidate !== slot) return;
    slot.stats.record(ms, ok);
    if (d.transitioning || d.rolloutStartedAt === null) return;
    this.refreshQuality(d);
    const quality = d.qualitySince === d.rolloutStartedAt ? d.quality : null;
    const decision = evaluateRollout(d.stable.stats, slot.stats, d.policy, d.rolloutStartedAt, Date.now(), quality);
    if (decision.action === 'wait') return;
    d.transitioning = true;
    const act = decision.action === 'promote' ? this.promote(d.name, `automatic: ${decision.reason}`, 'pharos-rollout') : this.rollback(d.name, `automatic: ${decision.reason}`, 'pharos-rollout');
    act.catch(() => {}).finally(() => (d.transitioning = false));
  }

  private log(d: Deployment, model: ServedModel, role: 'stable' | 'canary' | 'shadow', feeds: Feeds, req: PredictionRequest, outputs: Record<string, Tensor>, requestId: string, startedAt: number, ms: number): void {
    if (!this.inferenceLog) return;
    const columns = req.kind === 'columns' ? req.columns : null;
    this.inferenceLog.record({
      timestampMs: startedAt,
      requestId,
      deployment: d.name,
      modelName: model.source.name ?? '',
      modelVersion: model.versionLabel,
      modelUri: model.source.uri,
      role,
      latencyMs: ms,
      rows: feeds.rows,
      expand: () => ({ features: rowFeatures(feeds, columns, req), predictions: mlflowPredictions(outputs, model.onnx.zipMaps, feeds.rows) }),
    });
  }

  // ---------------------------------------------------------------- model loading and alias moves

  private async loadSlot(d: Deployment, slot: ModelSlot): Promise<void> {
    slot.loading ??= (async () => {
      try {
        const resolved = await this.deps.resolver.resolve(slot.uri);
        const model = await ServedModel.load(resolved, this.modelOptions(d, resolved.version));
        if (this.closed) return void (await model.close());
        slot.model = model;
        slot.state = 'ready';
        slot.reason = null;
      } catch (e) {
        slot.state = 'failed';
        slot.reason = (e as Error).message;
      } finally {
        slot.loading = null;
      }
    })();
    return slot.loading;
  }

  private modelOptions(d: Deployment, version: number | null) {
    const labels = { deployment: d.name, version: version === null ? '1' : String(version) };
    return {
      workers: this.options.workers,
      batching: { ...this.options.batching, ...d.batching },
      onBatch: (rows: number, requests: number) => {
        this.metrics?.batchRows.observe(labels, rows);
        this.metrics?.batchRequests.observe(labels, requests);
      },
    };
  }

  /**
   * Re-resolves every deployment's URIs; when an alias (or stage, or latest) now names another version,
   * the new model is loaded fully before the pointer moves, and the old one closes once its in-flight
   * requests finish: requests never see a half-loaded model. Failed loads are retried here too.
   */
  refresh(): Promise<void> {
    // Passes run one after another: a caller who just moved an alias gets a pass that starts after its call.
    const pass = this.refreshChain.then(() => this.refreshPass());
    this.refreshChain = pass.catch(() => {});
    return pass;
  }

  private refreshChain: Promise<void> = Promise.resolve();

  private async refreshPass(): Promise<void> {
    for (const d of [...this.deployments.values()]) {
      for (const slot of [d.stable, d.candidate]) {
        if (!slot || slot.loading) continue;
        if (slot.state === 'failed') {
          await this.loadSlot(d, slot);
          continue;
        }
        if (!slot.model) continue;
        let resolved;
        try {
          resolved = await this.deps.resolver.resolve(slot.uri);
        } catch {
          continue; // a registry hiccup keeps the current model
        }
        const current = slot.model.source;
        if (resolved.localPath === current.localPath && resolved.version === current.version) continue;
        let next: ServedModel;
        try {
          next = await ServedModel.load(resolved, this.modelOptions(d, resolved.version));
        } catch (e) {
          await this.recordEvent(d, 'model_switch_failed', `${slot.uri} now names version ${resolved.version}, which failed to load (${(e as Error).message}); still serving version ${current.version}`);
          continue;
        }
        if (this.closed) return void (await next.close());
        const old = slot.model;
        slot.model = next;
        old.closeWhenIdle();
        await this.recordEvent(d, 'model_switched', `${slot.uri} moved from version ${current.version ?? current.localPath} to ${resolved.version ?? resolved.localPath}`, {
          uri: slot.uri,
          fromVersion: current.version,
          toVersion: resolved.version,
          role: slot === d.stable ? 'stable' : d.mode,
        });
      }
    }
  }

  private retire(slot: ModelSlot): void {
    const model = slot.model;
    if (!model) return;
    const p = model.closeWhenIdle().finally(() => this.retiring.delete(p));
    this.retiring.add(p);
  }

  // ---------------------------------------------------------------- persistence

  private row(d: Deployment) {
    return {
      name: d.name,
      stable_uri: d.stable.uri,
      candidate_uri: d.candidate?.uri ?? null,
      candidate_mode: d.mode,
      canary_percent: d.percent,
      config: JSON.stringify({ policy: d.policy, batching: d.batching }),
      rollout_started_at: d.rolloutStartedAt,
      creation_time: d.creationTime,
      last_updated_time: d.lastUpdatedTime,
    };
  }

  private async persist(d: Deployment): Promise<void> {
    this.metrics?.canaryPercent.set({ deployment: d.name }, d.mode === 'canary' ? d.percent : 0);
    if (!this.deps.store) return;
    const { name, creation_time, ...rest } = this.row(d);
    await this.deps.store.db.updateTable('serving_deployments').set(rest).where('name', '=', name).execute();
  }

  private async recordEvent(d: Deployment, action: string, reason: string, details?: Record<string, unknown>, actor?: string): Promise<void> {
    const timestamp = Date.now();
    if (this.deps.store) {
      await this.deps.store.db
        .insertInto('serving_deployment_events')
        .values({ deployment: d.name, timestamp, action, reason, details: details ? JSON.stringify(details) : null })
        .execute();
    } else d.events.push({ timestamp, action, reason, details });
    await this.deps.audit?.record({ entityType: 'deployment', entityId: d.name, action, actor, details: { reason, ...details } });
  }

  private require(name: string): Deployment {
    const d = this.deployments.get(name);
    if (!d) throw notFound(`Deployment '${name}' not found`);
    return d;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.refreshing?.catch(() => {});
    const models: ServedModel[] = [];
    for (const d of this.deployments.values()) for (const s of [d.stable, d.candidate]) if (s?.model) models.push(s.model);
    await Promise.all(models.map((m) => m.close().catch(() => {})));
    await Promise.all([...this.retiring]);
    await this.inferenceLog?.close();
  }
}

/** Per-row feature objects for the inference log: request columns when given, else one entry an input. */
function rowFeatures(feeds: Feeds, columns: string[] | null, req: PredictionRequest): Array<Record<string, unknown>> {
  const n = feeds.rows;
  if (columns && req.kind === 'columns') return req.rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
  // The values as the client sent them (a float32 feed would log 0.1 as 0.10000000149011612).
  const sent = (name: string): unknown[] | null => {
    const raw = req.kind === 'tensor' && Object.keys(feeds.feeds).length === 1 ? req.data : req.kind === 'named' ? req.tensors[name]?.data : undefined;
    if (raw === undefined) return null;
    const flat = Array.isArray(raw) ? (raw as unknown[]).flat(Infinity) : [raw];
    return flat.length === feeds.feeds[name].data.length ? flat : null;
  };
  const perInput = Object.entries(feeds.feeds).map(([name, t]) => {
    const flat = sent(name) ?? toPlainArray(t.data, t.datatype);
    const width = n === 0 ? 0 : flat.length / n;
    return { name, flat, width };
  });
  return Array.from({ length: n }, (_, r) => Object.fromEntries(perInput.map((p) => [p.name, p.width === 1 ? p.flat[r] : p.flat.slice(r * p.width, (r + 1) * p.width)])));
}

/** A persisted deployment's spec (for a standalone `pharos serve --deployment <name>` replica). */
export async function readDeploymentSpec(store: Store, name: string): Promise<DeploymentSpec> {
  const r = await store.db.selectFrom('serving_deployments').selectAll().where('name', '=', name).executeTakeFirst();
  if (!r) throw notFound(`Deployment '${name}' not found`);
  const config = JSON.parse(r.config) as { policy?: Partial<RolloutPolicy>; batching?: Partial<BatchingOptions> };
  return {
    name: r.name,
    modelUri: r.stable_uri,
    canaryUri: r.candidate_mode === 'canary' ? r.candidate_uri : null,
    canaryPercent: Number(r.canary_percent),
    shadowUri: r.candidate_mode === 'shadow' ? r.candidate_uri : null,
    policy: config.policy,
    batching: config.batching,
  };
}
