import { sql } from 'kysely';
import type { Db, Store, ModelVersionsTable } from '../store/index.ts';
import type { ArtifactStore } from '../artifacts/index.ts';
import { proxiedArtifactPath, joinArtifactPath } from '../artifacts/index.ts';
import type { AuditLog } from '../governance/index.ts';
import type { TrackingService } from '../tracking/index.ts';
import { searchRegisteredModelNames, searchModelVersionKeys } from '../tracking/search/index.ts';
import { PharosError, alreadyExists, invalidParameter, notFound } from '../core/errors.ts';
import { hasRelativeSegments, parseModelsUri, parseRunsUri, uriScheme } from './model-uri.ts';

export interface RegistryDeps {
  store: Store;
  artifacts: ArtifactStore;
  audit: AuditLog;
  tracking: TrackingService;
}

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];
/** The stages `archive_existing_versions` applies to and `get-latest-versions` returns by default in old clients. */
export const ACTIVE_STAGES: Stage[] = ['Staging', 'Production'];

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  userId?: string;
  currentStage: Stage;
  /** As registered (e.g. `models:/m-...`, `runs:/id/model`, `mlflow-artifacts:/...`). */
  source: string;
  /** Where the files are, resolved at registration (what `get-download-uri` answers). */
  storageLocation: string;
  runId?: string;
  runLink?: string;
  modelId?: string;
  status: 'READY';
  statusMessage?: string;
  tags: Record<string, string>;
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  /** The latest version in each stage that has one. */
  latestVersions: ModelVersion[];
  tags: Record<string, string>;
  aliases: Array<{ alias: string; version: number }>;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface ResolvedModelUri {
  name?: string;
  version?: number;
  /** Path inside the server's artifact store, e.g. `1/models/m-abc/artifacts`. */
  artifactPath: string;
  modelVersion?: ModelVersion;
}

export interface CreateModelVersionInput {
  name: string;
  source: string;
  runId?: string;
  modelId?: string;
  runLink?: string;
  description?: string;
  tags?: Record<string, string> | Array<{ key: string; value: string }>;
}

const MAX_TAG_KEY = 250;
const MAX_TAG_VALUE = 100_000;
const MAX_ALIAS = 255;
const MAX_INT32 = 2 ** 31 - 1;
// Column widths of model_versions (PostgreSQL enforces them; the check keeps an overlong value a 400, not a 500).
const MAX_SOURCE = 1000;
const PROMPT_TAG = 'mlflow.prompt.is_prompt';
const PROMPT_SOURCES = new Set(['dummy-source', 'prompt-template']);
const MAX_RUN_LINK = 500;
export const SEARCH_REGISTERED_MODELS_MAX = 1000;
export const SEARCH_MODEL_VERSIONS_MAX = 200_000;

export function canonicalStage(stage: string): Stage {
  const found = STAGES.find((s) => s.toLowerCase() === String(stage ?? '').toLowerCase());
  if (!found) throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${STAGES.join(', ')}.`);
  return found;
}

/** posixpath.normpath, for mlflow's "must not resolve to other names" rule. */
function normPath(p: string): string {
  if (p === '') return '.';
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && abs) continue;
    else out.push(part);
  }
  const joined = (abs ? (p.startsWith('//') && !p.startsWith('///') ? '//' : '/') : '') + out.join('/');
  return joined || '.';
}

function pathNotUnique(name: string): boolean {
  const norm = normPath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

function badPathMessage(name: string): string {
  return `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normPath(name)}'`;
}

export function validateModelName(name: unknown, param = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidParameter(`Missing value for required parameter '${param}'.`);
  if (name.includes('/') || name.includes(':')) throw invalidParameter(`Invalid model name '${name}'. Names cannot contain '/' or ':'.`);
  checkText(name, param);
  if (pathNotUnique(name)) throw invalidParameter(`Invalid value ${JSON.stringify(name)} for parameter '${param}' supplied: ${badPathMessage(name)}`);
  if (name.length > 256) throw invalidParameter(`'${param}' exceeds the maximum length of 256 characters`);
  return name;
}

export function parseVersion(version: unknown): number {
  const s = typeof version === 'number' ? String(version) : typeof version === 'string' ? version.trim() : '';
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${version ?? ''}'.`);
  }
  // The column is a 32-bit integer; PostgreSQL would fail the query (a 500) on anything wider.
  if (Math.abs(Number(s)) > MAX_INT32) throw invalidParameter(`Parameter 'version' is out of range, got '${version}'.`);
  return Number(s);
}

/** PostgreSQL text cannot hold NUL; refusing it everywhere keeps both engines answering alike. */
function checkText(value: string | null | undefined, param: string): void {
  if (typeof value === 'string' && value.includes('\0')) throw invalidParameter(`Parameter '${param}' must not contain NUL characters.`);
}

