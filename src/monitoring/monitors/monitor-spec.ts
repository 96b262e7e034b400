import { z } from 'zod';
import { Cron } from 'croner';
import { invalidParameter } from '../../core/errors.ts';
import type { MonitorSpec } from './types.ts';
import { DRIFT_METHODS } from '../drift/index.ts';
import type { DriftMethodName } from '../drift/types.ts';

const labelSchema = z.union([z.string(), z.number(), z.boolean()]);
const httpUrl = z.string().refine((u) => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const METRIC_KEY = /^[a-z_]+(\..+)?$/;

const alertRuleSchema = z.strictObject({
  name: z.string().min(1).max(256),
  metric: z.string().min(1).max(512).regex(METRIC_KEY, 'must be a metric key such as feature_drift.share, latency.p99_ms or performance.accuracy'),
  op: z.enum(['>', '>=', '<', '<=']),
  threshold: z.number(),
  forWindows: z.number().int().min(1).max(1000).optional(),
  forMs: z.number().int().min(0).optional(),
  channels: z.array(z.discriminatedUnion('type', [z.strictObject({ type: z.literal('webhook'), url: httpUrl }), z.strictObject({ type: z.literal('slack'), url: httpUrl })])).max(20).optional(),
  cooldownMs: z.number().int().min(0).optional(),
  retrain: z.boolean().optional(),
});

export const monitorSpecSchema = z
  .strictObject({
    task: z.enum(['binary', 'multiclass', 'regression']),
    positiveLabel: labelSchema.optional(),
    average: z.enum(['macro', 'weighted']).optional(),
    predictionFields: z.strictObject({ label: z.string().optional(), score: z.string().optional(), probabilities: z.string().optional() }).optional(),
    features: z.array(z.string().min(1)).max(10_000).optional(),
    reference: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('training'), labelColumn: z.string().min(1).optional() }),
      z.strictObject({ type: z.literal('window'), from: z.number().int().min(0), to: z.number().int().min(0) }),
      z.strictObject({ type: z.literal('upload') }),
    ]),
    window: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('count'), size: z.number().int().min(1).max(1_000_000) }),
      z.strictObject({ type: z.literal('time'), durationMs: z.number().int().min(1000) }),
    ]),
    schedule: z
      .string()
      .refine((expr) => {
        try {
          new Cron(expr, { paused: true }).stop();
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid cron expression (e.g. "*/5 * * * *")')
      .optional(),
    checks: z
      .strictObject({
        featureDrift: z.boolean().optional(),
        predictionDrift: z.boolean().optional(),
        dataQuality: z.boolean().optional(),
        latency: z.boolean().optional(),
        errorRate: z.boolean().optional(),
        performance: z.boolean().optional(),
        estimatedPerformance: z.boolean().optional(),
      })
      .default({ featureDrift: true, predictionDrift: true, dataQuality: true, latency: true, errorRate: true, performance: true, estimatedPerformance: true }),
    drift: z.strictObject({ driftShare: z.number().gt(0).max(1).optional(), method: z.enum(Object.keys(DRIFT_METHODS) as [DriftMethodName, ...DriftMethodName[]]).optional(), threshold: z.number().optional() }).optional(),
    performanceTolerance: z.number().min(0).optional(),
    alerts: z.array(alertRuleSchema).max(100).default([]),
    retrainWebhook: httpUrl.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.reference.type === 'window' && spec.reference.to <= spec.reference.from) {
      ctx.addIssue({ code: 'custom', path: ['reference', 'to'], message: 'must be after reference.from' });
    }
    const names = new Set<string>();
    spec.alerts.forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['alerts', i, 'name'], message: `duplicate rule name "${r.name}"` });
      names.add(r.name);
    });
  });

/** Validates a monitor spec; the error names the first offending field (`spec.window.size: ...`). */
export function parseMonitorSpec(input: unknown): MonitorSpec {
  const r = monitorSpecSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = ['spec', ...issue.path.map(String)].join('.');
    throw invalidParameter(`${path}: ${issue.message}`);
  }
  return r.data as MonitorSpec;
}
