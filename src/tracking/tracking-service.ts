import { sql } from 'kysely';
import type { Db, Store } from '../store/index.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import { proxiedArtifactPath, safeRelativePath } from '../artifacts/index.ts';
import type { AuditLog } from '../governance/index.ts';
import { alreadyExists, invalidParameter, notFound } from '../core/errors.ts';
import { newId, newLoggedModelId, newRunId, nowMs } from '../core/ids.ts';
import { searchExperimentIds, searchLoggedModelIds, searchRunIds, type LoggedModelOrderBy } from './search/index.ts';
import {
  LOGGED_MODEL_STATUSES,
  RUN_STATUSES,
  type Dataset,
  type DatasetInput,
  type Experiment,
  type FileInfo,
  type KeyValue,
  type LifecycleStage,
  type LoggedModel,
  type LoggedModelStatus,
  type Metric,
  type ModelOutput,
  type Page,
  type Run,
  type RunInfo,
  type RunStatus,
  type ViewType,
} from './entities.ts';
import {
  LIMITS,
  parseExperimentId,
  randomRunName,
  storedMetricValue,
  validateBatchLimits,
  validateExperimentName,
  validateKey,
  validateLength,
  validateRunId,
} from './validation.ts';

export interface TrackingDeps {
  store: Store;
  artifacts: ArtifactStore;
  audit: AuditLog;
}

export interface MetricInput {
  key: string;
  value: number;
  timestamp: number;
  step?: number;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LogBatchInput {
  metrics?: MetricInput[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

export interface CreateRunInput {
  experimentId?: string;
  userId?: string;
  startTime?: number;
  tags?: KeyValue[];
  runName?: string;
}

export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params?: KeyValue[];
  tags?: KeyValue[];
}

const RUN_NAME_TAG = 'mlflow.runName';
/** Keeps every multi-row statement well under SQLite's bound-variable limit. */
const ROWS_PER_INSERT = 500;
const IDS_PER_QUERY = 5000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/** The (step, timestamp, value) tuple order MLflow uses to pick a run's latest metric value. */
function laterThan(a: { step: number; timestamp: number; value: number }, b: { step: number; timestamp: number; value: number }): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function decodeOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isInt(parsed?.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter(`Invalid page token '${token}'.`);
}

function metricOut(r: { key: string; value: number; timestamp: number; step: number; is_nan: number }): Metric {
  return { key: r.key, value: r.is_nan ? NaN : Number(r.value), timestamp: Number(r.timestamp), step: Number(r.step) };
}

/** Experiments, runs, params, metrics, tags, datasets and logged models. Knows nothing of HTTP. */
export class TrackingService {
  constructor(readonly deps: TrackingDeps) {}

  private get db() {
    return this.deps.store.db;
  }

  // ------------------------------------------------------------------ experiments

  async createExperiment(name: unknown, opts: { artifactLocation?: string; tags?: KeyValue[]; actor?: string } = {}): Promise<string> {
    const expName = validateExperimentName(name);
    const tags = opts.tags ?? [];
    for (const t of tags) this.validateExperimentTag(t);
    validateLength('Artifact location', opts.artifactLocation, LIMITS.artifactLocationLength);
    const existing = await this.db.selectFrom('experiments').select(['experiment_id', 'lifecycle_stage']).where('name', '=', expName).executeTakeFirst();
    if (existing) {
      if (existing.lifecycle_stage === 'deleted') {
        throw alreadyExists(
          `Experiment '${expName}' already exists in deleted state. You can restore the experiment, or permanently delete the experiment to create a new one.`,
        );
      }
      throw alreadyExists(`Experiment(name=${expName}) already exists.`);
    }
    const now = nowMs();
    const id = await this.deps.store.transaction(async (trx) => {
      const row = await trx
        .insertInto('experiments')
        .values({ name: expName, artifact_location: opts.artifactLocation ?? '', lifecycle_stage: 'active', creation_time: now, last_update_time: now })
        .returning('experiment_id')
        .executeTakeFirstOrThrow()
        .catch((e) => {
          if (/unique|duplicate/i.test(String(e?.message))) throw alreadyExists(`Experiment(name=${expName}) already exists.`);
          throw e;
        });
      const expId = Number(row.experiment_id);
      if (!opts.artifactLocation) {
        await trx.updateTable('experiments').set({ artifact_location: `mlflow-artifacts:/${expId}` }).where('experiment_id', '=', expId).execute();
      }
      for (const part of chunks(dedupeByKey(tags), ROWS_PER_INSERT)) {
        await trx.insertInto('experiment_tags').values(part.map((t) => ({ experiment_id: expId, key: t.key, value: t.value }))).execute();
      }
      await this.deps.audit.record({ entityType: 'experiment', entityId: String(expId), action: 'create', actor: opts.actor, details: { name: expName } }, trx);
      return expId;
    });
    return String(id);
  }

  private validateExperimentTag(t: KeyValue): void {
    validateKey('Experiment tag', t?.key, 'key');
    if (typeof t.value !== 'string') throw invalidParameter(`Experiment tag '${t.key}' must have a string value.`);
    validateLength(`Experiment tag '${t.key}' value`, t.value, LIMITS.experimentTagValueLength);
  }

  async getExperiment(id: unknown): Promise<Experiment> {
    const expId = parseExperimentId(id);
    const [exp] = await this.loadExperiments([expId]);
    if (!exp) throw notFound(`No Experiment with id=${expId} exists`);
    return exp;
  }

  async getExperimentByName(name: unknown): Promise<Experiment> {
    if (typeof name !== 'string' || name === '') throw invalidParameter(`Missing value for required parameter 'experiment_name'.`);
    const row = await this.db.selectFrom('experiments').select('experiment_id').where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`Could not find experiment with name '${name}'`);
    return this.getExperiment(Number(row.experiment_id));
  }

  /** Loads experiments with their tags in two queries, in the order of `ids`. */
  async loadExperiments(ids: number[], db: Db = this.db): Promise<Experiment[]> {
    if (ids.length === 0) return [];
    const rows = [];
    const tags = [];
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      rows.push(...(await db.selectFrom('experiments').selectAll().where('experiment_id', 'in', part).execute()));
      tags.push(...(await db.selectFrom('experiment_tags').selectAll().where('experiment_id', 'in', part).execute()));
    }
    const byId = new Map<number, Experiment>();
    for (const r of rows) {
      byId.set(Number(r.experiment_id), {
        experiment_id: String(r.experiment_id),
        name: r.name,
        artifact_location: r.artifact_location,
        lifecycle_stage: r.lifecycle_stage as LifecycleStage,
        last_update_time: Number(r.last_update_time),
        creation_time: Number(r.creation_time),
        tags: [],
      });
    }
    for (const t of tags) byId.get(Number(t.experiment_id))?.tags.push({ key: t.key, value: t.value });
    return ids.map((id) => byId.get(id)).filter((e): e is Experiment => e !== undefined);
  }

