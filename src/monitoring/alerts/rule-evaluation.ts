import type { AlertRule, Comparison } from '../monitors/types.ts';

/** What rule evaluation needs to know about a run. */
export interface RunPoint {
  metrics: Record<string, number> | null;
  windowStart: number | null;
  windowEnd: number | null;
  startedAt: number;
}

export interface RuleVerdict {
  breached: boolean;
  value: number | null;
  message: string;
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

const breaches = (rule: AlertRule, run: RunPoint) => {
  const v = run.metrics?.[rule.metric];
  return typeof v === 'number' && Number.isFinite(v) && compare(v, rule.op, rule.threshold);
};

/**
 * Evaluates a rule over run history, newest first (`history[0]` is the run just made).
 * - `forWindows: n`: the condition held in the n newest runs, without a gap.
 * - `forMs: d`: the unbroken streak of breaching runs covers at least d, measured from the window start
 *   of its oldest run to the window end of the newest ("p99 latency > 200 ms for 5 minutes").
 * A missing metric (e.g. no labels yet) never breaches and breaks a streak.
 */
export function evaluateRule(rule: AlertRule, history: RunPoint[]): RuleVerdict {
  const current = history[0];
  const value = current?.metrics?.[rule.metric];
  const shown = typeof value === 'number' ? value : null;
  if (!current || !breaches(rule, current)) return { breached: false, value: shown, message: '' };
  let streak = 0;
  while (streak < history.length && breaches(rule, history[streak])) streak++;
  const needRuns = rule.forWindows ?? 1;
  if (streak < needRuns) return { breached: false, value: shown, message: '' };
  let sustained = '';
  if (rule.forMs !== undefined && rule.forMs > 0) {
    const oldest = history[streak - 1];
    const span = (current.windowEnd ?? current.startedAt) - (oldest.windowStart ?? oldest.startedAt);
    if (span < rule.forMs) return { breached: false, value: shown, message: '' };
    sustained = ` for ${Math.round(span / 1000)} s`;
  }
  const runs = needRuns > 1 ? ` for ${streak} consecutive windows` : '';
  return { breached: true, value: shown, message: `${rule.metric} = ${formatNumber(value as number)} ${rule.op} ${rule.threshold}${runs}${sustained}` };
}

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
