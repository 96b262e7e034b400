/** Bounds a candidate must stay within, relative to stable, to be promoted automatically. */
export interface RolloutPolicy {
  /** false: the candidate is promoted or rolled back only by hand. */
  autoPromote: boolean;
  /** Candidate requests needed before promotion. */
  minRequests: number;
  /** Time since the rollout began needed before promotion. */
  minDurationMs: number;
  /** Candidate error rate may exceed stable's by this much (absolute, 0.01 = one point). */
  maxErrorRateIncrease: number;
  /** Candidate p99 latency may be this many times stable's... */
  maxLatencyRatio: number;
  /** ...plus this slack, so sub-millisecond noise on tiny models is no breach. */
  latencySlackMs: number;
  /** Candidate requests needed before a breach is judged (an error rate over 3 requests says little). */
  minRequestsForBreach: number;
  /** Once labels arrive: candidate accuracy may be this much below stable's (absolute, 0.02 = two points). */
  maxAccuracyDrop: number;
  /** Labelled requests each side needs before accuracy is compared. */
  minLabelled: number;
}

/** Realised accuracy of each side of a rollout on the requests whose labels have arrived. */
export interface RolloutQuality {
  stable: { labelled: number; accuracy: number };
  candidate: { labelled: number; accuracy: number };
}

/** Computes a rollout's realised quality from the inference log and late labels (the monitoring side provides it). */
export type RolloutQualitySource = (q: { deployment: string; since: number }) => Promise<RolloutQuality | null>;

export const DEFAULT_ROLLOUT_POLICY: RolloutPolicy = {
  autoPromote: true,
  minRequests: 100,
  minDurationMs: 0,
  maxErrorRateIncrease: 0.01,
  maxLatencyRatio: 1.5,
  latencySlackMs: 10,
  minRequestsForBreach: 30,
  maxAccuracyDrop: 0.02,
  minLabelled: 30,
};

/** Request counts, errors and a window of recent latencies for one side of a rollout. */
export class SlotStats {
  requests = 0;
  errors = 0;
  private readonly latencies: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(window = 2048) {
    this.latencies = new Float64Array(window);
  }

  record(latencyMs: number, ok: boolean): void {
    this.requests++;
    if (!ok) this.errors++;
    this.latencies[this.next] = latencyMs;
    this.next = (this.next + 1) % this.latencies.length;
    this.filled = Math.min(this.filled + 1, this.latencies.length);
  }

  get errorRate(): number {
    return this.requests === 0 ? 0 : this.errors / this.requests;
  }

  /** Latency quantile over the window (nearest rank). */
  quantile(q: number): number {
    if (this.filled === 0) return 0;
    const sorted = Array.from(this.latencies.subarray(0, this.filled)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  snapshot() {
    return { requests: this.requests, errors: this.errors, errorRate: this.errorRate, p50Ms: this.quantile(0.5), p99Ms: this.quantile(0.99) };
  }
}

export type RolloutDecision = { action: 'wait' } | { action: 'promote' | 'rollback'; reason: string };

/**
 * Judges a rollout after each candidate request: a breach rolls back at once; a candidate that has served
 * enough requests for long enough within the bounds is promoted.
 */
export function evaluateRollout(stable: SlotStats, candidate: SlotStats, policy: RolloutPolicy, startedAt: number, now = Date.now(), quality: RolloutQuality | null = null): RolloutDecision {
  const judged = quality !== null && quality.stable.labelled >= policy.minLabelled && quality.candidate.labelled >= policy.minLabelled;
  if (judged && quality.candidate.accuracy < quality.stable.accuracy - policy.maxAccuracyDrop) {
    return {
      action: 'rollback',
      reason: `candidate accuracy ${(quality.candidate.accuracy * 100).toFixed(2)}% on ${quality.candidate.labelled} labelled requests is below stable's ${(quality.stable.accuracy * 100).toFixed(2)}% (${quality.stable.labelled} labelled) - ${(policy.maxAccuracyDrop * 100).toFixed(2)} points`,
    };
  }
  if (candidate.requests >= policy.minRequestsForBreach) {
    const allowedErrorRate = stable.errorRate + policy.maxErrorRateIncrease;
    if (candidate.errorRate > allowedErrorRate) {
      return {
        action: 'rollback',
        reason: `candidate error rate ${(candidate.errorRate * 100).toFixed(2)}% over ${candidate.requests} requests exceeds stable's ${(stable.errorRate * 100).toFixed(2)}% + ${(policy.maxErrorRateIncrease * 100).toFixed(2)} points`,
      };
    }
    if (stable.requests >= policy.minRequestsForBreach) {
      const allowedP99 = stable.quantile(0.99) * policy.maxLatencyRatio + policy.latencySlackMs;
      const p99 = candidate.quantile(0.99);
      if (p99 > allowedP99) {
        return { action: 'rollback', reason: `candidate p99 latency ${p99.toFixed(2)} ms exceeds ${allowedP99.toFixed(2)} ms (stable p99 ${stable.quantile(0.99).toFixed(2)} ms x ${policy.maxLatencyRatio} + ${policy.latencySlackMs} ms)` };
      }
    }
  }
  if (policy.autoPromote && candidate.requests >= policy.minRequests && now - startedAt >= policy.minDurationMs) {
    const s = candidate.snapshot();
    return {
      action: 'promote',
      reason: `candidate served ${s.requests} requests over ${Math.round((now - startedAt) / 1000)} s within bounds (error rate ${(s.errorRate * 100).toFixed(2)}%, p99 ${s.p99Ms.toFixed(2)} ms; stable ${(stable.errorRate * 100).toFixed(2)}%, p99 ${stable.quantile(0.99).toFixed(2)} ms)` +
        (judged ? `; accuracy ${(quality.candidate.accuracy * 100).toFixed(2)}% vs stable ${(quality.stable.accuracy * 100).toFixed(2)}% on ${quality.candidate.labelled}/${quality.stable.labelled} labelled requests` : ''),
    };
  }
  return { action: 'wait' };
}

/** Which side a request goes to: `percent` of requests (0-100) to the canary. */
export function routeCanary(percent: number, random = Math.random()): 'stable' | 'candidate' {
  return random * 100 < percent ? 'candidate' : 'stable';
}
