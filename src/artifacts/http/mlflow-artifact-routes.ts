import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Pharos } from '../../app.ts';
import { invalidParameter, notFound } from '../../core/errors.ts';
import { safeRelativePath } from '../safe-path.ts';

const PREFIX = '/artifacts/';

/**
 * The artifact path from the raw URL, percent-decoded exactly once (so `%2e%2e` is seen as `..` and
 * rejected, and `%252e` stays a literal name), then validated. Decoding problems are 400s, never 500s.
 */
function artifactPathFromUrl(req: FastifyRequest): string {
  const raw = req.url.split('?')[0];
  const at = raw.indexOf(PREFIX);
  const encoded = at < 0 ? '' : raw.slice(at + PREFIX.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    throw invalidParameter(`invalid artifact path '${encoded}': malformed percent-encoding`);
  }
  const path = safeRelativePath(decoded);
  if (path === '') throw invalidParameter('artifact path must name a file');
  return path;
}

/**
 * Filesystem refusals caused by the request (a file where a directory is expected, a name too long, ...) are
 * the caller's problem: 400/404 with a message that does not reveal the server's folders, never a 500.
 */
async function storeCall<T>(path: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT') throw notFound(`artifact '${path}' does not exist`);
    if (code === 'ENOTDIR') throw invalidParameter(`invalid artifact path '${path}': a parent of it is a file, not a directory`);
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') throw invalidParameter(`invalid artifact path '${path}': it is a directory`);
    if (code === 'ENAMETOOLONG') throw invalidParameter(`invalid artifact path: a name in '${path.slice(0, 100)}...' is too long`);
    throw e;
  }
}

const TEXT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  log: 'text/plain',
  yaml: 'text/plain',
  yml: 'text/plain',
  md: 'text/plain',
  csv: 'text/plain',
  py: 'text/plain',
  // Served as text so that an uploaded page can never run script in the server's origin.
  html: 'text/plain',
  htm: 'text/plain',
  svg: 'text/plain',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  pdf: 'application/pdf',
};

function contentTypeFor(path: string): string {
  const base = path.split('/').pop() ?? '';
  if (base === 'MLmodel') return 'text/plain';
  const ext = base.includes('.') ? base.split('.').pop()!.toLowerCase() : '';
  return TEXT_TYPES[ext] ?? 'application/octet-stream';
}

/** RFC 6266: a plain ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(path: string): string {
  const base = path.split('/').pop() ?? 'artifact';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** MLflow proxied artifact API: /api/2.0/mlflow-artifacts/artifacts[/path] (PUT upload, GET download/list, DELETE). */
export const mlflowArtifactRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const store = opts.pharos.artifacts;

  // Uploads are streamed to the store whatever their declared type, JSON included; nothing is buffered whole.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    return payload;
  });

  const tags = ['mlflow-artifacts'];
  const hide = app.prefix.startsWith('/ajax-api');

  app.put('/artifacts/*', { schema: { tags, hide, summary: 'Upload an artifact (streamed)' } }, async (req) => {
    const path = artifactPathFromUrl(req);
    const body = (req.body ?? req.raw) as Readable;
    await storeCall(path, () => store.write(path, body));
    return {};
  });

  app.get('/artifacts/*', { schema: { tags, hide, summary: 'Download an artifact (streamed)' } }, async (req, reply) => {
    const path = artifactPathFromUrl(req);
    const stream = await storeCall(path, () => store.read(path));
    reply.header('Content-Type', contentTypeFor(path));
    reply.header('Content-Disposition', contentDisposition(path));
    return reply.send(stream);
  });

  app.get('/artifacts', { schema: { tags, hide, summary: 'List the artifacts directly under a directory' } }, async (req) => {
    const q = req.query as { path?: unknown };
    const rawPath = Array.isArray(q.path) ? q.path[0] : q.path;
    if (rawPath !== undefined && typeof rawPath !== 'string') throw invalidParameter(`Invalid value for parameter 'path' supplied.`);
    const dir = safeRelativePath(rawPath ?? '');
    const st = dir === '' ? null : await storeCall(dir, () => store.stat(dir));
    // MLflow answers a listing of a file (or of nothing) with an empty object.
    if (dir !== '' && (!st || !st.isDir)) return {};
    const entries = await storeCall(dir, () => store.list(dir));
    if (entries.length === 0) return {};
    return {
      files: entries.map((e) => {
        const name = e.path.split('/').pop() as string;
        return e.isDir ? { path: name, is_dir: true } : { path: name, is_dir: false, file_size: e.fileSize };
      }),
    };
  });

  app.delete('/artifacts/*', { schema: { tags, hide, summary: 'Delete an artifact or directory' } }, async (req) => {
    const path = artifactPathFromUrl(req);
    await storeCall(path, () => store.delete(path));
    return {};
  });
};
