import { createReadStream, createWriteStream, mkdirSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, open } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactInfo, ArtifactStore } from '../artifact-store.ts';
import { safeRelativePath } from '../safe-path.ts';
import { invalidParameter, notFound, PharosError } from '../../core/errors.ts';

/**
 * Filesystem refusals caused by the path a user chose (too long, a file used as a folder, a folder used as a
 * file) are user errors: turn them into 400/404 here so no caller ever answers them with a 5xx.
 */
function userFacing(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENAMETOOLONG':
      return invalidParameter(`invalid artifact path '${path}': a name in it is too long for the file system`);
    case 'ENOTDIR':
      return invalidParameter(`invalid artifact path '${path}': a part of it is a file, not a directory`);
    case 'EISDIR':
      return invalidParameter(`invalid artifact path '${path}': it is a directory, not a file`);
    case 'EEXIST':
      return invalidParameter(`invalid artifact path '${path}': a part of it is a file, not a directory`);
    case 'ENOENT':
      return notFound(`artifact '${path}' does not exist`);
    default:
      return e;
  }
}

async function mapFsErrors<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PharosError) throw e;
    throw userFacing(e, path);
  }
}

/** Artifacts in a local folder. Writes go to a temp file then rename, so a crash never leaves half a file. */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.root = realpathSync(resolve(root));
  }

  private abs(path: string): string {
    const rel = safeRelativePath(path);
    const full = rel === '' ? this.root : join(this.root, ...rel.split('/'));
    if (full !== this.root && !full.startsWith(this.root + sep)) throw invalidParameter(`invalid artifact path '${path}'`);
    return full;
  }

  /** Refuses paths whose existing prefix escapes the root through a symlink. */
  private checkRealParent(full: string): void {
    let p = full;
    for (;;) {
      try {
        const real = realpathSync(p);
        if (real !== this.root && !real.startsWith(this.root + sep)) throw invalidParameter('artifact path escapes the artifact root');
        return;
      } catch (e: any) {
        if (e instanceof PharosError) throw e;
        if (e?.code === 'ENOTDIR') return; // a file in the way: the write/read that follows reports it
        if (e?.code !== 'ENOENT') throw userFacing(e, full.slice(this.root.length + 1));
        const up = dirname(p);
        if (up === p) return;
        p = up;
      }
    }
  }

  async write(path: string, body: Readable | Buffer): Promise<{ size: number }> {
    return mapFsErrors(path, () => this.writeFile(path, body));
  }

  private async writeFile(path: string, body: Readable | Buffer): Promise<{ size: number }> {
    const full = this.abs(path);
    if (full === this.root) throw invalidParameter('artifact path must name a file');
    this.checkRealParent(full);
    await mkdir(dirname(full), { recursive: true });
    const tmp = `${full}.tmp-${randomBytes(6).toString('hex')}`;
    let size = 0;
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    try {
      const out = createWriteStream(tmp);
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            size += c.length;
            yield c;
          }
        },
        out,
      );
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, full);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { size };
  }

  async read(path: string): Promise<Readable> {
    const full = this.abs(path);
    this.checkRealParent(full);
    const s = await stat(full).catch((e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENAMETOOLONG' || code === 'ENOTDIR') throw userFacing(e, path);
      return null;
    });
    if (!s || !s.isFile()) throw notFound(`artifact '${path}' does not exist`);
    return createReadStream(full);
  }

  async stat(path: string): Promise<{ isDir: boolean; size: number } | null> {
    const full = this.abs(path);
    const s = await stat(full).catch(() => null);
    return s ? { isDir: s.isDirectory(), size: s.size } : null;
  }

  async list(path: string): Promise<ArtifactInfo[]> {
    const rel = safeRelativePath(path);
    const full = this.abs(rel);
    this.checkRealParent(full);
    const entries = await readdir(full, { withFileTypes: true }).catch((e) => {
      if ((e as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw userFacing(e, path);
      return [];
    });
    const out: ArtifactInfo[] = [];
    for (const e of entries) {
      if (e.name.includes('.tmp-')) continue;
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) out.push({ path: childRel, isDir: true });
      else if (e.isFile()) out.push({ path: childRel, isDir: false, fileSize: (await stat(join(full, e.name))).size });
    }
    out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return out;
  }

  async delete(path: string): Promise<void> {
    const full = this.abs(path);
    if (full === this.root) throw invalidParameter('refusing to delete the artifact root');
    this.checkRealParent(full);
    await mapFsErrors(path, () => rm(full, { recursive: true, force: true }));
  }

  async localPath(path: string): Promise<string> {
    const full = this.abs(path);
    this.checkRealParent(full);
    return full;
  }
}
