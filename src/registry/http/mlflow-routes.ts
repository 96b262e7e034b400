import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Pharos } from '../../app.ts';
import { MlflowParams, modelVersionJson, registeredModelJson } from './mlflow-json.ts';

type Verb = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Handler = (p: MlflowParams, req: FastifyRequest) => Promise<Record<string, unknown>>;

/** MLflow REST API (model registry part), mounted under /api/2.0/mlflow and /ajax-api/2.0/mlflow. */
export const mlflowRegistryRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const registry = opts.pharos.registry;
  const route = (methods: Verb[], url: string, summary: string, handler: Handler) =>
    app.route({
      method: methods,
      url,
      schema: { tags: ['mlflow model registry'], summary },
      handler: async (req) => handler(new MlflowParams(req), req),
    });

  // ------------------------------------------------------------------ registered models
  route(['POST'], '/registered-models/create', 'CreateRegisteredModel', async (p) => {
    const rm = await registry.createRegisteredModel({ name: p.str('name', true), tags: p.tags(), description: p.str('description') });
    return { registered_model: registeredModelJson(rm) };
  });
  route(['GET'], '/registered-models/get', 'GetRegisteredModel', async (p) => ({
    registered_model: registeredModelJson(await registry.getRegisteredModel(p.str('name', true))),
  }));
  route(['POST'], '/registered-models/rename', 'RenameRegisteredModel', async (p) => ({
    registered_model: registeredModelJson(await registry.renameRegisteredModel(p.str('name', true), p.str('new_name', true))),
  }));
  route(['PATCH'], '/registered-models/update', 'UpdateRegisteredModel', async (p) => ({
    registered_model: registeredModelJson(await registry.updateRegisteredModel(p.str('name', true), p.str('description'))),
  }));
  route(['DELETE'], '/registered-models/delete', 'DeleteRegisteredModel', async (p) => {
    await registry.deleteRegisteredModel(p.str('name', true));
    return {};
  });
  route(['GET'], '/registered-models/search', 'SearchRegisteredModels', async (p) => {
    const page = await registry.searchRegisteredModels({
      filter: p.str('filter') || undefined,
      maxResults: p.int('max_results'),
      orderBy: p.strings('order_by'),
      pageToken: p.str('page_token') || undefined,
    });
    const out: Record<string, unknown> = {};
    if (page.items.length) out.registered_models = page.items.map(registeredModelJson);
    if (page.nextPageToken) out.next_page_token = page.nextPageToken;
    return out;
  });
  route(['POST', 'GET'], '/registered-models/get-latest-versions', 'GetLatestVersions', async (p) => {
    const versions = await registry.getLatestVersions(p.str('name', true), p.strings('stages'));
    return versions.length ? { model_versions: versions.map(modelVersionJson) } : {};
  });
  route(['POST'], '/registered-models/set-tag', 'SetRegisteredModelTag', async (p) => {
    await registry.setRegisteredModelTag(p.str('name', true), p.str('key', true), p.str('value') ?? '');
    return {};
  });
  route(['DELETE'], '/registered-models/delete-tag', 'DeleteRegisteredModelTag', async (p) => {
    await registry.deleteRegisteredModelTag(p.str('name', true), p.str('key', true));
    return {};
  });
  route(['POST'], '/registered-models/alias', 'SetRegisteredModelAlias', async (p) => {
    await registry.setRegisteredModelAlias(p.str('name', true), p.str('alias', true), p.str('version', true));
    return {};
  });
  route(['DELETE'], '/registered-models/alias', 'DeleteRegisteredModelAlias', async (p) => {
    await registry.deleteRegisteredModelAlias(p.str('name', true), p.str('alias', true));
    return {};
  });
  route(['GET'], '/registered-models/alias', 'GetModelVersionByAlias', async (p) => ({
    model_version: modelVersionJson(await registry.getModelVersionByAlias(p.str('name', true), p.str('alias', true))),
  }));

  // ------------------------------------------------------------------ model versions
  route(['POST'], '/model-versions/create', 'CreateModelVersion', async (p) => {
    const mv = await registry.createModelVersion({
      name: p.str('name', true),
      source: p.str('source', true),
      runId: p.str('run_id') || undefined,
      modelId: p.str('model_id') || undefined,
      runLink: p.str('run_link') || undefined,
      description: p.str('description') || undefined,
      tags: p.tags(),
    });
    return { model_version: modelVersionJson(mv) };
  });
  route(['GET'], '/model-versions/get', 'GetModelVersion', async (p) => ({
    model_version: modelVersionJson(await registry.getModelVersion(p.str('name', true), p.str('version', true))),
  }));
  route(['PATCH'], '/model-versions/update', 'UpdateModelVersion', async (p) => ({
    model_version: modelVersionJson(await registry.updateModelVersion(p.str('name', true), p.str('version', true), p.str('description'))),
  }));
  route(['DELETE'], '/model-versions/delete', 'DeleteModelVersion', async (p) => {
    await registry.deleteModelVersion(p.str('name', true), p.str('version', true));
    return {};
  });
  route(['GET'], '/model-versions/search', 'SearchModelVersions', async (p) => {
    const page = await registry.searchModelVersions({
      filter: p.str('filter') || undefined,
      maxResults: p.int('max_results'),
      orderBy: p.strings('order_by'),
      pageToken: p.str('page_token') || undefined,
    });
    const out: Record<string, unknown> = {};
    if (page.items.length) out.model_versions = page.items.map(modelVersionJson);
    if (page.nextPageToken) out.next_page_token = page.nextPageToken;
    return out;
  });
  route(['GET'], '/model-versions/get-download-uri', 'GetModelVersionDownloadUri', async (p) => ({
    artifact_uri: await registry.getModelVersionDownloadUri(p.str('name', true), p.str('version', true)),
  }));
  route(['POST'], '/model-versions/transition-stage', 'TransitionModelVersionStage', async (p) => ({
    model_version: modelVersionJson(
      await registry.transitionModelVersionStage(p.str('name', true), p.str('version', true), p.str('stage', true), p.bool('archive_existing_versions')),
    ),
  }));
  route(['POST'], '/model-versions/set-tag', 'SetModelVersionTag', async (p) => {
    await registry.setModelVersionTag(p.str('name', true), p.str('version', true), p.str('key', true), p.str('value') ?? '');
    return {};
  });
  route(['DELETE'], '/model-versions/delete-tag', 'DeleteModelVersionTag', async (p) => {
    await registry.deleteModelVersionTag(p.str('name', true), p.str('version', true), p.str('key', true));
    return {};
  });
};
