import { newId } from '../../core/ids.ts';
import type { AlertEvent, AlertRule, Monitor, MonitorRun } from '../monitors/types.ts';
import { deliver, type AlertNotice } from './channels.ts';
import type { RetrainTrigger } from './retrain-trigger.ts';
import { evaluateRule, type RunPoint } from './rule-evaluation.ts';

export const DEFAULT_COOLDOWN_MS = 60 * 60 * 1000;

export interface AlertDeps {
  /** Newest delivered event of a rule, for its cool-down. */
  lastFired(monitorId: string, ruleName: string): Promise<AlertEvent | null>;
  /** Earlier runs of the monitor, newest first. */
  previousRuns(monitorId: string, limit: number): Promise<MonitorRun[]>;
  retrainTrigger(monitor: Monitor): RetrainTrigger | null;
}

/** How many earlier runs a rule can need: its window count, or enough to cover a duration. */
const HISTORY_FOR_DURATION = 500;

/**
 * Evaluates every rule of the monitor against the run just made (plus history), then for each breach:
 * within the rule's cool-down since its last delivery → recorded as 'suppressed' (de-duplicated, no
 * notification, no retrain); otherwise → delivered to every channel, retraining triggered if asked, and
 * recorded as 'fired'. Delivery failures are recorded, never thrown.
 */
export async function evaluateAlerts(monitor: Monitor, run: MonitorRun, deps: AlertDeps): Promise<AlertEvent[]> {
  const rules = monitor.spec.alerts;
  if (rules.length === 0 || !run.results) return [];
  const need = Math.max(...rules.map((r) => (r.forMs ? HISTORY_FOR_DURATION : (r.forWindows ?? 1))));
  const previous = need > 1 ? await deps.previousRuns(monitor.id, need - 1) : [];
  const history: RunPoint[] = [run, ...previous].map((r) => ({ metrics: r.results?.metrics ?? null, windowStart: r.windowStart, windowEnd: r.windowEnd, startedAt: r.startedAt }));
  const events: AlertEvent[] = [];
  for (const rule of rules) {
    const verdict = evaluateRule(rule, history);
    if (!verdict.breached) continue;
    const event: AlertEvent = {
      id: newId('al-'),
      monitorId: monitor.id,
      ruleName: rule.name,
      runId: run.id,
      firedAt: run.finishedAt,
      status: 'fired',
      value: verdict.value,
      message: verdict.message,
      deliveries: [],
      retrainRunId: null,
    };
    const last = await deps.lastFired(monitor.id, rule.name);
    if (last && run.finishedAt - last.firedAt < (rule.cooldownMs ?? DEFAULT_COOLDOWN_MS)) {
      event.status = 'suppressed';
      events.push(event);
      continue;
    }
    const notice: AlertNotice = {
      monitor: { id: monitor.id, name: monitor.name, deployment: monitor.deployment },
      rule: { name: rule.name, metric: rule.metric, op: rule.op, threshold: rule.threshold },
      value: verdict.value,
      message: verdict.message,
      runId: run.id,
      firedAt: run.finishedAt,
    };
    event.deliveries = await Promise.all((rule.channels ?? []).map((c) => deliver(c, notice)));
    if (rule.retrain) await handOffRetrain(monitor, rule, event, deps);
    events.push(event);
  }
  return events;
}

async function handOffRetrain(monitor: Monitor, rule: AlertRule, event: AlertEvent, deps: AlertDeps): Promise<void> {
  const trigger = deps.retrainTrigger(monitor);
  if (!trigger) {
    event.deliveries.push({ channel: 'retrain', url: '', ok: false, error: 'no retrain trigger configured (set spec.retrainWebhook or plug in a pipelines trigger)' });
    return;
  }
  try {
    const { runId } = await trigger.trigger(`alert "${rule.name}" on monitor "${monitor.name}": ${event.message}`, {
      monitorId: monitor.id,
      monitorName: monitor.name,
      deployment: monitor.deployment,
      rule: rule.name,
      metric: rule.metric,
      value: event.value,
      monitorRunId: event.runId,
    });
    event.retrainRunId = runId;
    event.deliveries.push({ channel: 'retrain', url: monitor.spec.retrainWebhook ?? '', ok: true });
  } catch (e) {
    event.deliveries.push({ channel: 'retrain', url: monitor.spec.retrainWebhook ?? '', ok: false, error: (e as Error).message });
  }
}
