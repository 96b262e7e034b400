import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPharosError, isStorageFull, storageFull } from '../core/errors.ts';

/**
 * The one place errors become HTTP answers: `{error_code, message}` (MLflow's shape) with the status that
 * goes with the code. Validation problems are always 4xx: the mlflow client retries 5xx for minutes.
 */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  // An error answered before the request body was read whole (a refused upload): the rest of the body is still on
  // the socket, and a kept-alive connection would read it as the next request. Close it after this answer.
  if (!req.raw.complete) reply.header('connection', 'close');
  if (isPharosError(err)) {
    reply.status(err.status).send({ error_code: err.code, message: err.message });
    return;
  }
  if (isStorageFull(err)) {
    req.log.error({ err }, 'storage full');
    const e = storageFull((err as { code: string }).code);
    reply.status(e.status).send({ error_code: e.code, message: e.message });
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    reply.status(400).send({ error_code: 'INVALID_PARAMETER_VALUE', message: `Invalid request: ${fe.message}` });
    return;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.statusCode === 404 ? 'ENDPOINT_NOT_FOUND' : fe.statusCode === 413 ? 'RESOURCE_LIMIT_EXCEEDED' : 'BAD_REQUEST';
    reply.status(fe.statusCode === 413 ? 413 : fe.statusCode).send({ error_code: code, message: fe.message });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: err.message || 'internal error' });
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  reply.status(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No route for ${req.method} ${req.url.split('?')[0]}` });
}
