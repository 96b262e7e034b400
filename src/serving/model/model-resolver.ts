import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from '../../artifacts/index.ts';

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

/** The registry's answer for a model URI (`pharos.registry.resolveModelUri`). */
export type RegistryUriResolver = (uri: string) => Promise<{ name?: string; version?: number; artifactPath: string }>;

const hasScheme = (uri: string) => /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri);

/**
 * Registry URIs (`models:/name@alias`, `models:/name/3`, `runs:/...`, `mlflow-artifacts:/...`) resolve through
 * the registry to the artifact store; plain paths and `file://` URIs are local files (handy for tests and
 * for serving a model that was never registered).
 */
export class RegistryModelResolver implements ModelResolver {
  constructor(private readonly resolveUri: RegistryUriResolver | null, private readonly artifacts: ArtifactStore | null) {}

  async resolve(uri: string): Promise<ResolvedModel> {
    if (uri.startsWith('file://')) return { uri, name: null, version: null, localPath: fileURLToPath(uri) };
    if (!hasScheme(uri)) return { uri, name: null, version: null, localPath: isAbsolute(uri) ? uri : resolvePath(uri) };
    if (!this.resolveUri || !this.artifacts) throw new Error(`model URI ${uri} needs a Pharos store: serve it from the Pharos server or give a file path`);
    const r = await this.resolveUri(uri);
    return { uri, name: r.name ?? null, version: r.version ?? null, localPath: await this.artifacts.localPath(r.artifactPath) };
  }
}
