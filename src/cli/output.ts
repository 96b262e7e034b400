import { invalidParameter } from '../core/errors.ts';

/** Shared CLI output: readable tables for people, `--json` for scripts. */
export function printTable(rows: Array<Record<string, unknown>>, columns?: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => (v.length > widths[i] ? v.slice(0, widths[i] - 1) + '…' : v.padEnd(widths[i]))).join('  ').trimEnd();
  process.stdout.write(line(cols.map((c) => c.toUpperCase())) + '\n');
  for (const r of rows) process.stdout.write(line(cols.map((c) => cell(r[c]))) + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function output(opts: { json?: boolean }, value: unknown, rows: Array<Record<string, unknown>>, columns?: string[]): void {
  if (opts.json) printJson(value);
  else printTable(rows, columns);
}

/** The server the data commands talk to: --url, then PHAROS_URL, then MLFLOW_TRACKING_URI, then the default. */
export function serverUrl(opts: { url?: string }): string {
  return opts.url ?? process.env.PHAROS_URL ?? process.env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000';
}

/** A commander argument parser for flags such as --batch-size: a clear error instead of NaN reaching the code. */
export const positiveInt = (flag: string, max = Number.MAX_SAFE_INTEGER) => (v: string) => {
  const expected = max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from 1 to ${max}`;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw invalidParameter(`${flag} must be ${expected}, got '${v}'`);
  return Number(v);
};

/**
 * The message a failed command prints. fetch() says only "fetch failed"; its cause says why (connection refused,
 * unknown host, with the address), which is what a user needs when the server is not where the CLI looks.
 */
export function cliErrorMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { message?: string; code?: string; errors?: Array<{ message?: string }> } | undefined;
  if (e.message !== 'fetch failed' || !cause) return e.message;
  const why = cause.message || cause.errors?.map((x) => x.message).join('; ') || cause.code;
  return why ? `${e.message}: ${why}` : e.message;
}