function validateTag(key: unknown, value: unknown): { key: string; value: string } {
  if (typeof key !== 'string' || key === '') throw invalidParameter(`Missing value for required parameter 'key'.`);
  if (!/^[/\w.\- :]*$/.test(key)) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(key)} for parameter 'key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  if (pathNotUnique(key)) throw invalidParameter(`Invalid value ${JSON.stringify(key)} for parameter 'key' supplied: ${badPathMessage(key)}`);
  if (key.length > MAX_TAG_KEY) throw invalidParameter(`'key' exceeds the maximum length of ${MAX_TAG_KEY} characters`);
  if (value === null || value === undefined) value = '';
  if (typeof value !== 'string') throw invalidParameter(`Tag value for '${key}' must be a string.`);
  checkText(value, 'value');
  if (value.length > MAX_TAG_VALUE) throw invalidParameter(`'value' exceeds the maximum length of ${MAX_TAG_VALUE} characters`);
  return { key, value };
}

function normalizeTags(tags: CreateModelVersionInput['tags']): Array<{ key: string; value: string }> {
  if (!tags) return [];
  const list = Array.isArray(tags) ? tags : Object.entries(tags).map(([key, value]) => ({ key, value }));
  // Last value wins for a repeated key, as in mlflow.
  const byKey = new Map<string, string>();
  for (const t of list) {
    if (!t || typeof t !== 'object') throw invalidParameter('Each tag must be an object with a key and a value.');
    const v = validateTag(t.key, t.value);
    byKey.set(v.key, v.value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function validateAlias(alias: unknown, { reserved }: { reserved: boolean }): string {
  if (typeof alias !== 'string' || alias === '') throw invalidParameter('Registered model alias name cannot be empty.');
  if (!/^[\w-]*$/.test(alias)) {
    throw invalidParameter(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  if (alias.length > MAX_ALIAS) throw invalidParameter(`'Registered model alias name' exceeds the maximum length of ${MAX_ALIAS} characters`);
  if (reserved) {
    if (alias.toLowerCase() === 'latest') throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
    if (/^[vV]\d+$/.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
  }
  return alias;
}

const invalidSource = (source: string, idName: 'run_id' | 'model_id') =>
  invalidParameter(`Invalid model version source: '${source}'. The ${idName} request parameter must identify the resource that contains the source.`);

/** URI path segments after percent-decoding, for "is this URI inside that root" checks. */
function uriParts(uri: string): { scheme: string; authority: string; parts: string[] } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/([^/]*))?(.*)$/.exec(uri);
  if (!m) return { scheme: '', authority: '', parts: uri.split('/').filter(Boolean) };
  const parts = m[4].split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { scheme: m[1].toLowerCase(), authority: (m[3] ?? '').toLowerCase(), parts };
}

function isUriWithinRoot(source: string, root: string): boolean {
  const s = uriParts(source);
  const r = uriParts(root);
  return s.scheme === r.scheme && s.authority === r.authority && r.parts.length > 0 && r.parts.every((p, i) => s.parts[i] === p);
}

function isMlflowArtifactSource(source: string): boolean {
  const { scheme, parts } = uriParts(source);
  if (scheme === 'mlflow-artifacts') return true;
  if (scheme !== 'http' && scheme !== 'https') return false;
  const route = ['api', '2.0', 'mlflow-artifacts', 'artifacts'];
  for (let i = 0; i + route.length <= parts.length; i++) if (route.every((p, j) => parts[i + j] === p)) return true;
  return false;
}

const isLocalSource = (source: string) => {
  const scheme = uriScheme(source);
  return scheme === '' || scheme === 'file';
};

type VersionRow = ModelVersionsTable;

/** Registered models, versions, stages, aliases, tags. Knows nothing of HTTP. */
export class RegistryService {
  constructor(readonly deps: RegistryDeps) {}

  private get db() {
    return this.deps.store.db;
  }

  private audit(db: Db, entityType: 'registered_model' | 'model_version', entityId: string, action: string, details?: Record<string, unknown>) {
    return this.deps.audit.record({ entityType, entityId, action, details }, db);
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(input: { name: string; description?: string; tags?: CreateModelVersionInput['tags'] }): Promise<RegisteredModel> {
    const name = validateModelName(input.name);
    const tags = normalizeTags(input.tags);
    checkText(input.description, 'description');
    const now = Date.now();
    try {
      await this.deps.store.transaction(async (trx) => {
        const existing = await trx.selectFrom('registered_models').select('name').where('name', '=', name).executeTakeFirst();
        if (existing) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
        await trx
          .insertInto('registered_models')
          .values({ name, creation_time: now, last_updated_time: now, description: input.description ?? null })
          .execute();
        if (tags.length) await trx.insertInto('registered_model_tags').values(tags.map((t) => ({ name, ...t }))).execute();
        await this.audit(trx, 'registered_model', name, 'create', { description: input.description, tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) });
      });
    } catch (e) {
      // Two concurrent creates: the loser hits the primary key.
      if (!(e instanceof PharosError) && isUniqueViolation(e)) throw alreadyExists(`Registered Model (name=${name}) already exists.`);
      throw e;
    }
    return this.getRegisteredModel(name);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const [model] = await this.loadRegisteredModels(this.db, [name]);
    if (!model) throw notFound(`Registered Model with name=${name} not found`);
    return model;
  }

  async updateRegisteredModel(name: string, description: string | null | undefined): Promise<RegisteredModel> {
    validateModelName(name);
    checkText(description, 'description');
    await this.deps.store.transaction(async (trx) => {
      const res = await trx
        .updateTable('registered_models')
        .set({ description: description ?? null, last_updated_time: Date.now() })
        .where('name', '=', name)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw notFound(`Registered Model with name=${name} not found`);
      await this.audit(trx, 'registered_model', name, 'update', { description });
    });
    return this.getRegisteredModel(name);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(name);
    if (typeof newName !== 'string' || newName.trim() === '') throw invalidParameter("Missing value for required parameter 'new_name'.");
    validateModelName(newName, 'new_name');
    try {
      await this.deps.store.transaction(async (trx) => {
        await this.requireModel(trx, name);
        if (newName !== name) {
          const clash = await trx.selectFrom('registered_models').select('name').where('name', '=', newName).executeTakeFirst();
          if (clash) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
        }
        const now = Date.now();
        // Versions, their tags and the aliases follow through ON UPDATE CASCADE foreign keys.
        await trx.updateTable('registered_models').set({ name: newName, last_updated_time: now }).where('name', '=', name).execute();
        await trx.updateTable('model_versions').set({ last_updated_time: now }).where('name', '=', newName).execute();
        await this.audit(trx, 'registered_model', newName, 'rename', { from: name, to: newName });
      });
    } catch (e) {
      if (!(e instanceof PharosError) && isUniqueViolation(e)) throw alreadyExists(`Registered Model (name=${newName}) already exists.`);
      throw e;
    }
    return this.getRegisteredModel(newName);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    validateModelName(name);
    await this.deps.store.transaction(async (trx) => {
      const versions = await trx.selectFrom('model_versions').select('version').where('name', '=', name).execute();
      // Explicit deletes rather than trusting every engine's cascade settings.
      await trx.deleteFrom('model_version_tags').where('name', '=', name).execute();
      await trx.deleteFrom('registered_model_aliases').where('name', '=', name).execute();
      await trx.deleteFrom('model_versions').where('name', '=', name).execute();
      await trx.deleteFrom('registered_model_tags').where('name', '=', name).execute();
      const res = await trx.deleteFrom('registered_models').where('name', '=', name).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw notFound(`Registered Model with name=${name} not found`);
      await this.audit(trx, 'registered_model', name, 'delete', { versions: versions.map((v) => Number(v.version)) });
    });
  }

  async searchRegisteredModels(opts: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): Promise<Page<RegisteredModel>> {
    const maxResults = opts.maxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > SEARCH_REGISTERED_MODELS_MAX) {
      throw invalidParameter(
        `Invalid value for request parameter max_results. It must be at most ${SEARCH_REGISTERED_MODELS_MAX}, but got value ${opts.maxResults}`,
      );
    }
    const page = await searchRegisteredModelNames(this.db, this.deps.store.dialect, { ...opts, maxResults });
    const models = await this.loadRegisteredModels(this.db, page.items);
    const byName = new Map(models.map((m) => [m.name, m]));
    return { items: page.items.map((n) => byName.get(n)).filter((m): m is RegisteredModel => !!m), nextPageToken: page.nextPageToken };
  }

  /** All models by name, a page at a time (keyset on the name, so pages stay cheap however many there are). */
  async listRegisteredModels(opts: { maxResults?: number; pageToken?: string } = {}): Promise<Page<RegisteredModel>> {
    const maxResults = opts.maxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > SEARCH_REGISTERED_MODELS_MAX) {
      throw invalidParameter(`max_results must be between 1 and ${SEARCH_REGISTERED_MODELS_MAX}, got ${opts.maxResults}`);
    }
    let after: string | undefined;
    if (opts.pageToken) {
      try {
        after = JSON.parse(Buffer.from(opts.pageToken, 'base64url').toString('utf8')).after;
      } catch {
        after = undefined;
      }
      if (typeof after !== 'string') throw invalidParameter(`Invalid page token '${opts.pageToken}'.`);
    }
    let q = this.db.selectFrom('registered_models').select('name').orderBy('name').limit(maxResults + 1);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q.execute();
    const names = rows.slice(0, maxResults).map((r) => r.name);
    const nextPageToken = rows.length > maxResults ? Buffer.from(JSON.stringify({ after: names[names.length - 1] })).toString('base64url') : undefined;
    return { items: await this.loadRegisteredModels(this.db, names), nextPageToken };
  }

  /** Every version of one model, newest first. */
  async listModelVersions(name: string): Promise<ModelVersion[]> {
    validateModelName(name);
    await this.requireModel(this.db, name);
    const rows = await this.db.selectFrom('model_versions').select('version').where('name', '=', name).orderBy('version', 'desc').execute();
    return this.loadModelVersions(this.db, rows.map((r) => ({ name, version: Number(r.version) })));
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    validateModelName(name);
    const tag = validateTag(key, value);
    await this.deps.store.transaction(async (trx) => {
      await this.requireModel(trx, name);
      await upsertTag(trx, 'registered_model_tags', { name, ...tag });
      await this.audit(trx, 'registered_model', name, 'set_tag', tag);
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateTag(key, '');
    await this.deps.store.transaction(async (trx) => {
      await this.requireModel(trx, name);
      await trx.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key).execute();
      await this.audit(trx, 'registered_model', name, 'delete_tag', { key });
    });
  }

  /** The latest version in each requested stage (every stage when `stages` is empty). */
  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = new Set<Stage>((stages && stages.length ? stages : STAGES).map(canonicalStage));
    await this.requireModel(this.db, name);
    const latest = await this.latestVersionKeys(this.db, [name]);
    const keys = latest.filter((k) => wanted.has(k.stage));
    return this.loadModelVersions(this.db, keys);
  }

  // ---------------------------------------------------------------- model versions

  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const name = validateModelName(input.name);
    if (typeof input.source !== 'string' || input.source === '') throw invalidParameter("Missing value for required parameter 'source'.");
    if (input.source.length > MAX_SOURCE) throw invalidParameter(`'source' exceeds the maximum length of ${MAX_SOURCE} characters`);
    if (input.runId && !/^[\w-]{1,32}$/.test(input.runId)) throw invalidParameter(`Invalid run ID: '${input.runId}'.`);
    if (input.modelId && !/^[\w-]{1,64}$/.test(input.modelId)) throw invalidParameter(`Invalid model ID: '${input.modelId}'.`);
    checkText(input.description, 'description');
    checkText(input.runLink, 'run_link');
    if (input.runLink && input.runLink.length > MAX_RUN_LINK) throw invalidParameter(`'run_link' exceeds the maximum length of ${MAX_RUN_LINK} characters`);
    const tags = normalizeTags(input.tags);
    // Prompt versions (mlflow.genai.register_prompt) live in the registry too; their source is a placeholder.
    const isPrompt = tags.some((t) => t.key === PROMPT_TAG && t.value.toLowerCase() === 'true');
    if (isPrompt && !PROMPT_SOURCES.has(input.source)) {
      throw invalidParameter(`Invalid prompt source: '${input.source}'. Prompt sources must use an MLflow placeholder.`);
    }
    const resolved = isPrompt
      ? { source: input.source, storageLocation: input.source, runId: input.runId || undefined, modelId: input.modelId || undefined }
      : await this.resolveSource(input.source, input.runId || undefined, input.modelId || undefined);
    if (resolved.storageLocation.length > MAX_SOURCE) throw invalidParameter(`The model's location exceeds ${MAX_SOURCE} characters: '${resolved.storageLocation}'`);
    const now = Date.now();
    const version = await this.deps.store.transaction(async (trx) => {
      // The counter row doubles as the lock that serialises concurrent registrations of one model.
      const bumped = await trx
        .updateTable('registered_models')
        .set((eb) => ({ last_version: eb('last_version', '+', 1), last_updated_time: now }))
        .where('name', '=', name)
        .returning('last_version')
        .executeTakeFirst();
      if (!bumped) throw notFound(`Registered Model with name=${name} not found`);
      const version = Number(bumped.last_version);
      await trx
        .insertInto('model_versions')
        .values({
          name,
          version,
          creation_time: now,
          last_updated_time: now,
          description: input.description ?? null,
          user_id: null,
          current_stage: 'None',
          source: resolved.source,
          storage_location: resolved.storageLocation,
          run_id: resolved.runId ?? null,
          run_link: input.runLink || null,
          model_id: resolved.modelId ?? null,
          // Registration copies nothing (the version points at the logged files), so it is ready at once;
          // a PENDING status would make the mlflow client poll for minutes.
          status: 'READY',
          status_message: null,
        })
        .execute();
      if (tags.length) await trx.insertInto('model_version_tags').values(tags.map((t) => ({ name, version, ...t }))).execute();
      await this.audit(trx, 'model_version', `${name}/${version}`, 'create', {
        source: resolved.source,
        storage_location: resolved.storageLocation,
        run_id: resolved.runId,
        model_id: resolved.modelId,
      });
      return version;
    });
    return this.getModelVersion(name, version);
  }

  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    validateModelName(name);
    const v = parseVersion(version);
    const [mv] = await this.loadModelVersions(this.db, [{ name, version: v }]);
    if (!mv) throw notFound(`Model Version (name=${name}, version=${v}) not found`);
    return mv;
  }

  async updateModelVersion(name: string, version: number | string, description: string | null | undefined): Promise<ModelVersion> {
    validateModelName(name);
    checkText(description, 'description');
    const v = parseVersion(version);
    await this.deps.store.transaction(async (trx) => {
      const res = await trx
        .updateTable('model_versions')
        .set({ description: description ?? null, last_updated_time: Date.now() })
        .where('name', '=', name)
        .where('version', '=', v)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw notFound(`Model Version (name=${name}, version=${v}) not found`);
      await this.audit(trx, 'model_version', `${name}/${v}`, 'update', { description });
    });
    return this.getModelVersion(name, v);
  }

  async transitionModelVersionStage(name: string, version: number | string, stage: string, archiveExistingVersions = false): Promise<ModelVersion> {
    validateModelName(name);
    const v = parseVersion(version);
    if (typeof stage !== 'string' || stage === '') throw invalidParameter("Missing value for required parameter 'stage'.");
    const target = canonicalStage(stage);
    if (archiveExistingVersions && !ACTIVE_STAGES.includes(target)) {
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${JSON.stringify(ACTIVE_STAGES).replace(/"/g, "'").replace(/,/g, ', ')}`,
      );
    }
    await this.deps.store.transaction(async (trx) => {
      const row = await trx.selectFrom('model_versions').select('current_stage').where('name', '=', name).where('version', '=', v).executeTakeFirst();
      if (!row) throw notFound(`Model Version (name=${name}, version=${v}) not found`);
      const now = Date.now();
      let archived: number[] = [];
      if (archiveExistingVersions) {
        const others = await trx
          .selectFrom('model_versions')
          .select('version')
          .where('name', '=', name)
          .where('version', '!=', v)
          .where('current_stage', '=', target)
          .execute();
        archived = others.map((o) => Number(o.version));
        if (archived.length) {
          await trx
            .updateTable('model_versions')
            .set({ current_stage: 'Archived', last_updated_time: now })
            .where('name', '=', name)
            .where('version', 'in', archived)
            .execute();
        }
      }
      await trx.updateTable('model_versions').set({ current_stage: target, last_updated_time: now }).where('name', '=', name).where('version', '=', v).execute();
      await trx.updateTable('registered_models').set({ last_updated_time: now }).where('name', '=', name).execute();
      await this.audit(trx, 'model_version', `${name}/${v}`, 'transition_stage', { from: row.current_stage, to: target, archived_versions: archived });
    });
    return this.getModelVersion(name, v);
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    validateModelName(name);
    const v = parseVersion(version);
    await this.deps.store.transaction(async (trx) => {
      const aliases = await trx.selectFrom('registered_model_aliases').select('alias').where('name', '=', name).where('version', '=', v).execute();
      await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('version', '=', v).execute();
      await trx.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', v).execute();
      const res = await trx.deleteFrom('model_versions').where('name', '=', name).where('version', '=', v).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw notFound(`Model Version (name=${name}, version=${v}) not found`);
      await trx.updateTable('registered_models').set({ last_updated_time: Date.now() }).where('name', '=', name).execute();
      await this.audit(trx, 'model_version', `${name}/${v}`, 'delete', { removed_aliases: aliases.map((a) => a.alias) });
    });
  }

  async searchModelVersions(opts: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): Promise<Page<ModelVersion>> {
    const maxResults = opts.maxResults ?? 10_000;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > SEARCH_MODEL_VERSIONS_MAX) {
      throw invalidParameter(
        `Invalid value for request parameter max_results. It must be at most ${SEARCH_MODEL_VERSIONS_MAX}, but got value ${opts.maxResults}`,
      );
    }
    const page = await searchModelVersionKeys(this.db, this.deps.store.dialect, { ...opts, maxResults });
    const versions = await this.loadModelVersions(this.db, page.items);
    return { items: versions, nextPageToken: page.nextPageToken };
  }

  async getModelVersionDownloadUri(name: string, version: number | string): Promise<string> {
    const mv = await this.getModelVersion(name, version);
    return mv.storageLocation;
  }

  async setModelVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    validateModelName(name);
    const v = parseVersion(version);
    const tag = validateTag(key, value);
    await this.deps.store.transaction(async (trx) => {
      await this.requireVersion(trx, name, v);
      await upsertTag(trx, 'model_version_tags', { name, version: v, ...tag });
      await this.audit(trx, 'model_version', `${name}/${v}`, 'set_tag', tag);
    });
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    validateModelName(name);
    const v = parseVersion(version);
    validateTag(key, '');
    await this.deps.store.transaction(async (trx) => {
      await this.requireVersion(trx, name, v);
      await trx.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', v).where('key', '=', key).execute();
      await this.audit(trx, 'model_version', `${name}/${v}`, 'delete_tag', { key });
    });
  }

  // ---------------------------------------------------------------- aliases

  async setRegisteredModelAlias(name: string, alias: string, version: number | string): Promise<void> {
    validateModelName(name);
    validateAlias(alias, { reserved: true });
    const v = parseVersion(version);
    await this.deps.store.transaction(async (trx) => {
      await this.requireVersion(trx, name, v);
      const previous = await trx.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
      if (previous) {
        await trx.updateTable('registered_model_aliases').set({ version: v }).where('name', '=', name).where('alias', '=', alias).execute();
      } else {
        await trx.insertInto('registered_model_aliases').values({ name, alias, version: v }).execute();
      }
      await this.audit(trx, 'registered_model', name, 'set_alias', { alias, version: v, previous_version: previous ? Number(previous.version) : null });
    });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAlias(alias, { reserved: false });
    await this.deps.store.transaction(async (trx) => {
      await this.requireModel(trx, name);
      const previous = await trx.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
      if (!previous) return;
      await trx.deleteFrom('registered_model_aliases').where('name', '=', name).where('alias', '=', alias).execute();
      await this.audit(trx, 'registered_model', name, 'delete_alias', { alias, version: Number(previous.version) });
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAlias(alias, { reserved: false });
    if (alias.toLowerCase() === 'latest') {
      const latest = await this.latestVersion(name);
      if (!latest) throw notFound(`Latest version not found for model ${name}.`);
      return latest;
    }
    await this.requireModel(this.db, name);
    const row = await this.db.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
    // mlflow answers INVALID_PARAMETER_VALUE (400) here, not 404; clients match on it.
    if (!row) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return this.getModelVersion(name, Number(row.version));
  }

  // ---------------------------------------------------------------- URIs

  /**
   * Where the files behind a model URI are in the artifact store: `models:/name/3`, `models:/name@alias`,
   * `models:/name/Production` (latest in stage), `models:/name/latest`, `models:/m-<id>`, `runs:/<run>/<path>`,
   * `mlflow-artifacts:/...`.
   */
  async resolveModelUri(uri: string): Promise<ResolvedModelUri> {
    if (typeof uri !== 'string' || uri === '') throw invalidParameter('A model URI is required.');
    checkText(uri, 'uri');
    const scheme = uriScheme(uri);
    if (scheme === 'models') {
      const parsed = parseModelsUri(uri);
      let mv: ModelVersion;
      switch (parsed.kind) {
        case 'logged_model':
          return { artifactPath: await this.artifactPathOf(await this.loggedModelLocation(parsed.modelId, uri)) };
        case 'version':
          mv = await this.getModelVersion(parsed.name, parsed.version);
          break;
        case 'alias':
          mv = await this.getModelVersionByAlias(parsed.name, parsed.alias);
          break;
        case 'latest': {
          const latest = await this.latestVersion(parsed.name);
          if (!latest) throw notFound(`No versions of model with name '${parsed.name}' found`);
          mv = latest;
          break;
        }
        case 'stage': {
          const inStage = await this.getLatestVersions(parsed.name, [parsed.stage]);
          if (!inStage.length) throw notFound(`No versions of model with name '${parsed.name}' and stage '${parsed.stage}' found`);
          mv = inStage[0];
          break;
        }
      }
      return { name: mv.name, version: mv.version, artifactPath: await this.artifactPathOf(mv.storageLocation), modelVersion: mv };
    }
    return { artifactPath: await this.artifactPathOf(uri) };
  }

  /** A storage location (or source) → the path inside this server's artifact store. */
  private async artifactPathOf(location: string, depth = 0): Promise<string> {
    if (depth > 5) throw invalidParameter(`Model URI '${location}' refers to itself.`);
    const scheme = uriScheme(location);
    if (scheme === 'mlflow-artifacts') {
      const p = proxiedArtifactPath(location);
      if (p === null || hasRelativeSegments(p)) throw invalidParameter(`Invalid artifact location '${location}'.`);
      return p.replace(/\/+$/, '');
    }
    if (scheme === 'runs') {
      const { runId, artifactPath } = parseRunsUri(location);
      return this.artifactPathOf(await this.runArtifactLocation(runId, artifactPath, location), depth + 1);
    }
    if (scheme === 'models') return (await this.resolveModelUri(location)).artifactPath;
    throw invalidParameter(`Model location '${location}' is not in this server's artifact store (only mlflow-artifacts:/, runs:/ and models:/ URIs are served).`);
  }

  /**
   * `runs:/<run>/<path>` → a concrete location: the run's own artifacts when they hold a model there, else
   * (MLflow 3, where log_model writes to a logged model) the run's logged model named `<path>`.
   */
  private async runArtifactLocation(runId: string, artifactPath: string, uri: string): Promise<string> {
    const run = await this.db.selectFrom('runs').select(['artifact_uri']).where('run_uuid', '=', runId).executeTakeFirst();
    if (!run) throw notFound(`Run with id=${runId} not found`);
    const direct = artifactPath ? `${run.artifact_uri.replace(/\/+$/, '')}/${artifactPath}` : run.artifact_uri;
    const directPath = uriScheme(direct) === 'mlflow-artifacts' ? proxiedArtifactPath(direct) : null;
    if (directPath !== null && !hasRelativeSegments(directPath)) {
      const mlmodel = await this.deps.artifacts.stat(joinArtifactPath(directPath, 'MLmodel')).catch(() => null);
      if (mlmodel && !mlmodel.isDir) return direct;
    }
    if (artifactPath) {
      const logged = await this.db
        .selectFrom('logged_models')
        .select(['artifact_location'])
        .where('source_run_id', '=', runId)
        .where('name', '=', artifactPath)
        .orderBy('creation_timestamp_ms', 'desc')
        .executeTakeFirst();
      if (logged) return logged.artifact_location;
    }
    if (directPath !== null) return direct;
    throw notFound(`No model found at '${uri}'.`);
  }

  private async loggedModelLocation(modelId: string, source: string): Promise<string> {
    const row = await this.db.selectFrom('logged_models').select('artifact_location').where('model_id', '=', modelId).executeTakeFirst();
    if (!row) throw notFound(`Logged model with ID '${modelId}' not found (from '${source}').`);
    return row.artifact_location;
  }

  /**
   * Validates a version's source the way mlflow's server does (a source must lie inside the run or logged model
   * it claims, no '..'), and resolves where its files are so download and serving need no second lookup.
   */
  private async resolveSource(
    source: string,
    runId: string | undefined,
    modelId: string | undefined,
  ): Promise<{ source: string; storageLocation: string; runId?: string; modelId?: string }> {
    const scheme = uriScheme(source);
    if (hasRelativeSegments(source)) {
      throw invalidParameter(
        `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
      );
    }
    const run = async (id: string, idName: 'run_id' = 'run_id') => {
      const row = await this.db.selectFrom('runs').select(['run_uuid', 'artifact_uri']).where('run_uuid', '=', id).executeTakeFirst();
      if (!row) throw invalidSource(source, idName);
      return row;
    };
    const loggedModel = async (id: string) => {
      const row = await this.db
        .selectFrom('logged_models')
        .select(['model_id', 'artifact_location', 'source_run_id'])
        .where('model_id', '=', id)
        .executeTakeFirst();
      if (!row) throw invalidSource(source, 'model_id');
      return row;
    };

    if (scheme === 'models') {
      const parsed = parseModelsUri(source);
      if (parsed.kind === 'logged_model') {
        if (modelId && modelId !== parsed.modelId) throw invalidSource(source, 'model_id');
        const lm = await loggedModel(parsed.modelId);
        return { source, storageLocation: lm.artifact_location, runId: runId ?? lm.source_run_id ?? undefined, modelId: lm.model_id };
      }
      // A registered version as the source: pin it to its number and inherit its lineage.
      const target = (await this.resolveModelUri(source)).modelVersion!;
      if ((runId !== undefined && runId !== (target.runId ?? '')) || (modelId !== undefined && modelId !== (target.modelId ?? ''))) {
        throw invalidParameter(`Invalid model version source: '${source}'. The run_id and model_id request parameters must match the referenced model version.`);
      }
      return { source: `models:/${target.name}/${target.version}`, storageLocation: target.storageLocation, runId: runId ?? target.runId, modelId: modelId ?? target.modelId };
    }

    if (modelId) {
      const lm = await loggedModel(modelId);
      const lineage = { runId: runId ?? lm.source_run_id ?? undefined, modelId };
      if (scheme === 'runs') throw invalidSource(source, 'model_id');
      if (isLocalSource(source)) {
        throw invalidParameter(
          `Invalid model version source: '${source}'. To use a local path as a model version source, the model_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the model_id.`,
        );
      }
      if (isMlflowArtifactSource(source) && !isUriWithinRoot(source, lm.artifact_location)) throw invalidSource(source, 'model_id');
      return { source, storageLocation: source, ...lineage };
    }

    if (isLocalSource(source)) {
      throw invalidParameter(
        `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
      );
    }
    if (scheme === 'runs') {
      const parsed = parseRunsUri(source);
      if (!runId || parsed.runId !== runId) throw invalidSource(source, 'run_id');
      await run(runId);
      let storageLocation = source;
      try {
        storageLocation = await this.runArtifactLocation(runId, parsed.artifactPath, source);
      } catch (e) {
        if (!(e instanceof PharosError)) throw e;
      }
      return { source, storageLocation, runId };
    }
    if (isMlflowArtifactSource(source)) {
      if (!runId) throw invalidSource(source, 'run_id');
      const r = await run(runId);
      if (!isUriWithinRoot(source, r.artifact_uri)) throw invalidSource(source, 'run_id');
      return { source, storageLocation: source, runId };
    }
    // Other stores (s3://, gs://, https://...) are the client's business; record them as given.
    return { source, storageLocation: source, runId };
  }

  // ---------------------------------------------------------------- loading

  private async requireModel(db: Db, name: string): Promise<void> {
    const row = await db.selectFrom('registered_models').select('name').where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(`Registered Model with name=${name} not found`);
  }

  private async requireVersion(db: Db, name: string, version: number): Promise<void> {
    const row = await db.selectFrom('model_versions').select('version').where('name', '=', name).where('version', '=', version).executeTakeFirst();
    if (!row) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
  }

  private async latestVersion(name: string): Promise<ModelVersion | undefined> {
    await this.requireModel(this.db, name);
    const row = await this.db.selectFrom('model_versions').select('version').where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row ? this.getModelVersion(name, Number(row.version)) : undefined;
  }

  /** (name, version, stage) of the newest version per stage of each model, in one windowed query. */
  private async latestVersionKeys(db: Db, names: string[]): Promise<Array<{ name: string; version: number; stage: Stage }>> {
    if (!names.length) return [];
    const ranked = db
      .selectFrom('model_versions')
      .select(['name', 'version', 'current_stage', sql<number>`row_number() over (partition by name, current_stage order by version desc)`.as('rn')])
      .where('name', 'in', names);
    const rows = await db.selectFrom(ranked.as('r')).select(['r.name', 'r.version', 'r.current_stage']).where('r.rn', '=', 1).execute();
    return rows
      .map((r) => ({ name: r.name, version: Number(r.version), stage: r.current_stage as Stage }))
      .sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
  }

  /** Registered models with tags, aliases and latest versions: four queries whatever the count. */
  async loadRegisteredModels(db: Db, names: string[]): Promise<RegisteredModel[]> {
    if (!names.length) return [];
    const unique = [...new Set(names)];
    const [rows, tags, aliases, latestKeys] = await Promise.all([
      db.selectFrom('registered_models').selectAll().where('name', 'in', unique).execute(),
      db.selectFrom('registered_model_tags').selectAll().where('name', 'in', unique).execute(),
      db.selectFrom('registered_model_aliases').selectAll().where('name', 'in', unique).orderBy('alias').execute(),
      this.latestVersionKeys(db, unique),
    ]);
    const latest = await this.loadModelVersions(db, latestKeys);
    const byName = new Map(rows.map((r) => [r.name, r]));
    return unique
      .filter((n) => byName.has(n))
      .map((n) => {
        const r = byName.get(n)!;
        return {
          name: r.name,
          creationTimestamp: Number(r.creation_time),
          lastUpdatedTimestamp: Number(r.last_updated_time),
          description: r.description ?? undefined,
          latestVersions: latest.filter((v) => v.name === n),
          tags: Object.fromEntries(tags.filter((t) => t.name === n).map((t) => [t.key, t.value])),
          aliases: aliases.filter((a) => a.name === n).map((a) => ({ alias: a.alias, version: Number(a.version) })),
        };
      });
  }

  /** Versions (in the order asked) with tags and aliases: three queries whatever the count. */
  async loadModelVersions(db: Db, keys: Array<{ name: string; version: number }>): Promise<ModelVersion[]> {
    if (!keys.length) return [];
    const names = [...new Set(keys.map((k) => k.name))];
    const wanted = new Set(keys.map((k) => `${k.name}\u0000${k.version}`));
    const versionsOf = (qb: any) => qb.where('name', 'in', names).where('version', 'in', [...new Set(keys.map((k) => k.version))]);
    const [rows, tags, aliases] = await Promise.all([
      versionsOf(db.selectFrom('model_versions').selectAll()).execute() as Promise<VersionRow[]>,
      versionsOf(db.selectFrom('model_version_tags').selectAll()).execute() as Promise<Array<{ name: string; version: number; key: string; value: string }>>,
      versionsOf(db.selectFrom('registered_model_aliases').selectAll()).orderBy('alias').execute() as Promise<Array<{ name: string; alias: string; version: number }>>,
    ]);
    const key = (n: string, v: number | string) => `${n}\u0000${Number(v)}`;
    const byKey = new Map<string, ModelVersion>();
    for (const r of rows) {
      const k = key(r.name, r.version);
      if (!wanted.has(k)) continue;
      byKey.set(k, {
        name: r.name,
        version: Number(r.version),
        creationTimestamp: Number(r.creation_time),
        lastUpdatedTimestamp: Number(r.last_updated_time),
        description: r.description ?? undefined,
        userId: r.user_id ?? undefined,
        currentStage: r.current_stage as Stage,
        source: r.source,
        storageLocation: r.storage_location ?? r.source,
        runId: r.run_id ?? undefined,
        runLink: r.run_link ?? undefined,
        modelId: r.model_id ?? undefined,
        status: 'READY',
        statusMessage: r.status_message ?? undefined,
        tags: {},
        aliases: [],
      });
    }
    for (const t of tags) {
      const mv = byKey.get(key(t.name, t.version));
      if (mv) mv.tags[t.key] = t.value;
    }
    for (const a of aliases) byKey.get(key(a.name, a.version))?.aliases.push(a.alias);
    return keys.map((k) => byKey.get(key(k.name, k.version))).filter((m): m is ModelVersion => !!m);
  }
}

async function upsertTag(db: Db, table: 'registered_model_tags', row: { name: string; key: string; value: string }): Promise<void>;
async function upsertTag(db: Db, table: 'model_version_tags', row: { name: string; version: number; key: string; value: string }): Promise<void>;
async function upsertTag(db: Db, table: 'registered_model_tags' | 'model_version_tags', row: any): Promise<void> {
  const conflict = table === 'registered_model_tags' ? ['name', 'key'] : ['name', 'version', 'key'];
  await (db as any)
    .insertInto(table)
    .values(row)
    .onConflict((oc: any) => oc.columns(conflict).doUpdateSet({ value: row.value }))
    .execute();
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint/.test(err?.message ?? '');
}
