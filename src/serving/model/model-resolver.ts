import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxiedArtifactPath, type ArtifactStore } from '../../artifacts/index.ts';
import { invalidParameter, notFound } from '../../core/errors.ts';
import type { Store } from '../../store/index.ts';

/** Where a model URI points right now. `name`/`version` are set for registry URIs (what an alias move changes). */
export interface ResolvedModel {
  uri: string;
  name: string | null;
  version: number | null;
  /** A folder or .onnx file on this machine. */
  localPath: string;
}

export interface ModelResolver {
  resolve(uri: string): Promise<ResolvedModel>;
}

/**
 * Resolves `models:/name@alias`, `models:/name/<version|stage|latest>`, `models:/<logged-model-id>`,
 * `runs:/<run>/<path>`, `mlflow-artifacts:/...`, `file://` URIs and local paths by reading the registry
 * and tracking tables directly: serving only reads, and an alias moved by any server process sharing the
 * store is seen on the next resolve.
 */
export class StoreModelResolver implements ModelResolver {
  constructor(private readonly store: Store | null, private readonly artifacts: ArtifactStore | null) {}

  async resolve(uri: string): Promise<ResolvedModel> {
    if (uri.startsWith('models:/')) {
      const found = await this.resolveRegistryUri(uri);
      return { uri, ...found, localPath: await this.locate(found.location, 0) };
    }
    return { uri, name: null, version: null, localPath: await this.locate(uri, 0) };
  }

  private db() {
    if (!this.store) throw invalidParameter(`model URI needs a tracking server; give a file path or --tracking-uri`);
    return this.store.db;
  }

  private async resolveRegistryUri(uri: string): Promise<{ name: string | null; version: number | null; location: string }> {
    const rest = uri.slice('models:/'.length);
    const parts = rest.split('/');
    const db = this.db();
    if (parts.length === 1 && !parts[0].includes('@')) {
      const lm = await db.selectFrom('logged_models').select('artifact_location').where('model_id', '=', parts[0]).executeTakeFirst();
      if (!lm) throw notFound(`Logged model '${parts[0]}' not found (from ${uri})`);
      return { name: null, version: null, location: lm.artifact_location };
    }
    let name: string;
    let version: number | undefined;
    if (parts.length === 1) {
      const at = parts[0].lastIndexOf('@');
      name = parts[0].slice(0, at);
      const alias = parts[0].slice(at + 1);
      const row = await db.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias).executeTakeFirst();
      if (!row) throw notFound(`Registered model '${name}' has no alias '${alias}' (from ${uri})`);
      version = Number(row.version);
    } else if (parts.length === 2) {
      name = parts[0];
      const suffix = parts[1];
      if (/^\d+$/.test(suffix)) version = Number(suffix);
      else {
        let q = db.selectFrom('model_versions').select('version').where('name', '=', name).orderBy('version', 'desc').limit(1);
        if (suffix.toLowerCase() !== 'latest') q = q.where('current_stage', '=', suffix[0].toUpperCase() + suffix.slice(1).toLowerCase());
        const row = await q.executeTakeFirst();
        if (!row) throw notFound(`Registered model '${name}' has no version ${suffix.toLowerCase() === 'latest' ? '' : `in stage '${suffix}'`} (from ${uri})`);
        version = Number(row.version);
      }
    } else throw invalidParameter(`Not a proper models:/ URI: ${uri}`);
    const mv = await db.selectFrom('model_versions').select(['source', 'storage_location']).where('name', '=', name).where('version', '=', version).executeTakeFirst();
    if (!mv) throw notFound(`Model version ${name}/${version} not found (from ${uri})`);
    return { name, version, location: mv.storage_location ?? mv.source };
  }

  /** A storage location or artifact URI → a local path. */
  private async locate(location: string, depth: number): Promise<string> {
    if (depth > 4) throw invalidParameter(`model location ${location} refers to itself`);
    if (location.startsWith('models:/')) return this.locate((await this.resolveRegistryUri(location)).location, depth + 1);
    if (location.startsWith('runs:/')) {
      const m = /^runs:\/([^/]+)\/?(.*)$/.exec(location);
      if (!m) throw invalidParameter(`Not a proper runs:/ URI: ${location}`);
      const run = await this.db().selectFrom('runs').select('artifact_uri').where('run_uuid', '=', m[1]).executeTakeFirst();
      if (!run) throw notFound(`Run '${m[1]}' not found (from ${location})`);
      return this.locate(m[2] ? `${run.artifact_uri.replace(/\/+$/, '')}/${m[2]}` : run.artifact_uri, depth + 1);
    }
    const proxied = proxiedArtifactPath(location);
    if (proxied !== null) {
      if (!this.artifacts) throw invalidParameter(`model location ${location} is in a server's artifact store; serve it through that server`);
      return this.artifacts.localPath(proxied);
    }
    if (location.startsWith('file://')) return fileURLToPath(location);
    if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(location)) throw invalidParameter(`model location ${location}: unsupported scheme`);
    return isAbsolute(location) ? location : resolvePath(location);
  }
}
