import { invalidParameter } from '../core/errors.ts';

/** What a `models:/` URI names: a logged model, a version, the latest in a stage, the latest overall, or an alias. */
export type ParsedModelUri =
  | { kind: 'logged_model'; modelId: string }
  | { kind: 'version'; name: string; version: number }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string };

const improper = (uri: string) =>
  invalidParameter(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or 'models:/name@alias' ` +
      `where suffix is a version, stage, or the string 'latest' and where alias is a registered model alias. ` +
      `Only one of suffix or alias can be defined at a time.`,
  );

/** Parses a `models:/` URI exactly as mlflow's `_parse_model_uri` does (a single segment without '@' is a logged-model id). */
export function parseModelsUri(uri: string): ParsedModelUri {
  const m = /^models:(.*)$/.exec(uri);
  if (!m) throw improper(uri);
  const path = m[1];
  // `models://profile@databricks/...` names another registry; this server is the only one it knows.
  if (path.startsWith('//')) throw improper(uri);
  if (!path.startsWith('/') || path.length <= 1) throw improper(uri);
  const parts = path.slice(1).split('/');
  if (parts.length > 2 || parts[0].trim() === '') throw improper(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts;
    if (suffix.trim() === '') throw improper(uri);
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: Number(suffix) };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
    return { kind: 'stage', name, stage: suffix };
  }
  if (path.includes('@')) {
    const at = parts[0].lastIndexOf('@');
    const name = parts[0].slice(0, at);
    const alias = parts[0].slice(at + 1);
    if (alias.trim() === '') throw improper(uri);
    return { kind: 'alias', name, alias };
  }
  return { kind: 'logged_model', modelId: parts[0] };
}

/** `runs:/<run_id>/<path>` → its parts (mlflow's `RunsArtifactRepository.parse_runs_uri`). */
export function parseRunsUri(uri: string): { runId: string; artifactPath: string } {
  const m = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!m || uri.startsWith('runs://')) {
    throw invalidParameter(`Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`);
  }
  return { runId: m[1], artifactPath: (m[2] ?? '').replace(/\/+$/, '') };
}

export function uriScheme(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  // A Windows drive letter is a path, not a scheme.
  return m && m[1].length > 1 ? m[1].toLowerCase() : '';
}

/** True when `source` has any '..' segment, even percent-encoded (mlflow refuses those as a path-traversal attempt). */
export function hasRelativeSegments(source: string): boolean {
  let s = source;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      break;
    }
    if (next === s) break;
    s = next;
  }
  return s.includes('\0') || s.split(/[/\\]/).some((p) => p === '..');
}
