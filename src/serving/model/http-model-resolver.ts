import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModelResolver, ResolvedModel } from './model-resolver.ts';
import { RegistryModelResolver } from './model-resolver.ts';

/**
 * Resolves model URIs through a Pharos (or MLflow) server's REST API and downloads the model folder once
 * into a local cache, for a standalone `pharos serve --tracking-uri http://...` with no store of its own.
 * An alias that moves changes the download URI, so a refresh picks up the new version.
 */
export class HttpModelResolver implements ModelResolver {
  private readonly base: string;
  private readonly local = new RegistryModelResolver(null, null);

  constructor(trackingUri: string, private readonly cacheDir = join(tmpdir(), 'pharos-serve-cache')) {
    this.base = trackingUri.replace(/\/+$/, '');
  }

  private async get(path: string): Promise<any> {
    const res = await fetch(`${this.base}${path}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.base}${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  async resolve(uri: string): Promise<ResolvedModel> {
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) || uri.startsWith('file://')) return this.local.resolve(uri);
    let name: string | null = null;
    let version: number | null = null;
    let artifactUri = uri;
    const m = /^models:\/([^/]+)(?:\/([^/]+))?$/.exec(uri);
    if (m) {
      const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
      let mv: { name: string; version: string };
      if (!m[2] && m[1].includes('@')) {
        const at = m[1].lastIndexOf('@');
        mv = (await this.get(`/api/2.0/mlflow/registered-models/alias?${q({ name: m[1].slice(0, at), alias: m[1].slice(at + 1) })}`)).model_version;
      } else if (m[2] && /^\d+$/.test(m[2])) {
        mv = (await this.get(`/api/2.0/mlflow/model-versions/get?${q({ name: m[1], version: m[2] })}`)).model_version;
      } else if (m[2]) {
        const stages = m[2].toLowerCase() === 'latest' ? [] : [m[2]];
        const res = await fetch(`${this.base}/api/2.0/mlflow/registered-models/get-latest-versions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: m[1], stages }),
        });
        const versions = ((await res.json()) as { model_versions?: Array<{ name: string; version: string }> }).model_versions ?? [];
        if (!res.ok || versions.length === 0) throw new Error(`no version of ${m[1]} for ${uri}`);
        mv = versions.sort((a, b) => Number(b.version) - Number(a.version))[0];
      } else throw new Error(`${uri}: serve a registered model (models:/name@alias or models:/name/version) through --tracking-uri`);
      name = mv.name;
      version = Number(mv.version);
      artifactUri = (await this.get(`/api/2.0/mlflow/model-versions/get-download-uri?${q({ name, version: String(version) })}`)).artifact_uri;
    }
    const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
    if (!proxied) throw new Error(`model location ${artifactUri} (from ${uri}) cannot be downloaded through ${this.base}`);
    return { uri, name, version, localPath: await this.download(proxied[1].replace(/\/+$/, '')) };
  }

  /** Downloads an artifact folder (or file) once; the cache key is the artifact path, immutable for a version. */
  private async download(path: string): Promise<string> {
    const key = createHash('sha256').update(`${this.base}|${path}`).digest('hex').slice(0, 24);
    const target = join(this.cacheDir, key);
    if (await stat(join(target, '.complete')).catch(() => null)) return join(target, 'model');
    const staging = `${target}.${process.pid}.${Date.now()}`;
    await rm(staging, { recursive: true, force: true });
    const fetchFile = async (artifactPath: string, dest: string) => {
      const res = await fetch(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${artifactPath.split('/').map(encodeURIComponent).join('/')}`);
      if (!res.ok) throw new Error(`download ${artifactPath}: ${res.status}`);
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, new Uint8Array(await res.arrayBuffer()));
    };
    const walk = async (dir: string, dest: string): Promise<number> => {
      const listing = await this.get(`/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path: dir })}`);
      const files = (listing.files ?? []) as Array<{ path: string; is_dir: boolean }>;
      let n = 0;
      for (const f of files) {
        const rel = f.path.split('/').pop()!;
        const full = `${dir}/${rel}`;
        if (f.is_dir) n += await walk(full, join(dest, rel));
        else (await fetchFile(full, join(dest, rel)), n++);
      }
      return n;
    };
    const count = await walk(path, join(staging, 'model'));
    if (count === 0) await fetchFile(path, join(staging, 'model', path.split('/').pop()!));
    await writeFile(join(staging, '.complete'), '');
    await rm(target, { recursive: true, force: true });
    await rename(staging, target).catch(async () => rm(staging, { recursive: true, force: true }));
    return join(target, 'model');
  }
}
