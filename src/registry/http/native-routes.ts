import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';

/** Pharos native API (registry part), mounted under /api/v1. */
export const nativeRegistryRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (_app, _opts) => {};
