import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryClient } from '../../client/index.ts';
import { invalidParameter } from '../../core/errors.ts';

export interface DownloadedModel {
  /** Local folder (or file) holding the model. */
  localPath: string;
  /** The temporary folder everything was downloaded into: the caller removes it when done. */
  downloadDir: string;
  name: string | null;
  version: number | null;
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/**
 * Resolves a registry URI on a Pharos (or MLflow) server and downloads the model's files through the proxied
 * artifact API into a fresh temporary folder, so a laptop can score with `models:/churn@champion` from the
 * team's server without access to its store.
 */
export async function downloadModel(serverUrl: string, uri: string): Promise<DownloadedModel> {
  const base = serverUrl.replace(/\/+$/, '');
  const resolved = await new RegistryClient(base).resolveModelUri(uri).catch((e: Error) => {
    throw invalidParameter(`could not resolve ${uri} on ${base}: ${e.message}`);
  });
  const root = resolved.artifact_path.replace(/^\/+|\/+$/g, '');
  const dest = await mkdtemp(join(tmpdir(), 'pharos-model-'));
  const artifacts = `${base}/api/2.0/mlflow-artifacts/artifacts`;

  const listing = async (dir: string): Promise<Array<{ path: string; is_dir: boolean }>> => {
    const res = await fetch(`${artifacts}?path=${encodeURIComponent(dir)}`);
    if (!res.ok) throw invalidParameter(`listing ${dir} on ${base} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { files?: Array<{ path: string; is_dir: boolean }> }).files ?? [];
  };
  const download = async (path: string, to: string) => {
    const res = await fetch(`${artifacts}/${encodePath(path)}`);
    if (!res.ok || !res.body) throw invalidParameter(`downloading ${path} from ${base} failed: ${res.status}`);
    await mkdir(dirname(to), { recursive: true });
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(to));
  };

  const walk = async (dir: string, local: string): Promise<number> => {
    let files = 0;
    for (const entry of await listing(dir)) {
      // Listings name entries relative to the listed folder (MLflow's proxied API).
      const name = entry.path.split('/').pop()!;
      const remote = `${dir}/${name}`;
      if (entry.is_dir) files += await walk(remote, join(local, name));
      else {
        await download(remote, join(local, name));
        files++;
      }
    }
    return files;
  };

  let localPath = dest;
  try {
    if ((await walk(root, dest)) === 0) {
      // Not a folder (the listing of a file is empty): the URI names a single file, e.g. an .onnx logged as an artifact.
      const file = root.split('/').pop()!;
      await download(root, join(dest, file));
      localPath = join(dest, file);
    }
  } catch (e) {
    await rm(dest, { recursive: true, force: true });
    throw e;
  }
  return { localPath, downloadDir: dest, name: resolved.name ?? null, version: resolved.version ?? null };
}
