import { invalidParameter } from '../core/errors.ts';

/**
 * Validates a relative artifact path and returns its normalised '/'-separated segments.
 * Rejects absolute paths, '..' segments, NUL bytes, backslashes and drive letters, whatever their
 * encoding was: callers pass the path after URL decoding, so '%2e%2e' arrives here as '..'.
 */
export function safeRelativePath(path: string): string {
  if (typeof path !== 'string') throw invalidParameter('artifact path must be a string');
  if (path.includes('\0')) throw invalidParameter(`invalid artifact path: NUL byte`);
  if (path.includes('\\')) throw invalidParameter(`invalid artifact path '${path}': backslashes are not allowed`);
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) {
    throw invalidParameter(`invalid artifact path '${path}': absolute paths are not allowed`);
  }
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw invalidParameter(`invalid artifact path '${path}': '..' is not allowed`);
    parts.push(seg);
  }
  return parts.join('/');
}

export function joinArtifactPath(...parts: string[]): string {
  return safeRelativePath(parts.filter((p) => p !== '').join('/'));
}
