import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { PharosError, invalidParameter } from '../../core/errors.ts';
import type { ServingService } from '../serving-service.ts';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Readable } from 'node:stream';
import { parseMlflowScoringBody, type PredictionRequest } from '../inference/request-formats.ts';
import { mlflowPredictions } from '../inference/responses.ts';

/**
 * The MLflow scoring protocol (`mlflow models serve`): POST invocations with dataframe_split,
 * dataframe_records, instances or inputs, answered `{"predictions": ...}`. Mounted once a deployment
 * (`/deployments/{name}/invocations`) on the Pharos server, and at the root by a standalone `pharos serve`.
 * Errors keep MLflow's `{error_code, message}` shape (the server's handler).
 */
export async function scoreMlflow(serving: ServingService, name: string, req: FastifyRequest) {
  const ct = String(req.headers['content-type'] ?? 'application/json');
  let parsed: PredictionRequest;
  if (ct.includes('json')) parsed = parseMlflowScoringBody(req.body);
  else if (ct.includes('csv')) parsed = parseCsvBody(await bodyText(req.body));
  else throw invalidParameter(`Content type '${ct}' is not supported: send application/json (dataframe_split, dataframe_records, instances or inputs) or text/csv`);
  return mlflowScore(serving, name, parsed, req.headers['x-request-id'] as string | undefined);
}

/** One MLflow scoring request, parsed: `{predictions}` (shared with the fast path). */
export async function mlflowScore(serving: ServingService, name: string, parsed: PredictionRequest, requestId?: string) {
  const result = await serving.predict(name, parsed, { requestId, protocol: 'mlflow' });
  return { predictions: mlflowPredictions(result.outputs, result.model.onnx.zipMaps, result.rows) };
}

export const deploymentScoringRoutes: FastifyPluginAsync<{ serving: ServingService }> = async (app, opts) => {
  const serving = opts.serving;
  const schema = { tags: ['serving'], hide: true };
  app.post<{ Params: { name: string } }>('/deployments/:name/invocations', { schema }, async (req) => scoreMlflow(serving, req.params.name, req));
  app.get<{ Params: { name: string } }>('/deployments/:name/ping', { schema }, async (req, reply) => {
    const { model } = serving.model(req.params.name);
    return reply.status(model ? 200 : 503).send(model ? '\n' : 'not ready\n');
  });
};

const MAX_CSV_BYTES = 64 * 1024 * 1024;

async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body && typeof (body as Readable)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of body as Readable) {
      size += c.length;
      if (size > MAX_CSV_BYTES) throw new PharosError('RESOURCE_LIMIT_EXCEEDED', `CSV body over ${MAX_CSV_BYTES / 1024 / 1024} MiB; split the request`);
      chunks.push(Buffer.from(c));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  return '';
}

/** `text/csv` as `mlflow models serve` reads it (pandas.read_csv): a header row, numbers where a cell is numeric. */
function parseCsvBody(text: string): PredictionRequest {
  let records: string[][];
  try {
    records = parseCsv(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    throw invalidParameter(`Malformed CSV body: ${(e as Error).message}`);
  }
  if (records.length === 0) throw invalidParameter('CSV body needs a header row naming the columns');
  const [columns, ...rows] = records;
  const cell = (v: string): unknown => (v === '' ? null : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : v === 'True' || v === 'true' ? true : v === 'False' || v === 'false' ? false : v);
  return { kind: 'columns', columns, rows: rows.map((r) => r.map(cell)) };
}
