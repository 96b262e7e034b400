import type { AlertChannel } from '../monitors/types.ts';

export interface AlertNotice {
  monitor: { id: string; name: string; deployment: string };
  rule: { name: string; metric: string; op: string; threshold: number };
  value: number | null;
  message: string;
  runId: string;
  firedAt: number;
}

export interface Delivery {
  channel: string;
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
}

/** The generic webhook body: the whole notice as JSON. */
export function webhookBody(n: AlertNotice): Record<string, unknown> {
  return {
    type: 'pharos.alert',
    monitor: n.monitor,
    rule: n.rule,
    value: n.value,
    message: n.message,
    run_id: n.runId,
    fired_at: new Date(n.firedAt).toISOString(),
  };
}

/** Slack incoming-webhook body (also understood by Mattermost, Rocket.Chat, Teams' Slack connector). */
export function slackBody(n: AlertNotice): { text: string } {
  return { text: `:rotating_light: Pharos alert *${n.rule.name}* on monitor *${n.monitor.name}* (deployment \`${n.monitor.deployment}\`): ${n.message}` };
}

/** Sends one notice; never throws (a dead receiver must not fail the monitor run), the outcome is recorded instead. */
export async function deliver(channel: AlertChannel, notice: AlertNotice, timeoutMs = 5000): Promise<Delivery> {
  const body = channel.type === 'slack' ? slackBody(notice) : webhookBody(notice);
  try {
    const res = await fetch(channel.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'pharos-alerts' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { channel: channel.type, url: channel.url, ok: res.ok, status: res.status };
  } catch (e) {
    return { channel: channel.type, url: channel.url, ok: false, error: (e as Error).message };
  }
}
