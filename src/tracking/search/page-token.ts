import { invalidParameter } from '../../core/errors.ts';

/**
 * Page tokens in MLflow's format: base64 of `{"offset": n}`. Opaque to clients; keeping MLflow's encoding
 * means a token minted by either server decodes on the other.
 */
export function createPageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeJson(token: string): unknown {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(token) || token.length % 4 === 1) {
    throw invalidParameter('Invalid page token, could not base64-decode');
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  try {
    return JSON.parse(decoded);
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${JSON.stringify(decoded)}`);
  }
}

function offsetOf(parsed: unknown, raw: unknown): number {
  const offset = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  return offset;
}

/** The offset a token encodes; 0 for no token. */
export function parsePageToken(token: string | undefined | null): number {
  if (!token) return 0;
  const parsed = decodeJson(token);
  if (typeof parsed !== 'object' || parsed === null || !('offset' in parsed)) {
    throw invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  return offsetOf(parsed, (parsed as { offset: unknown }).offset);
}

/**
 * Logged-model tokens also carry the query they belong to (MLflow's SearchLoggedModelsPaginationToken) so
 * a token replayed against a different query is refused instead of silently skipping rows.
 */
export interface LoggedModelsTokenState {
  experiment_ids: string[];
  filter_string: string | null;
  order_by: unknown[] | null;
  offset: number;
}

export function createLoggedModelsPageToken(state: LoggedModelsTokenState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

export function parseLoggedModelsPageToken(token: string | undefined | null, expected: Omit<LoggedModelsTokenState, 'offset'>): number {
  if (!token) return 0;
  const parsed = decodeJson(token);
  if (typeof parsed !== 'object' || parsed === null) throw invalidParameter(`Invalid page token: ${token}`);
  const state = parsed as Partial<LoggedModelsTokenState>;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  if (!same(state.experiment_ids, expected.experiment_ids)) {
    throw invalidParameter(
      `Experiment IDs in the page token do not match the requested experiment IDs. Expected: ${JSON.stringify(expected.experiment_ids)}. Found: ${JSON.stringify(state.experiment_ids)}`,
    );
  }
  if (!same(state.filter_string || null, expected.filter_string || null)) {
    throw invalidParameter(
      `Filter string in the page token does not match the requested filter string. Expected: ${expected.filter_string}. Found: ${state.filter_string}`,
    );
  }
  if (!same(state.order_by?.length ? state.order_by : null, expected.order_by?.length ? expected.order_by : null)) {
    throw invalidParameter(
      `Order by in the page token does not match the requested order by. Expected: ${JSON.stringify(expected.order_by)}. Found: ${JSON.stringify(state.order_by)}`,
    );
  }
  return offsetOf(parsed, state.offset ?? 0);
}

/** Validates max_results against an entity's default and ceiling (MLflow's constants). */
export function resolveMaxResults(maxResults: number | undefined, defaults: { default: number; max: number }): number {
  if (maxResults === undefined || maxResults === null) return defaults.default;
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
  }
  if (maxResults > defaults.max) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${defaults.max}`);
  }
  return maxResults;
}
