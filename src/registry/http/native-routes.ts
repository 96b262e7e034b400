import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';
import { STAGES } from '../registry-service.ts';
import { errorSchema, modelVersionSchema, nativeModelVersion, nativeRegisteredModel, registeredModelSchema } from './native-json.ts';

const tags = ['models'];
const errors = { 400: errorSchema, 404: errorSchema };
const nameParam = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } as const;
const versionParams = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: { type: 'string', minLength: 1 }, version: { type: 'integer', minimum: 1 } },
} as const;
const aliasParams = {
  type: 'object',
  required: ['name', 'alias'],
  properties: { name: { type: 'string', minLength: 1 }, alias: { type: 'string', minLength: 1 } },
} as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const empty = { type: 'object', properties: {} } as const;

/** Pharos native API (registry part), mounted under /api/v1. A thin layer over the same RegistryService as the MLflow routes. */
export const nativeRegistryRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, opts) => {
  const registry = opts.pharos.registry;

  app.get<{ Querystring: { filter?: string; order_by?: string[]; max_results?: number; page_token?: string } }>(
    '/models',
    {
      schema: {
        tags,
        summary: 'List or search registered models',
        querystring: {
          type: 'object',
          properties: {
            filter: { type: 'string', description: "MLflow filter syntax, e.g. name LIKE 'iris%'" },
            order_by: { type: 'array', items: { type: 'string' } },
            max_results: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            page_token: { type: 'string' },
          },
        },
        response: {
          200: { type: 'object', properties: { models: { type: 'array', items: registeredModelSchema }, next_page_token: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page =
        q.filter || q.order_by?.length
          ? await registry.searchRegisteredModels({ filter: q.filter, orderBy: q.order_by, maxResults: q.max_results, pageToken: q.page_token })
          : await registry.listRegisteredModels({ maxResults: q.max_results, pageToken: q.page_token });
      return { models: page.items.map(nativeRegisteredModel), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  );

  app.post<{ Body: { name: string; description?: string; tags?: Record<string, string> } }>(
    '/models',
    {
      schema: {
        tags,
        summary: 'Create a registered model',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' }, tags: stringMap },
        },
        response: { 201: registeredModelSchema, ...errors },
      },
    },
    async (req, reply) => {
      const rm = await registry.createRegisteredModel(req.body);
      reply.status(201);
      return nativeRegisteredModel(rm);
    },
  );

  app.get<{ Params: { name: string } }>(
    '/models/:name',
    { schema: { tags, summary: 'Get a registered model', params: nameParam, response: { 200: registeredModelSchema, ...errors } } },
    async (req) => nativeRegisteredModel(await registry.getRegisteredModel(req.params.name)),
  );

  app.patch<{ Params: { name: string }; Body: { new_name?: string; description?: string | null } }>(
    '/models/:name',
    {
      schema: {
        tags,
        summary: 'Rename a registered model and/or change its description',
        params: nameParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { new_name: { type: 'string', minLength: 1 }, description: { type: ['string', 'null'] } },
        },
        response: { 200: registeredModelSchema, ...errors },
      },
    },
    async (req) => {
      let name = req.params.name;
      const body = req.body ?? {};
      if (body.new_name !== undefined && body.new_name !== name) name = (await registry.renameRegisteredModel(name, body.new_name)).name;
      if ('description' in body) return nativeRegisteredModel(await registry.updateRegisteredModel(name, body.description));
      return nativeRegisteredModel(await registry.getRegisteredModel(name));
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/models/:name',
    { schema: { tags, summary: 'Delete a registered model with all its versions', params: nameParam, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      await registry.deleteRegisteredModel(req.params.name);
      reply.status(204).send();
    },
  );

  app.put<{ Params: { name: string; key: string }; Body: { value: string } }>(
    '/models/:name/tags/:key',
    {
      schema: {
        tags,
        summary: 'Set a registered model tag',
        params: { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string' }, key: { type: 'string' } } },
        body: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } },
        response: { 200: empty, ...errors },
      },
    },
    async (req) => {
      await registry.setRegisteredModelTag(req.params.name, req.params.key, req.body.value);
      return {};
    },
  );

  app.delete<{ Params: { name: string; key: string } }>(
    '/models/:name/tags/:key',
    {
      schema: {
        tags,
        summary: 'Delete a registered model tag',
        params: { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string' }, key: { type: 'string' } } },
        response: { 200: empty, ...errors },
      },
    },
    async (req) => {
      await registry.deleteRegisteredModelTag(req.params.name, req.params.key);
      return {};
    },
  );

  // ---------------------------------------------------------------- versions

  app.get<{ Params: { name: string } }>(
    '/models/:name/versions',
    {
      schema: {
        tags,
        summary: 'List the versions of a model, newest first',
        params: nameParam,
        response: { 200: { type: 'object', properties: { versions: { type: 'array', items: modelVersionSchema } } }, ...errors },
      },
    },
    async (req) => ({ versions: (await registry.listModelVersions(req.params.name)).map(nativeModelVersion) }),
  );

  app.post<{ Params: { name: string }; Body: { source: string; run_id?: string; model_id?: string; run_link?: string; description?: string; tags?: Record<string, string> } }>(
    '/models/:name/versions',
    {
      schema: {
        tags,
        summary: 'Register a new version (source: models:/m-<id>, runs:/<run>/<path>, mlflow-artifacts:/..., or an external URI)',
        params: nameParam,
        body: {
          type: 'object',
          required: ['source'],
          additionalProperties: false,
          properties: {
            source: { type: 'string', minLength: 1 },
            run_id: { type: 'string' },
            model_id: { type: 'string' },
            run_link: { type: 'string' },
            description: { type: 'string' },
            tags: stringMap,
          },
        },
        response: { 201: modelVersionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const mv = await registry.createModelVersion({
        name: req.params.name,
        source: b.source,
        runId: b.run_id || undefined,
        modelId: b.model_id || undefined,
        runLink: b.run_link,
        description: b.description,
        tags: b.tags,
      });
      reply.status(201);
      return nativeModelVersion(mv);
    },
  );

  app.get<{ Params: { name: string; version: number } }>(
    '/models/:name/versions/:version',
    { schema: { tags, summary: 'Get a model version', params: versionParams, response: { 200: modelVersionSchema, ...errors } } },
    async (req) => nativeModelVersion(await registry.getModelVersion(req.params.name, req.params.version)),
  );

  app.patch<{ Params: { name: string; version: number }; Body: { description: string | null } }>(
    '/models/:name/versions/:version',
    {
      schema: {
        tags,
        summary: "Change a version's description",
        params: versionParams,
        body: { type: 'object', required: ['description'], additionalProperties: false, properties: { description: { type: ['string', 'null'] } } },
        response: { 200: modelVersionSchema, ...errors },
      },
    },
    async (req) => nativeModelVersion(await registry.updateModelVersion(req.params.name, req.params.version, req.body.description)),
  );

  app.delete<{ Params: { name: string; version: number } }>(
    '/models/:name/versions/:version',
    { schema: { tags, summary: 'Delete a model version (its aliases go with it)', params: versionParams, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      await registry.deleteModelVersion(req.params.name, req.params.version);
      reply.status(204).send();
    },
  );

  app.post<{ Params: { name: string; version: number }; Body: { stage: string; archive_existing_versions?: boolean } }>(
    '/models/:name/versions/:version/stage',
    {
      schema: {
        tags,
        summary: 'Move a version to a stage, optionally archiving the versions already there',
        params: versionParams,
        body: {
          type: 'object',
          required: ['stage'],
          additionalProperties: false,
          properties: {
            stage: { type: 'string', description: `One of ${STAGES.join(', ')} (any case)` },
            archive_existing_versions: { type: 'boolean', default: false },
          },
        },
        response: { 200: modelVersionSchema, ...errors },
      },
    },
    async (req) =>
      nativeModelVersion(await registry.transitionModelVersionStage(req.params.name, req.params.version, req.body.stage, req.body.archive_existing_versions)),
  );

  app.put<{ Params: { name: string; version: number; key: string }; Body: { value: string } }>(
    '/models/:name/versions/:version/tags/:key',
    {
      schema: {
        tags,
        summary: 'Set a model version tag',
        params: { ...versionParams, required: ['name', 'version', 'key'], properties: { ...versionParams.properties, key: { type: 'string' } } },
        body: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } },
        response: { 200: empty, ...errors },
      },
    },
    async (req) => {
      await registry.setModelVersionTag(req.params.name, req.params.version, req.params.key, req.body.value);
      return {};
    },
  );

  app.delete<{ Params: { name: string; version: number; key: string } }>(
    '/models/:name/versions/:version/tags/:key',
    {
      schema: {
        tags,
        summary: 'Delete a model version tag',
        params: { ...versionParams, required: ['name', 'version', 'key'], properties: { ...versionParams.properties, key: { type: 'string' } } },
        response: { 200: empty, ...errors },
      },
    },
    async (req) => {
      await registry.deleteModelVersionTag(req.params.name, req.params.version, req.params.key);
      return {};
    },
  );

  // ---------------------------------------------------------------- aliases

  app.get<{ Params: { name: string; alias: string } }>(
    '/models/:name/aliases/:alias',
    { schema: { tags, summary: 'The version an alias points to', params: aliasParams, response: { 200: modelVersionSchema, ...errors } } },
    async (req) => nativeModelVersion(await registry.getModelVersionByAlias(req.params.name, req.params.alias)),
  );

  app.put<{ Params: { name: string; alias: string }; Body: { version: number } }>(
    '/models/:name/aliases/:alias',
    {
      schema: {
        tags,
        summary: 'Point an alias at a version (moving it if it pointed elsewhere)',
        params: aliasParams,
        body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
        response: { 200: modelVersionSchema, ...errors },
      },
    },
    async (req) => {
      await registry.setRegisteredModelAlias(req.params.name, req.params.alias, req.body.version);
      return nativeModelVersion(await registry.getModelVersion(req.params.name, req.body.version));
    },
  );

  app.delete<{ Params: { name: string; alias: string } }>(
    '/models/:name/aliases/:alias',
    { schema: { tags, summary: 'Remove an alias', params: aliasParams, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      await registry.deleteRegisteredModelAlias(req.params.name, req.params.alias);
      reply.status(204).send();
    },
  );

  app.get<{ Querystring: { uri: string } }>(
    '/model-uris/resolve',
    {
      schema: {
        tags,
        summary: 'Where a model URI (models:/name@alias, models:/name/3, models:/m-<id>, runs:/...) points in the artifact store',
        querystring: { type: 'object', required: ['uri'], properties: { uri: { type: 'string', minLength: 1 } } },
        response: {
          200: {
            type: 'object',
            properties: { name: { type: 'string' }, version: { type: 'integer' }, artifact_path: { type: 'string' }, model_version: modelVersionSchema },
          },
          ...errors,
        },
      },
    },
    async (req) => {
      const r = await registry.resolveModelUri(req.query.uri);
      return {
        ...(r.name !== undefined ? { name: r.name, version: r.version } : {}),
        artifact_path: r.artifactPath,
        ...(r.modelVersion ? { model_version: nativeModelVersion(r.modelVersion) } : {}),
      };
    },
  );
};
