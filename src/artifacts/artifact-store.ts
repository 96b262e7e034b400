import type { Readable } from 'node:stream';

export interface ArtifactInfo {
  /** Relative to the listed directory's root (the artifact root), '/'-separated. */
  path: string;
  isDir: boolean;
  fileSize?: number;
}

/**
 * Where artifact bytes live. Paths are relative, '/'-separated, and validated by the store: nothing
 * outside the root can be read or written. Implementations: `local/` now, `s3/` later.
 */
export interface ArtifactStore {
  /** Streams `body` to `path`; the file appears whole or not at all. */
  write(path: string, body: Readable | Buffer): Promise<{ size: number }>;
  /** Throws RESOURCE_DOES_NOT_EXIST when missing. */
  read(path: string): Promise<Readable>;
  stat(path: string): Promise<{ isDir: boolean; size: number } | null>;
  /** Direct children of `path` ('' for the root). Missing directory: empty list. */
  list(path: string): Promise<ArtifactInfo[]>;
  /** Deletes a file or a whole directory. */
  delete(path: string): Promise<void>;
  /** A local filesystem path for `path`, downloading first if the store is remote (for onnxruntime, which loads files). */
  localPath(path: string): Promise<string>;
}
