import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';

/** Pharos native API (tracking part), mounted under /api/v1. */
export const nativeTrackingRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (_app, _opts) => {};
