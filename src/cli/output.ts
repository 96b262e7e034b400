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
