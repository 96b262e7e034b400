import type { FastifyPluginAsync } from 'fastify';
import type { Pharos } from '../../app.ts';
import { invalidParameter } from '../../core/errors.ts';

const auditEvent = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    timestamp: { type: 'integer', description: 'epoch milliseconds' },
    entityType: { type: 'string' },
    entityId: { type: 'string' },
    action: { type: 'string' },
    actor: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** GET /api/v1/audit: the audit trail (read-only; there is deliberately no route that changes it). */
export const auditRoutes: FastifyPluginAsync<{ pharos: Pharos }> = async (app, { pharos }) => {
  app.get<{ Querystring: { entity_type?: string; entity_id?: string; limit?: number } }>(
    '/audit',
    {
      schema: {
        tags: ['governance'],
        summary: 'List audit events, oldest first, optionally for one entity',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            entity_type: { type: 'string', maxLength: 64, description: "e.g. 'registered_model', 'model_version', 'deployment'" },
            entity_id: { type: 'string', maxLength: 512 },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
          },
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: auditEvent } } } },
      },
    },
    async (req) => {
      // PostgreSQL cannot compare text holding NUL (a 500); no entity name can hold one.
      for (const key of ['entity_type', 'entity_id'] as const) {
        if (req.query[key]?.includes('\0')) throw invalidParameter(`${key}: NUL characters are not allowed`);
      }
      return { events: await pharos.audit.list({ entityType: req.query.entity_type, entityId: req.query.entity_id, limit: req.query.limit }) };
    },
  );
};
