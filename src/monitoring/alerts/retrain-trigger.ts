/**
 * The hand-off from monitoring to retraining. The pipelines capability plugs its own implementation
 * in (`createPharos`); until then a webhook does the job (e.g. a CI job or an Argo event source).
 */
export interface RetrainContext {
  monitorId: string;
  monitorName: string;
  deployment: string;
  rule: string;
  metric: string;
  value: number | null;
  monitorRunId: string;
}

export interface RetrainTrigger {
  trigger(reason: string, context: RetrainContext): Promise<{ runId: string }>;
}

/** POSTs `{reason, context}` as JSON and expects `{runId}` (or `run_id` / `id`) back. */
export class WebhookRetrainTrigger implements RetrainTrigger {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async trigger(reason: string, context: RetrainContext): Promise<{ runId: string }> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason, context }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`retrain webhook ${this.url} answered ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const runId = body.runId ?? body.run_id ?? body.id;
    if (typeof runId !== 'string' && typeof runId !== 'number') throw new Error(`retrain webhook ${this.url} returned no runId`);
    return { runId: String(runId) };
  }
}