  private async experimentRow(expId: number, db: Db = this.db) {
    const row = await db.selectFrom('experiments').selectAll().where('experiment_id', '=', expId).executeTakeFirst();
    if (!row) throw notFound(`No Experiment with id=${expId} exists`);
    return row;
  }

  async deleteExperiment(id: unknown, actor?: string): Promise<void> {
    const expId = parseExperimentId(id);
    // MLflow lets the Default experiment be deleted (and restored) too; runs then need an explicit experiment.
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'active') throw notFound(`No Experiment with id=${expId} exists`);
      const now = nowMs();
      await trx.updateTable('experiments').set({ lifecycle_stage: 'deleted', last_update_time: now }).where('experiment_id', '=', expId).execute();
      await trx.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: now }).where('experiment_id', '=', expId).where('lifecycle_stage', '=', 'active').execute();
      await this.deps.audit.record({ entityType: 'experiment', entityId: String(expId), action: 'delete', actor, details: { name: exp.name } }, trx);
    });
  }

  async restoreExperiment(id: unknown, actor?: string): Promise<void> {
    const expId = parseExperimentId(id);
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'deleted') throw invalidParameter(`Cannot restore an active experiment (id=${expId}).`);
      await trx.updateTable('experiments').set({ lifecycle_stage: 'active', last_update_time: nowMs() }).where('experiment_id', '=', expId).execute();
      await trx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('experiment_id', '=', expId).where('lifecycle_stage', '=', 'deleted').execute();
      await this.deps.audit.record({ entityType: 'experiment', entityId: String(expId), action: 'restore', actor, details: { name: exp.name } }, trx);
    });
  }

  async renameExperiment(id: unknown, newName: unknown, actor?: string): Promise<void> {
    const expId = parseExperimentId(id);
    const name = validateExperimentName(newName);
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'active') throw invalidParameter(`Cannot rename a non-active experiment (id=${expId}).`);
      if (exp.name === name) return;
      const clash = await trx.selectFrom('experiments').select('experiment_id').where('name', '=', name).executeTakeFirst();
      if (clash) throw alreadyExists(`Experiment(name=${name}) already exists.`);
      await trx.updateTable('experiments').set({ name, last_update_time: nowMs() }).where('experiment_id', '=', expId).execute();
      await this.deps.audit.record({ entityType: 'experiment', entityId: String(expId), action: 'rename', actor, details: { from: exp.name, to: name } }, trx);
    });
  }

  async setExperimentTag(id: unknown, key: unknown, value: unknown): Promise<void> {
    const expId = parseExperimentId(id);
    const tag = { key: key as string, value: value as string };
    this.validateExperimentTag(tag);
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'active') throw invalidParameter(`The experiment ${expId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
      await trx
        .insertInto('experiment_tags')
        .values({ experiment_id: expId, key: tag.key, value: tag.value })
        .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
    });
  }

  async deleteExperimentTag(id: unknown, key: unknown): Promise<void> {
    const expId = parseExperimentId(id);
    if (typeof key !== 'string' || key === '') throw invalidParameter(`Missing value for required parameter 'key'.`);
    const exp = await this.experimentRow(expId);
    if (exp.lifecycle_stage !== 'active') throw invalidParameter(`The experiment ${expId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
    const res = await this.db.deleteFrom('experiment_tags').where('experiment_id', '=', expId).where('key', '=', key).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in experiment with id ${expId}`);
  }

  async searchExperiments(opts: { filter?: string; viewType?: ViewType; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): Promise<Page<Experiment>> {
    const maxResults = opts.maxResults ?? 1000;
    if (!isInt(maxResults) || maxResults < 1 || maxResults > LIMITS.searchExperimentsMaxResults) {
      throw invalidParameter(`Invalid value ${opts.maxResults} for parameter 'max_results' supplied. It must be at most ${LIMITS.searchExperimentsMaxResults}, and at least 1.`);
    }
    const page = await searchExperimentIds(this.db, this.deps.store.dialect, { ...opts, maxResults });
    return { items: await this.loadExperiments(page.items), nextPageToken: page.nextPageToken };
  }

  // ------------------------------------------------------------------ runs

  async createRun(input: CreateRunInput, actor?: string): Promise<Run> {
    const expId = parseExperimentId(input.experimentId ?? '0');
    const tags = [...(input.tags ?? [])];
    for (const [i, t] of tags.entries()) this.validateTag(t, `tags[${i}]`);
    if (input.startTime !== undefined && (!isInt(input.startTime) || input.startTime < 0)) throw invalidParameter(`Invalid value ${input.startTime} for parameter 'start_time' supplied.`);
    const nameTag = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (input.runName && nameTag && input.runName !== nameTag) {
      throw invalidParameter(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${nameTag}').`,
      );
    }
    if (input.runName !== undefined) validateLength('Run name', input.runName, LIMITS.runNameLength);
    validateLength(`Tag 'mlflow.runName' value (the run name)`, nameTag, LIMITS.runNameLength);
    validateLength('user_id', input.userId, LIMITS.userIdLength);
    const runName = input.runName || nameTag || randomRunName();
    if (!nameTag) tags.push({ key: RUN_NAME_TAG, value: runName });
    const runId = newRunId();
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'active') throw invalidParameter(`The experiment ${expId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
      await trx
        .insertInto('runs')
        .values({
          run_uuid: runId,
          experiment_id: expId,
          name: runName,
          user_id: input.userId ?? actor ?? '',
          status: 'RUNNING',
          start_time: input.startTime ?? nowMs(),
          end_time: null,
          deleted_time: null,
          lifecycle_stage: 'active',
          artifact_uri: `${exp.artifact_location.replace(/\/+$/, '')}/${runId}/artifacts`,
        })
        .execute();
      const unique = dedupeByKey(tags);
      for (const part of chunks(unique, ROWS_PER_INSERT)) await trx.insertInto('run_tags').values(part.map((t) => ({ run_uuid: runId, key: t.key, value: t.value }))).execute();
    });
    return this.getRun(runId);
  }

  async getRun(runId: unknown): Promise<Run> {
    const id = validateRunId(runId);
    const [run] = await this.loadRuns([id]);
    if (!run) throw notFound(`Run with id=${id} not found`);
    return run;
  }

  private async runRow(runId: string, db: Db = this.db) {
    const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  private async activeRunRow(runId: string, db: Db = this.db) {
    const row = await this.runRow(runId, db);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  /**
   * Loads whole runs (info, latest metrics, params, tags, inputs, outputs) for a page of ids in a fixed
   * number of queries, whatever the page size. Result order follows `ids`.
   */
  async loadRuns(ids: string[], db: Db = this.db): Promise<Run[]> {
    if (ids.length === 0) return [];
    const byId = new Map<string, Run>();
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const [runs, metrics, params, tags, inputs] = await Promise.all([
        db.selectFrom('runs').selectAll().where('run_uuid', 'in', part).execute(),
        db.selectFrom('latest_metrics').selectAll().where('run_uuid', 'in', part).execute(),
        db.selectFrom('params').selectAll().where('run_uuid', 'in', part).execute(),
        db.selectFrom('run_tags').selectAll().where('run_uuid', 'in', part).execute(),
        db.selectFrom('inputs').selectAll().where('destination_type', '=', 'RUN').where('destination_id', 'in', part).execute(),
      ]);
      for (const r of runs) byId.set(r.run_uuid, { info: runInfoOut(r), data: { metrics: [], params: [], tags: [] }, inputs: { dataset_inputs: [], model_inputs: [] }, outputs: { model_outputs: [] } });
      for (const m of metrics) byId.get(m.run_uuid)?.data.metrics.push(metricOut(m));
      for (const p of params) byId.get(p.run_uuid)?.data.params.push({ key: p.key, value: p.value });
      for (const t of tags) byId.get(t.run_uuid)?.data.tags.push({ key: t.key, value: t.value });
      const datasetLinks = inputs.filter((i) => i.source_type === 'DATASET');
      const [datasets, inputTags] = datasetLinks.length
        ? await Promise.all([
            db.selectFrom('datasets').selectAll().where('dataset_uuid', 'in', [...new Set(datasetLinks.map((i) => i.source_id))]).execute(),
            db.selectFrom('input_tags').selectAll().where('input_uuid', 'in', datasetLinks.map((i) => i.input_uuid)).execute(),
          ])
        : [[], []];
      const datasetById = new Map(datasets.map((d) => [d.dataset_uuid, d]));
      const tagsByInput = new Map<string, KeyValue[]>();
      for (const t of inputTags) {
        const list = tagsByInput.get(t.input_uuid) ?? [];
        list.push({ key: t.key, value: t.value });
        tagsByInput.set(t.input_uuid, list);
      }
      for (const i of inputs) {
        const run = byId.get(i.destination_id);
        if (!run) continue;
        if (i.source_type === 'DATASET') {
          const d = datasetById.get(i.source_id);
          if (d) run.inputs.dataset_inputs.push({ tags: tagsByInput.get(i.input_uuid) ?? [], dataset: datasetOut(d) });
        } else if (i.source_type === 'RUN_INPUT') {
          run.inputs.model_inputs.push({ model_id: i.source_id });
        } else if (i.source_type === 'RUN_OUTPUT') {
          run.outputs.model_outputs.push({ model_id: i.source_id, step: Number(i.step ?? 0) });
        }
      }
    }
    return ids.map((id) => byId.get(id)).filter((r): r is Run => r !== undefined);
  }

  async updateRun(runId: unknown, patch: { status?: string; endTime?: number; runName?: string }): Promise<RunInfo> {
    const id = validateRunId(runId);
    if (patch.status !== undefined && !RUN_STATUSES.includes(patch.status as RunStatus)) {
      throw invalidParameter(`Invalid value '${patch.status}' for parameter 'status' supplied. Expected one of ${RUN_STATUSES.join(', ')}.`);
    }
    if (patch.endTime !== undefined && (!isInt(patch.endTime) || patch.endTime < 0)) throw invalidParameter(`Invalid value ${patch.endTime} for parameter 'end_time' supplied.`);
    if (patch.runName !== undefined) validateLength('Run name', patch.runName, LIMITS.runNameLength);
    await this.deps.store.transaction(async (trx) => {
      await this.activeRunRow(id, trx);
      const set: { status?: string; end_time?: number; name?: string } = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.endTime !== undefined) set.end_time = patch.endTime;
      if (patch.runName) set.name = patch.runName;
      if (Object.keys(set).length) await trx.updateTable('runs').set(set).where('run_uuid', '=', id).execute();
      if (patch.runName) await this.upsertRunTags(trx, id, [{ key: RUN_NAME_TAG, value: patch.runName }]);
    });
    return runInfoOut(await this.runRow(id));
  }

  async deleteRun(runId: unknown, actor?: string): Promise<void> {
    const id = validateRunId(runId);
    await this.deps.store.transaction(async (trx) => {
      await this.runRow(id, trx);
      await trx.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: nowMs() }).where('run_uuid', '=', id).execute();
      await this.deps.audit.record({ entityType: 'run', entityId: id, action: 'delete', actor }, trx);
    });
  }

  async restoreRun(runId: unknown, actor?: string): Promise<void> {
    const id = validateRunId(runId);
    await this.deps.store.transaction(async (trx) => {
      await this.runRow(id, trx);
      await trx.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('run_uuid', '=', id).execute();
      await this.deps.audit.record({ entityType: 'run', entityId: id, action: 'restore', actor }, trx);
    });
  }

  async logMetric(runId: unknown, metric: MetricInput): Promise<void> {
    await this.logBatch(runId, { metrics: [metric] });
  }

  async logParam(runId: unknown, key: string, value: string): Promise<void> {
    await this.logBatch(runId, { params: [{ key, value }] });
  }

  async setTag(runId: unknown, key: string, value: string): Promise<void> {
    await this.logBatch(runId, { tags: [{ key, value }] });
  }

  async deleteTag(runId: unknown, key: unknown): Promise<void> {
    const id = validateRunId(runId);
    if (typeof key !== 'string' || key === '') throw invalidParameter(`Missing value for required parameter 'key'.`);
    await this.deps.store.transaction(async (trx) => {
      await this.activeRunRow(id, trx);
      const res = await trx.deleteFrom('run_tags').where('run_uuid', '=', id).where('key', '=', key).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw notFound(`No tag with name: ${key} in run with id ${id}`);
    });
  }

  private validateTag(t: KeyValue, path: string): void {
    validateKey('Tag', t?.key, `${path}.key`);
    if (typeof t.value !== 'string') throw invalidParameter(`Invalid value ${JSON.stringify(t.value)} for parameter '${path}.value' supplied: tag values must be strings.`);
    validateLength(`Tag '${t.key}' value`, t.value, LIMITS.tagValueLength);
    if (t.key === RUN_NAME_TAG) validateLength(`Tag 'mlflow.runName' value (the run name)`, t.value, LIMITS.runNameLength);
  }

  private validateParam(p: KeyValue, path: string): void {
    validateKey('Param', p?.key, `${path}.key`);
    if (typeof p.value !== 'string') throw invalidParameter(`Invalid value ${JSON.stringify(p.value)} for parameter '${path}.value' supplied: param values must be strings.`);
    validateLength(`Param '${p.key}' value`, p.value, LIMITS.paramValueLength);
  }

  private validateMetric(m: MetricInput, path: string): void {
    validateKey('Metric', m?.key, `${path}.key`);
    if (typeof m.value !== 'number') throw invalidParameter(`Invalid value ${JSON.stringify(m.value)} for parameter '${path}.value' supplied. Please specify value as a valid double (64-bit floating point).`);
    if (!isInt(m.timestamp) || m.timestamp < 0) {
      throw invalidParameter(`Invalid value ${JSON.stringify(m.timestamp)} for parameter '${path}.timestamp' supplied: metric '${m.key}' timestamp must be a nonnegative long (64-bit integer).`);
    }
    validateLength(`${path}.model_id`, m.model_id, LIMITS.modelIdLength);
    validateLength(`${path}.dataset_name`, m.dataset_name, LIMITS.datasetNameLength);
    validateLength(`${path}.dataset_digest`, m.dataset_digest, LIMITS.metricDatasetDigestLength);
    if (m.step !== undefined && !isInt(m.step)) throw invalidParameter(`Invalid value ${JSON.stringify(m.step)} for parameter '${path}.step' supplied: metric '${m.key}' step must be a valid long (64-bit integer).`);
  }

  /**
   * One transaction, multi-row inserts. `latest_metrics` is upserted in the same transaction with MLflow's
   * rule (max step, then max timestamp, then max value), decided in SQL so concurrent batches cannot race.
   */
  async logBatch(runId: unknown, batch: LogBatchInput): Promise<void> {
    const id = validateRunId(runId);
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    validateBatchLimits(metrics.length, params.length, tags.length);
    metrics.forEach((m, i) => this.validateMetric(m, `metrics[${i}]`));
    params.forEach((p, i) => this.validateParam(p, `params[${i}]`));
    tags.forEach((t, i) => this.validateTag(t, `tags[${i}]`));
    const paramByKey = new Map<string, string>();
    for (const p of params) {
      const prev = paramByKey.get(p.key);
      if (prev !== undefined && prev !== p.value) {
        throw invalidParameter(`Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`);
      }
      paramByKey.set(p.key, p.value);
    }
    if (metrics.length + params.length + tags.length === 0) {
      await this.activeRunRow(id);
      return;
    }
    await this.deps.store.transaction(async (trx) => {
      await this.activeRunRow(id, trx);
      if (paramByKey.size) await this.insertParams(trx, id, paramByKey);
      if (metrics.length) await this.insertMetrics(trx, id, metrics);
      if (tags.length) await this.upsertRunTags(trx, id, tags);
    });
  }

  private async insertParams(trx: Db, runId: string, params: Map<string, string>): Promise<void> {
    const existing = await trx.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', [...params.keys()]).execute();
    const conflicts = existing.filter((e) => params.get(e.key) !== e.value).map((e) => ({ key: e.key, old_value: e.value, new_value: params.get(e.key) }));
    if (conflicts.length) {
      throw invalidParameter(
        `Changing param values is not allowed. Params were already logged='${JSON.stringify(conflicts)}' for run ID='${runId}'.`,
      );
    }
    const known = new Set(existing.map((e) => e.key));
    const fresh = [...params].filter(([k]) => !known.has(k)).map(([key, value]) => ({ run_uuid: runId, key, value }));
    for (const part of chunks(fresh, ROWS_PER_INSERT)) {
      // A concurrent writer may have inserted the same key meanwhile: the same value is fine, a different one is the usual conflict.
      const inserted = await trx.insertInto('params').values(part).onConflict((oc) => oc.columns(['run_uuid', 'key']).doNothing()).returning('key').execute();
      if (inserted.length === part.length) continue;
      const done = new Set(inserted.map((r) => r.key));
      const raced = part.filter((p) => !done.has(p.key)).map((p) => p.key);
      const now = await trx.selectFrom('params').select(['key', 'value']).where('run_uuid', '=', runId).where('key', 'in', raced).execute();
      const lost = now.filter((e) => params.get(e.key) !== e.value).map((e) => ({ key: e.key, old_value: e.value, new_value: params.get(e.key) }));
      if (lost.length) throw invalidParameter(`Changing param values is not allowed. Params were already logged='${JSON.stringify(lost)}' for run ID='${runId}'.`);
    }
  }

  private async upsertRunTags(trx: Db, runId: string, tags: KeyValue[]): Promise<void> {
    const unique = dedupeByKey(tags);
    for (const part of chunks(unique, ROWS_PER_INSERT)) {
      await trx
        .insertInto('run_tags')
        .values(part.map((t) => ({ run_uuid: runId, key: t.key, value: t.value })))
        .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
        .execute();
    }
    const name = unique.find((t) => t.key === RUN_NAME_TAG);
    if (name) await trx.updateTable('runs').set({ name: name.value }).where('run_uuid', '=', runId).execute();
  }

  private async insertMetrics(trx: Db, runId: string, metrics: MetricInput[]): Promise<void> {
    const rows = metrics.map((m) => ({
      run_uuid: runId,
      key: m.key,
      ...storedMetricValue(m.value),
      timestamp: m.timestamp,
      step: m.step ?? 0,
      model_id: m.model_id || null,
      dataset_name: m.dataset_name || null,
      dataset_digest: m.dataset_digest || null,
    }));
    for (const part of chunks(rows, ROWS_PER_INSERT)) await trx.insertInto('metrics').values(part).execute();

    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const cur = latest.get(r.key);
      if (!cur || laterThan(r, cur)) latest.set(r.key, r);
    }
    for (const part of chunks([...latest.values()], ROWS_PER_INSERT)) {
      await trx
        .insertInto('latest_metrics')
        .values(part.map((r) => ({ run_uuid: r.run_uuid, key: r.key, value: r.value, timestamp: r.timestamp, step: r.step, is_nan: r.is_nan })))
        .onConflict((oc) =>
          oc
            .columns(['run_uuid', 'key'])
            .doUpdateSet({
              value: (eb) => eb.ref('excluded.value'),
              timestamp: (eb) => eb.ref('excluded.timestamp'),
              step: (eb) => eb.ref('excluded.step'),
              is_nan: (eb) => eb.ref('excluded.is_nan'),
            })
            .where(
              sql<boolean>`(excluded.step > latest_metrics.step) OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp) OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)`,
            ),
        )
        .execute();
    }

    const modelRows = rows.filter((r) => r.model_id);
    if (modelRows.length) {
      const modelIds = [...new Set(modelRows.map((r) => r.model_id as string))];
      const found = await trx.selectFrom('logged_models').select('model_id').where('model_id', 'in', modelIds).execute();
      const missing = modelIds.filter((m) => !found.some((f) => f.model_id === m));
      if (missing.length) throw notFound(`Logged model with ID '${missing[0]}' not found.`);
      for (const part of chunks(modelRows, ROWS_PER_INSERT)) {
        await trx
          .insertInto('logged_model_metrics')
          .values(
            part.map((r) => ({
              model_id: r.model_id as string,
              metric_name: r.key,
              metric_timestamp_ms: r.timestamp,
              metric_step: r.step,
              metric_value: r.value,
              is_nan: r.is_nan,
              run_id: runId,
              dataset_name: r.dataset_name,
              dataset_digest: r.dataset_digest,
            })),
          )
          .execute();
      }
    }
  }

  /** Full history of one metric, ordered as MLflow orders it (timestamp, step, value), optionally paged. */
  async getMetricHistory(runId: unknown, key: unknown, opts: { maxResults?: number; pageToken?: string } = {}): Promise<Page<Metric>> {
    const id = validateRunId(runId);
    if (typeof key !== 'string' || key === '') throw invalidParameter(`Missing value for required parameter 'metric_key'.`);
    if (opts.maxResults !== undefined && (!isInt(opts.maxResults) || opts.maxResults <= 0)) {
      throw invalidParameter(`Invalid value ${opts.maxResults} for parameter 'max_results' supplied. It must be a positive integer.`);
    }
    await this.runRow(id);
    const offset = decodeOffsetToken(opts.pageToken);
    let q = this.db
      .selectFrom('metrics')
      .select(['key', 'value', 'timestamp', 'step', 'is_nan'])
      .where('run_uuid', '=', id)
      .where('key', '=', key)
      .orderBy('timestamp')
      .orderBy('step')
      .orderBy('value');
    if (opts.maxResults !== undefined) q = q.limit(opts.maxResults + 1).offset(offset);
    else if (offset) q = q.limit(Number.MAX_SAFE_INTEGER).offset(offset);
    const rows = await q.execute();
    let next: string | undefined;
    if (opts.maxResults !== undefined && rows.length > opts.maxResults) {
      rows.length = opts.maxResults;
      next = encodeOffsetToken(offset + opts.maxResults);
    }
    return { items: rows.map(metricOut), nextPageToken: next };
  }

  /**
   * Up to `maxResults` points per run over [startStep, endStep], sampled by row exactly as MLflow does:
   * NTILE(maxResults) buckets over (step, timestamp, value), the first row of each, plus the global last
   * point. Done in SQL, so a run with millions of points still materialises only ~maxResults rows.
   */
  async getMetricHistoryBulkInterval(runIds: string[], key: string, opts: { maxResults?: number; startStep?: number; endStep?: number } = {}): Promise<Array<Metric & { run_id: string }>> {
    if (runIds.length === 0) throw invalidParameter('GetMetricHistoryBulkInterval request must specify at least one run_id.');
    if (runIds.length > 100) throw invalidParameter(`GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`);
    runIds.forEach((r) => validateRunId(r, 'run_ids'));
    const maxResults = opts.maxResults ?? 320;
    if (!isInt(maxResults) || maxResults < 1 || maxResults > 1000) throw invalidParameter('max_results must be between 1 and 1000.');
    if ((opts.startStep === undefined) !== (opts.endStep === undefined)) throw invalidParameter('If either start step or end step are specified, both must be specified.');
    if (opts.startStep !== undefined && opts.endStep !== undefined && opts.startStep > opts.endStep) {
      throw invalidParameter(`end_step must be greater than start_step. Found start_step=${opts.startStep} and end_step=${opts.endStep}.`);
    }
    const found = await this.db.selectFrom('runs').select('run_uuid').where('run_uuid', 'in', runIds).execute();
    const missing = runIds.find((r) => !found.some((f) => f.run_uuid === r));
    if (missing) throw notFound(`Run with id=${missing} not found`);
    const stepFilter =
      opts.startStep !== undefined && opts.endStep !== undefined ? sql`AND step >= ${opts.startStep} AND step <= ${opts.endStep}` : sql``;
    type Row = { value: number; timestamp: number; step: number; is_nan: number };
    const out: Array<Metric & { run_id: string }> = [];
    for (const runId of runIds) {
      const sampled = await sql<Row>`
        SELECT value, timestamp, step, is_nan FROM (
          SELECT value, timestamp, step, is_nan,
                 ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS rn
          FROM (
            SELECT value, timestamp, step, is_nan, NTILE(${maxResults}) OVER (ORDER BY step, timestamp, value, is_nan) AS bucket
            FROM metrics WHERE run_uuid = ${runId} AND key = ${key} ${stepFilter}
          ) bucketed
        ) ranked
        WHERE rn = 1
        ORDER BY step, timestamp, value, is_nan`.execute(this.db);
      const rows = sampled.rows;
      const last = (
        await sql<Row>`SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ${runId} AND key = ${key} ${stepFilter}
                       ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1`.execute(this.db)
      ).rows[0];
      const same = (a: Row, b: Row) => Number(a.step) === Number(b.step) && Number(a.timestamp) === Number(b.timestamp) && Number(a.value) === Number(b.value) && Number(a.is_nan) === Number(b.is_nan);
      if (last && (rows.length === 0 || !same(rows[rows.length - 1], last))) {
        if (rows.length >= maxResults) rows[rows.length - 1] = last;
        else rows.push(last);
      }
      for (const r of rows) out.push({ ...metricOut({ key, ...r }), run_id: runId });
    }
    return out;
  }

  async searchRuns(opts: { experimentIds: string[]; filter?: string; runViewType?: ViewType; maxResults?: number; orderBy?: string[]; pageToken?: string }): Promise<Page<Run>> {
    const maxResults = opts.maxResults ?? 1000;
    if (!isInt(maxResults) || maxResults < 1 || maxResults > LIMITS.searchRunsMaxResults) {
      throw invalidParameter(`Invalid value ${opts.maxResults} for parameter 'max_results' supplied. It must be at most ${LIMITS.searchRunsMaxResults}, and at least 1.`);
    }
    const experimentIds = opts.experimentIds.map(parseExperimentId);
    const page = await searchRunIds(this.db, this.deps.store.dialect, { ...opts, experimentIds, maxResults });
    return { items: await this.loadRuns(page.items), nextPageToken: page.nextPageToken };
  }

  // ------------------------------------------------------------------ datasets and model inputs/outputs

  async logInputs(runId: unknown, input: { datasets?: DatasetInput[]; models?: Array<{ model_id: string }> }): Promise<void> {
    const id = validateRunId(runId);
    const datasets = input.datasets ?? [];
    const models = input.models ?? [];
    if (datasets.length > LIMITS.datasetsPerBatch) throw invalidParameter(`A logging request can contain at most ${LIMITS.datasetsPerBatch} datasets. Got ${datasets.length}.`);
    datasets.forEach((d, i) => validateDatasetInput(d, i));
    models.forEach((m, i) => {
      if (typeof m?.model_id !== 'string' || m.model_id === '') throw invalidParameter(`Missing value for required parameter 'models[${i}].model_id'.`);
    });
    await this.deps.store.transaction(async (trx) => {
      const run = await this.activeRunRow(id, trx);
      for (const d of datasets) {
        const ds = d.dataset;
        let row = await trx
          .selectFrom('datasets')
          .select('dataset_uuid')
          .where('experiment_id', '=', run.experiment_id)
          .where('name', '=', ds.name)
          .where('digest', '=', ds.digest)
          .executeTakeFirst();
        if (!row) {
          row = { dataset_uuid: newId() };
          await trx
            .insertInto('datasets')
            .values({ dataset_uuid: row.dataset_uuid, experiment_id: run.experiment_id, name: ds.name, digest: ds.digest, source_type: ds.source_type, source: ds.source, schema: ds.schema ?? null, profile: ds.profile ?? null })
            .execute();
        }
        const link = await this.linkInput(trx, 'DATASET', row.dataset_uuid, id, null);
        if (link.created && d.tags?.length) {
          for (const part of chunks(dedupeByKey(d.tags), ROWS_PER_INSERT)) {
            await trx.insertInto('input_tags').values(part.map((t) => ({ input_uuid: link.inputUuid, key: t.key, value: t.value }))).execute();
          }
        }
      }
      for (const m of models) {
        await this.loggedModelRow(m.model_id, trx);
        await this.linkInput(trx, 'RUN_INPUT', m.model_id, id, null);
      }
    });
  }

  async logOutputs(runId: unknown, models: ModelOutput[]): Promise<void> {
    const id = validateRunId(runId);
    models.forEach((m, i) => {
      if (typeof m?.model_id !== 'string' || m.model_id === '') throw invalidParameter(`Missing value for required parameter 'models[${i}].model_id'.`);
      if (!isInt(m.step ?? 0)) throw invalidParameter(`Invalid value ${JSON.stringify(m.step)} for parameter 'models[${i}].step' supplied.`);
    });
    await this.deps.store.transaction(async (trx) => {
      await this.activeRunRow(id, trx);
      for (const m of models) {
        await this.loggedModelRow(m.model_id, trx);
        await this.linkInput(trx, 'RUN_OUTPUT', m.model_id, id, m.step ?? 0);
      }
    });
  }

  private async linkInput(trx: Db, sourceType: string, sourceId: string, runId: string, step: number | null): Promise<{ inputUuid: string; created: boolean }> {
    const existing = await trx
      .selectFrom('inputs')
      .select('input_uuid')
      .where('source_type', '=', sourceType)
      .where('source_id', '=', sourceId)
      .where('destination_type', '=', 'RUN')
      .where('destination_id', '=', runId)
      .executeTakeFirst();
    if (existing) return { inputUuid: existing.input_uuid, created: false };
    const inputUuid = newId();
    await trx.insertInto('inputs').values({ input_uuid: inputUuid, source_type: sourceType, source_id: sourceId, destination_type: 'RUN', destination_id: runId, step }).execute();
    return { inputUuid, created: true };
  }

  // ------------------------------------------------------------------ artifacts

  /** Lists a run's artifacts under `path` (relative to the run's artifact root), as MLflow's `artifacts/list` does. */
  async listRunArtifacts(runId: unknown, path?: string): Promise<{ root_uri: string; files: FileInfo[] }> {
    const run = await this.runRow(validateRunId(runId));
    const rel = path ? safeRelativePath(path) : '';
    const root = proxiedArtifactPath(run.artifact_uri);
    if (root === null) return { root_uri: run.artifact_uri, files: [] };
    const dir = rel ? `${root}/${rel}` : root;
    const entries = await this.deps.artifacts.list(dir).catch((e: NodeJS.ErrnoException) => {
      // The request named something the filesystem refuses (a too-long name, a file used as a folder): nothing to list there.
      if (e?.code === 'ENAMETOOLONG' || e?.code === 'ENOTDIR' || e?.code === 'ENOENT') return [];
      throw e;
    });
    return {
      root_uri: run.artifact_uri,
      files: entries.map((e) => {
        const base = e.path.split('/').pop() as string;
        return { path: rel ? `${rel}/${base}` : base, is_dir: e.isDir, ...(e.isDir ? {} : { file_size: e.fileSize }) };
      }),
    };
  }

  // ------------------------------------------------------------------ logged models (MLflow 3)

  async createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel> {
    const expId = parseExperimentId(input.experimentId);
    const name = input.name || randomRunName();
    validateLength('Logged model name', name, LIMITS.datasetNameLength);
    validateLength('Logged model type', input.modelType, LIMITS.modelTypeLength);
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    params.forEach((p, i) => this.validateParam(p, `params[${i}]`));
    tags.forEach((t, i) => this.validateTag(t, `tags[${i}]`));
    const modelId = newLoggedModelId();
    await this.deps.store.transaction(async (trx) => {
      const exp = await this.experimentRow(expId, trx);
      if (exp.lifecycle_stage !== 'active') throw invalidParameter(`The experiment ${expId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`);
      if (input.sourceRunId) await this.runRow(validateRunId(input.sourceRunId, 'source_run_id'), trx);
      const now = nowMs();
      await trx
        .insertInto('logged_models')
        .values({
          model_id: modelId,
          experiment_id: expId,
          name,
          artifact_location: `${exp.artifact_location.replace(/\/+$/, '')}/models/${modelId}/artifacts`,
          creation_timestamp_ms: now,
          last_updated_timestamp_ms: now,
          status: 'LOGGED_MODEL_PENDING',
          status_message: null,
          lifecycle_stage: 'active',
          model_type: input.modelType ?? null,
          source_run_id: input.sourceRunId || null,
        })
        .execute();
      for (const part of chunks(dedupeByKey(params), ROWS_PER_INSERT)) {
        await trx.insertInto('logged_model_params').values(part.map((p) => ({ model_id: modelId, key: p.key, value: p.value }))).execute();
      }
      for (const part of chunks(dedupeByKey(tags), ROWS_PER_INSERT)) {
        await trx.insertInto('logged_model_tags').values(part.map((t) => ({ model_id: modelId, key: t.key, value: t.value }))).execute();
      }
    });
    return this.getLoggedModel(modelId);
  }

  private async loggedModelRow(modelId: string, db: Db = this.db) {
    const row = await db.selectFrom('logged_models').selectAll().where('model_id', '=', modelId).where('lifecycle_stage', '=', 'active').executeTakeFirst();
    if (!row) throw notFound(`Logged model with ID '${modelId}' not found.`);
    return row;
  }

  async getLoggedModel(modelId: unknown): Promise<LoggedModel> {
    if (typeof modelId !== 'string' || modelId === '') throw invalidParameter(`Missing value for required parameter 'model_id'.`);
    const [m] = await this.loadLoggedModels([modelId]);
    if (!m) throw notFound(`Logged model with ID '${modelId}' not found.`);
    return m;
  }

  async loadLoggedModels(ids: string[], db: Db = this.db): Promise<LoggedModel[]> {
    if (ids.length === 0) return [];
    const byId = new Map<string, LoggedModel>();
    for (const part of chunks(ids, IDS_PER_QUERY)) {
      const [models, params, tags, metrics] = await Promise.all([
        db.selectFrom('logged_models').selectAll().where('model_id', 'in', part).where('lifecycle_stage', '=', 'active').execute(),
        db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', part).orderBy('key').execute(),
        db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', part).orderBy('key').execute(),
        db.selectFrom('logged_model_metrics').selectAll().where('model_id', 'in', part).orderBy('metric_timestamp_ms').execute(),
      ]);
      for (const m of models) {
        byId.set(m.model_id, {
          info: {
            model_id: m.model_id,
            experiment_id: String(m.experiment_id),
            name: m.name,
            creation_timestamp_ms: Number(m.creation_timestamp_ms),
            last_updated_timestamp_ms: Number(m.last_updated_timestamp_ms),
            artifact_uri: m.artifact_location,
            status: m.status as LoggedModelStatus,
            ...(m.status_message ? { status_message: m.status_message } : {}),
            model_type: m.model_type ?? '',
            ...(m.source_run_id ? { source_run_id: m.source_run_id } : {}),
            tags: [],
          },
          data: { params: [], metrics: [] },
        });
      }
      for (const p of params) byId.get(p.model_id)?.data.params.push({ key: p.key, value: p.value });
      for (const t of tags) byId.get(t.model_id)?.info.tags.push({ key: t.key, value: t.value });
      for (const r of metrics) {
        byId.get(r.model_id)?.data.metrics.push({
          key: r.metric_name,
          value: r.is_nan ? NaN : Number(r.metric_value),
          timestamp: Number(r.metric_timestamp_ms),
          step: Number(r.metric_step),
          model_id: r.model_id,
          run_id: r.run_id,
          ...(r.dataset_name ? { dataset_name: r.dataset_name } : {}),
          ...(r.dataset_digest ? { dataset_digest: r.dataset_digest } : {}),
        });
      }
    }
    return ids.map((id) => byId.get(id)).filter((m): m is LoggedModel => m !== undefined);
  }

  async finalizeLoggedModel(modelId: string, status: string): Promise<LoggedModel> {
    if (!LOGGED_MODEL_STATUSES.includes(status as LoggedModelStatus)) {
      throw invalidParameter(`Invalid value '${status}' for parameter 'status' supplied. Expected one of ${LOGGED_MODEL_STATUSES.join(', ')}.`);
    }
    await this.loggedModelRow(modelId);
    await this.db.updateTable('logged_models').set({ status, last_updated_timestamp_ms: nowMs() }).where('model_id', '=', modelId).execute();
    return this.getLoggedModel(modelId);
  }

  async deleteLoggedModel(modelId: string): Promise<void> {
    await this.loggedModelRow(modelId);
    await this.db.updateTable('logged_models').set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: nowMs() }).where('model_id', '=', modelId).execute();
    await this.deps.audit.record({ entityType: 'logged_model', entityId: modelId, action: 'delete' });
  }

  async setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void> {
    tags.forEach((t, i) => this.validateTag(t, `tags[${i}]`));
    await this.deps.store.transaction(async (trx) => {
      await this.loggedModelRow(modelId, trx);
      for (const part of chunks(dedupeByKey(tags), ROWS_PER_INSERT)) {
        await trx
          .insertInto('logged_model_tags')
          .values(part.map((t) => ({ model_id: modelId, key: t.key, value: t.value })))
          .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
          .execute();
      }
    });
  }

  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    await this.loggedModelRow(modelId);
    const res = await this.db.deleteFrom('logged_model_tags').where('model_id', '=', modelId).where('key', '=', key).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound(`No tag with key '${key}' found for logged model with ID '${modelId}'.`);
  }

  async logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    params.forEach((p, i) => this.validateParam(p, `params[${i}]`));
    await this.deps.store.transaction(async (trx) => {
      await this.loggedModelRow(modelId, trx);
      for (const part of chunks(dedupeByKey(params), ROWS_PER_INSERT)) {
        await trx
          .insertInto('logged_model_params')
          .values(part.map((p) => ({ model_id: modelId, key: p.key, value: p.value })))
          .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }))
          .execute();
      }
    });
  }

  async searchLoggedModels(opts: { experimentIds: string[]; filter?: string; maxResults?: number; orderBy?: LoggedModelOrderBy[]; pageToken?: string }): Promise<Page<LoggedModel>> {
    const experimentIds = opts.experimentIds.map(parseExperimentId);
    const maxResults = opts.maxResults ?? 100;
    if (!isInt(maxResults) || maxResults < 1 || maxResults > LIMITS.searchRunsMaxResults) throw invalidParameter(`Invalid value ${opts.maxResults} for parameter 'max_results' supplied.`);
    const page = await searchLoggedModelIds(this.db, this.deps.store.dialect, { ...opts, experimentIds, maxResults });
    return { items: await this.loadLoggedModels(page.items), nextPageToken: page.nextPageToken };
  }
}

function dedupeByKey<T extends { key: string }>(items: T[]): T[] {
  const m = new Map<string, T>();
  for (const i of items) m.set(i.key, i);
  return [...m.values()];
}

function runInfoOut(r: { run_uuid: string; experiment_id: number; name: string; user_id: string; status: string; start_time: number | null; end_time: number | null; artifact_uri: string; lifecycle_stage: string }): RunInfo {
  return {
    run_uuid: r.run_uuid,
    run_id: r.run_uuid,
    run_name: r.name,
    experiment_id: String(r.experiment_id),
    user_id: r.user_id,
    status: r.status as RunStatus,
    ...(r.start_time !== null ? { start_time: Number(r.start_time) } : {}),
    ...(r.end_time !== null ? { end_time: Number(r.end_time) } : {}),
    artifact_uri: r.artifact_uri,
    lifecycle_stage: r.lifecycle_stage as LifecycleStage,
  };
}

function datasetOut(d: { name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null }): Dataset {
  return {
    name: d.name,
    digest: d.digest,
    source_type: d.source_type,
    source: d.source,
    ...(d.schema !== null ? { schema: d.schema } : {}),
    ...(d.profile !== null ? { profile: d.profile } : {}),
  };
}

function validateDatasetInput(d: DatasetInput, i: number): void {
  const ds = d?.dataset;
  const path = `datasets[${i}].dataset`;
  if (!ds || typeof ds !== 'object') throw invalidParameter(`Missing value for required parameter '${path}'.`);
  for (const f of ['name', 'digest', 'source_type', 'source'] as const) {
    if (typeof ds[f] !== 'string' || ds[f] === '') throw invalidParameter(`Missing value for required parameter '${path}.${f}'.`);
  }
  validateLength(`Dataset name`, ds.name, LIMITS.datasetNameLength);
  validateLength(`Dataset digest`, ds.digest, LIMITS.datasetDigestLength);
  validateLength(`Dataset source`, ds.source, LIMITS.datasetSourceLength);
  validateLength(`Dataset source type`, ds.source_type, LIMITS.datasetSourceTypeLength);
  validateLength(`Dataset schema`, ds.schema, LIMITS.datasetSchemaLength);
  validateLength(`Dataset profile`, ds.profile, LIMITS.datasetProfileLength);
  for (const t of d.tags ?? []) {
    if (typeof t?.key !== 'string' || t.key === '') throw invalidParameter(`Missing value for required parameter 'datasets[${i}].tags.key'.`);
    validateLength('Input tag key', t.key, LIMITS.inputTagKeyLength);
    validateLength(`Input tag '${t.key}' value`, t.value, LIMITS.inputTagValueLength);
  }
}

