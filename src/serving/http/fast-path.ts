import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPharosError } from '../../core/errors.ts';
import { parseJsonBody } from '../../core/json-body.ts';
import type { ServingService } from '../serving-service.ts';
import { parseMlflowScoringBody } from '../inference/request-formats.ts';
import { oipInfer } from './oip-routes.ts';
import { mlflowScore } from './scoring-routes.ts';

/** Which inference a request asks for; null when it is not a JSON inference request (Fastify answers it). */
export interface InferenceTarget {
  protocol: 'mlflow' | 'oip';
  deployment: string;
  version?: string;
}

/** The inference target of a POST to `path` (no query string), or null. */
export type InferenceRouter = (path: string) => InferenceTarget | null;

/** `{prefix}/models/{name}[/versions/{version}]/infer`: Open Inference Protocol v2. */
export function oipInferTarget(path: string, prefix: string): InferenceTarget | null {
  if (!path.startsWith(prefix + '/models/')) return null;
  const parts = path.slice(prefix.length + 8).split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  try {
    if (parts.length === 2 && parts[1] === 'infer') return { protocol: 'oip', deployment: decodeURIComponent(parts[0]) };
    if (parts.length === 4 && parts[1] === 'versions' && parts[3] === 'infer') return { protocol: 'oip', deployment: decodeURIComponent(parts[0]), version: decodeURIComponent(parts[2]) };
  } catch {
    // a malformed escape: Fastify answers it
  }
  return null;
}

export interface FastPathOptions {
  bodyLimit: number;
  onError?: (err: unknown) => void;
}

/**
 * The prediction routes answered straight on node:http, before Fastify. A one-row prediction is a few tens of
 * microseconds of work; Fastify's request object, hooks and reply pipeline add to that (measured in
 * bench/serving), so the hot path reads the body, parses, calls the same service and writes the JSON itself.
 * Everything else, and any inference request that is not JSON (CSV), goes to Fastify unchanged. Answers and
 * errors are the same as the Fastify routes' (standalone-server.test.ts sends every case both ways).
 */
export function inferenceFastPath(serving: ServingService, route: InferenceRouter, opts: FastPathOptions) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const target = route(q < 0 ? url : url.slice(0, q));
    if (!target) return false;
    const ct = req.headers['content-type'];
    if (ct === undefined || !ct.includes('json')) return false;
    // A client gone mid-body: nothing to answer, and no uncaught stream error.
    req.on('error', () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > opts.bodyLimit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const done = (status: number, body: unknown) => {
        const bytes = Buffer.from(JSON.stringify(body));
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
        res.end(bytes);
      };
      const fail = (status: number, message: string, code = 'INVALID_PARAMETER_VALUE') => done(status, target.protocol === 'oip' ? { error: message } : { error_code: code, message });
      if (tooLarge) return fail(413, `Request body is larger than ${opts.bodyLimit} bytes`, 'RESOURCE_LIMIT_EXCEEDED');
      let body: unknown;
      try {
        body = parseJsonBody((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'));
      } catch (e) {
        return fail(400, (e as Error).message, 'BAD_REQUEST');
      }
      answer(serving, target, body, req.headers['x-request-id'] as string | undefined).then(
        (out) => done(200, out),
        (err) => {
          if (isPharosError(err)) return fail(err.status, err.message, err.code);
          opts.onError?.(err);
          fail(500, (err as Error)?.message || 'internal error', 'INTERNAL_ERROR');
        },
      );
    });
    return true;
  };
}

async function answer(serving: ServingService, target: InferenceTarget, body: unknown, requestId: string | undefined): Promise<unknown> {
  if (target.protocol === 'mlflow') return mlflowScore(serving, target.deployment, parseMlflowScoringBody(body), requestId);
  return oipInfer(serving, target.deployment, target.version, body, requestId);
}
