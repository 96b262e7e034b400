import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isPharosError } from '../../core/errors.ts';
import type { ServingService } from '../serving-service.ts';
import { parseOipBody } from '../inference/request-formats.ts';
import { oipOutputs } from '../inference/responses.ts';
import { VERSION } from '../../version.ts';

/** OIP answers errors as `{"error": "..."}`, not MLflow's shape: this plugin keeps its own handler. */
function oipErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (isPharosError(err)) {
    reply.status(err.status).send({ error: err.message });
    return;
  }
  const fe = err as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    reply.status(fe.statusCode).send({ error: fe.message });
    return;
  }
  req.log.error({ err }, 'inference error');
  reply.status(500).send({ error: err.message || 'internal error' });
}

/** MLflow column types as OIP datatypes (metadata of a model with a column signature). */
const OIP_BY_MLFLOW_TYPE: Record<string, string> = { double: 'FP64', float: 'FP32', long: 'INT64', integer: 'INT32', string: 'BYTES', boolean: 'BOOL', binary: 'BYTES', datetime: 'BYTES' };

const tags = ['serving'];
const hide = { tags };

/**
 * Open Inference Protocol v2 (KServe / Triton / MLServer), one model a deployment: `{name}` is the
 * deployment, `{version}` one of the model versions it serves (stable or candidate).
 */
export const oipRoutes: FastifyPluginAsync<{ serving: ServingService }> = async (app, opts) => {
  const serving = opts.serving;
  app.setErrorHandler(oipErrorHandler);
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: `No route for ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/', { schema: hide }, async () => ({ name: 'pharos', version: VERSION, extensions: [] }));
  app.get('/health/live', { schema: hide }, async () => ({ live: true }));
  app.get('/health/ready', { schema: hide }, async (_req, reply) => {
    const all = await serving.listDeployments();
    const ready = all.every((d) => d.ready);
    return reply.status(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (name: string, version?: string) => {
    const { model, state, reason } = serving.model(name, version);
    const d = await serving.getDeployment(name, 0);
    const versions = [...new Set([d.stable.modelVersion, d.candidate?.modelVersion].filter((v): v is string => !!v))];
    if (!model) return { name, versions, platform: 'onnxruntime', inputs: [], outputs: [], parameters: { state, reason } };
    return {
      name,
      versions,
      platform: 'onnxruntime',
      inputs: model.columns
        ? model.columns.map((c) => ({ name: c.name, datatype: OIP_BY_MLFLOW_TYPE[c.type] ?? 'BYTES', shape: [-1] }))
        : model.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape })),
      outputs: model.onnx.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape })),
      parameters: {
        model_uri: model.source.uri,
        model_version: model.versionLabel,
        ...(model.columns ? { onnx_inputs: model.inputs } : {}),
        ...(model.onnx.zipMaps.length ? { class_labels: Object.fromEntries(model.onnx.zipMaps.map((z) => [z.output, z.labels])) } : {}),
      },
    };
  };
  app.get<{ Params: { name: string } }>('/models/:name', { schema: hide }, async (req) => metadata(req.params.name));
  app.get<{ Params: { name: string; version: string } }>('/models/:name/versions/:version', { schema: hide }, async (req) => metadata(req.params.name, req.params.version));

  const ready = async (name: string, version: string | undefined, reply: FastifyReply) => {
    const { model, state, reason } = serving.model(name, version);
    return reply.status(model ? 200 : 503).send(model ? { name, ready: true } : { name, ready: false, error: `${state}${reason ? `: ${reason}` : ''}` });
  };
  app.get<{ Params: { name: string } }>('/models/:name/ready', { schema: hide }, async (req, reply) => ready(req.params.name, undefined, reply));
  app.get<{ Params: { name: string; version: string } }>('/models/:name/versions/:version/ready', { schema: hide }, async (req, reply) => ready(req.params.name, req.params.version, reply));

  const infer = (req: FastifyRequest, name: string, version?: string) => oipInfer(serving, name, version, req.body, req.headers['x-request-id'] as string | undefined);
  app.post<{ Params: { name: string } }>('/models/:name/infer', { schema: hide }, async (req) => infer(req, req.params.name));
  app.post<{ Params: { name: string; version: string } }>('/models/:name/versions/:version/infer', { schema: hide }, async (req) => infer(req, req.params.name, req.params.version));
};

/** One OIP inference: the body as parsed JSON, the answer as the protocol's JSON (shared with the fast path). */
export async function oipInfer(serving: ServingService, name: string, version: string | undefined, body: unknown, headerRequestId?: string) {
  const parsed = parseOipBody(body);
  const id = (body as { id?: unknown } | undefined)?.id;
  const requestId = typeof id === 'string' && id ? id : (headerRequestId ?? randomUUID());
  const result = await serving.predict(name, parsed, { version, requestId, protocol: 'oip' });
  return { model_name: name, model_version: result.model.versionLabel, id: requestId, outputs: oipOutputs(result.outputs, result.model.onnx.zipMaps) };
}
