/**
 * The registry part of the TypeScript client: the native API (/api/v1/models...) with typed answers.
 * Errors come back as `RegistryClientError` carrying the server's MLflow-style `error_code`.
 */
import type { NativeModelVersion, NativeRegisteredModel } from '../registry/index.ts';
import { nativeRequest, type QueryValue } from './native-http.ts';

export type { NativeModelVersion as ModelVersionInfo, NativeRegisteredModel as RegisteredModelInfo };

export class RegistryClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryClientError';
  }
}

export interface ResolvedModelUriInfo {
  name?: string;
  version?: number;
  artifact_path: string;
  model_version?: NativeModelVersion;
}

export class RegistryClient {
  private readonly base: string;
  constructor(
    baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly headers: Record<string, string> = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  private request<T>(method: string, path: string, body?: unknown, query?: Record<string, QueryValue>): Promise<T> {
    return nativeRequest<T>({ base: this.base, fetchImpl: this.fetchImpl, headers: this.headers }, (status, code, message) => new RegistryClientError(status, code, message), method, path, body, query);
  }

  private static seg(s: string | number): string {
    return encodeURIComponent(String(s));
  }

  listModels(opts: { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string } = {}) {
    return this.request<{ models: NativeRegisteredModel[]; next_page_token?: string }>('GET', '/models', undefined, {
      filter: opts.filter,
      order_by: opts.orderBy,
      max_results: opts.maxResults,
      page_token: opts.pageToken,
    });
  }

  createModel(name: string, opts: { description?: string; tags?: Record<string, string> } = {}) {
    return this.request<NativeRegisteredModel>('POST', '/models', { name, ...opts });
  }

  getModel(name: string) {
    return this.request<NativeRegisteredModel>('GET', `/models/${RegistryClient.seg(name)}`);
  }

  updateModel(name: string, changes: { newName?: string; description?: string | null }) {
    const body: Record<string, unknown> = {};
    if (changes.newName !== undefined) body.new_name = changes.newName;
    if (changes.description !== undefined) body.description = changes.description;
    return this.request<NativeRegisteredModel>('PATCH', `/models/${RegistryClient.seg(name)}`, body);
  }

  async deleteModel(name: string): Promise<void> {
    await this.request('DELETE', `/models/${RegistryClient.seg(name)}`);
  }

  async listVersions(name: string): Promise<NativeModelVersion[]> {
    return (await this.request<{ versions: NativeModelVersion[] }>('GET', `/models/${RegistryClient.seg(name)}/versions`)).versions;
  }

  createVersion(name: string, input: { source: string; run_id?: string; model_id?: string; description?: string; tags?: Record<string, string> }) {
    return this.request<NativeModelVersion>('POST', `/models/${RegistryClient.seg(name)}/versions`, input);
  }

  getVersion(name: string, version: number) {
    return this.request<NativeModelVersion>('GET', `/models/${RegistryClient.seg(name)}/versions/${RegistryClient.seg(version)}`);
  }

  async deleteVersion(name: string, version: number): Promise<void> {
    await this.request('DELETE', `/models/${RegistryClient.seg(name)}/versions/${RegistryClient.seg(version)}`);
  }

  transitionStage(name: string, version: number, stage: string, archiveExistingVersions = false) {
    return this.request<NativeModelVersion>('POST', `/models/${RegistryClient.seg(name)}/versions/${RegistryClient.seg(version)}/stage`, {
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
  }

  setAlias(name: string, alias: string, version: number) {
    return this.request<NativeModelVersion>('PUT', `/models/${RegistryClient.seg(name)}/aliases/${RegistryClient.seg(alias)}`, { version });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.request('DELETE', `/models/${RegistryClient.seg(name)}/aliases/${RegistryClient.seg(alias)}`);
  }

  getVersionByAlias(name: string, alias: string) {
    return this.request<NativeModelVersion>('GET', `/models/${RegistryClient.seg(name)}/aliases/${RegistryClient.seg(alias)}`);
  }

  resolveModelUri(uri: string) {
    return this.request<ResolvedModelUriInfo>('GET', '/model-uris/resolve', undefined, { uri });
  }
}
