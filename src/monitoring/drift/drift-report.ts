/**
 * driftReport: per-column drift tests and the dataset verdict, with Evidently 0.7 DataDriftPreset's
 * choices (method per column, thresholds, comparisons, drift share) so the same data gives the same
 * verdicts, and a message instead of an exception for every column that cannot be tested.
 */
import { histogramCounts, linspace } from './binning.ts';
import { categoryCounts, inferColumnType, prepareColumn, tableColumn, tableColumnNames, tableRows, type PreparedColumn } from './columns.ts';
import { DEFAULT_METHOD_DISTINCT_LIMIT, DRIFT_METHODS, DriftInputError, defaultMethod, exceeds, isDriftMethodName, pooledDistinct, runMethod } from './methods.ts';
import type { ColumnDrift, DriftColumnType, DriftHistogram, DriftMethodName, DriftOptions, DriftReport, DriftTable, MultipleTestingCorrection } from './types.ts';

const MAX_PLOT_CATEGORIES = 50;

export function driftReport(reference: DriftTable, current: DriftTable, options: DriftOptions = {}): DriftReport {
  const driftShare = options.driftShare ?? 0.5;
  const correction: MultipleTestingCorrection = options.correction ?? 'none';
  validateOptions(options);
  const names = options.columns ?? unionNames(tableColumnNames(reference), tableColumnNames(current));
  const columns: ColumnDrift[] = names.map((name) => columnDrift(name, reference, current, options));
  const corrected = applyCorrection(columns, correction);
  const tested = corrected.filter((c) => c.status === 'ok');
  const nDrifted = tested.filter((c) => c.drifted).length;
  const shareDrifted = tested.length === 0 ? 0 : nDrifted / tested.length;
  return {
    columns: corrected,
    nColumns: tested.length,
    nDrifted,
    shareDrifted,
    drifted: tested.length > 0 && shareDrifted >= driftShare,
    driftShare,
    correction,
    referenceRows: tableRows(reference),
    currentRows: tableRows(current),
  };
}

/**
 * Reference columns are cleaned and sorted once per array object and reused, so a monitor comparing
 * many windows against the same reference pays the sort once. Reference arrays must therefore not be
 * mutated after a report has used them (current arrays may be reused freely).
 */
const preparedReferences = new WeakMap<object, PreparedColumn>();

function prepareReference(raw: Parameters<typeof prepareColumn>[0]): PreparedColumn {
  const typed = !Array.isArray(raw) && !ArrayBuffer.isView(raw);
  const values = (typed ? (raw as { values: object }).values : raw) as object;
  const cached = preparedReferences.get(values);
  if (cached && cached.rows === (values as ArrayLike<unknown>).length && cached.declaredType === (typed ? (raw as { kind: string }).kind : undefined)) {
    return cached;
  }
  const prepared = prepareColumn(raw);
  preparedReferences.set(values, prepared);
  return prepared;
}

function unionNames(a: string[], b: string[]): string[] {
  const seen = new Set(a);
  return [...a, ...b.filter((n) => !seen.has(n))];
}

function validateOptions(options: DriftOptions): void {
  const check = (m: string | undefined, where: string) => {
    if (m !== undefined && !isDriftMethodName(m)) {
      throw new RangeError(`unknown drift method '${m}' in ${where}; known: ${Object.keys(DRIFT_METHODS).join(', ')}`);
    }
  };
  check(options.method, 'method');
  check(options.numericalMethod, 'numericalMethod');
  check(options.categoricalMethod, 'categoricalMethod');
  for (const [c, m] of Object.entries(options.perColumnMethod ?? {})) check(m, `perColumnMethod.${c}`);
  if (options.bins !== undefined && !(Number.isInteger(options.bins) && options.bins >= 2)) {
    throw new RangeError(`bins must be an integer >= 2, got ${options.bins}`);
  }
  if (options.driftShare !== undefined && !(options.driftShare >= 0 && options.driftShare <= 1)) {
    throw new RangeError(`driftShare must be within [0, 1], got ${options.driftShare}`);
  }
}

/** Evidently's precedence: per column > per type > all columns > the test's default. */
function chooseMethod(name: string, type: DriftColumnType, options: DriftOptions): DriftMethodName | undefined {
  const typeMethod = type === 'numerical' ? options.numericalMethod : options.categoricalMethod;
  return options.perColumnMethod?.[name] ?? typeMethod ?? options.method;
}

function chooseThreshold(name: string, type: DriftColumnType, method: DriftMethodName, options: DriftOptions): number {
  const typeThreshold = type === 'numerical' ? options.numericalThreshold : options.categoricalThreshold;
  return options.perColumnThreshold?.[name] ?? typeThreshold ?? options.threshold ?? DRIFT_METHODS[method].defaultThreshold;
}

interface Skipped {
  type: DriftColumnType;
  method: DriftMethodName;
  message: string;
}

function columnDrift(name: string, referenceTable: DriftTable, currentTable: DriftTable, options: DriftOptions): ColumnDrift {
  const rawRef = tableColumn(referenceTable, name);
  const rawCur = tableColumn(currentTable, name);
  const ref = rawRef === undefined ? undefined : prepareReference(rawRef);
  const cur = rawCur === undefined ? undefined : prepareColumn(rawCur);
  const type: DriftColumnType =
    options.columnTypes?.[name] ?? (cur && inferColumnType(cur)) ?? (ref && inferColumnType(ref)) ?? 'categorical';
  const fallbackMethod = chooseMethod(name, type, options) ?? (type === 'numerical' ? 'ks' : 'chisquare');
  const skip = (message: string, method: DriftMethodName = fallbackMethod): ColumnDrift =>
    skipped(name, { type, method, message }, ref, cur, options);
  if (!ref && !cur) return skip(`column '${name}' is in neither table`);
  if (!ref) return skip(`column '${name}' is only in the current table`);
  if (!cur) return skip(`column '${name}' is only in the reference table`);
  if (ref.count === 0) return skip(`column '${name}' has no non-missing value in the reference (${ref.missing} missing)`);
  if (cur.count === 0) return skip(`column '${name}' has no non-missing value in the current data (${cur.missing} missing)`);
  const refNumeric = ref.numbers !== undefined;
  const curNumeric = cur.numbers !== undefined;
  if (refNumeric !== curNumeric && type === 'numerical') {
    return skip(
      `column '${name}' holds ${refNumeric ? 'numbers' : 'text'} in the reference but ${curNumeric ? 'numbers' : 'text'} in the current data`,
    );
  }
  if (type === 'numerical' && (!refNumeric || !curNumeric)) return skip(`column '${name}' is declared numerical but holds text`);
  const method = chooseMethod(name, type, options) ?? defaultMethod(type, ref.count, pooledDistinct(ref, cur, DEFAULT_METHOD_DISTINCT_LIMIT));
  const spec = DRIFT_METHODS[method];
  const threshold = chooseThreshold(name, type, method, options);
  const messages: string[] = [];
  if (!spec.allowed.includes(type)) return skip(`${spec.label} does not apply to ${type} column '${name}'`, method);
  if (refNumeric !== curNumeric) messages.push('numbers on one side and text on the other: compared as written');
  if (ref.missing || cur.missing) messages.push(`dropped missing or infinite values: ${ref.missing} in reference, ${cur.missing} in current`);
  if (type === 'categorical' && !cur.numbers && cur.valueKind === 'string' && cur.distinct > cur.count * 0.5 && !options.columnTypes?.[name]) {
    messages.push('many distinct strings: Evidently would treat this column as text; compared as categories');
  }
  let outcome;
  try {
    outcome = runMethod(method, type, ref, cur, { mode: options.binning ?? 'evidently', bins: options.bins ?? 10 });
  } catch (err) {
    if (err instanceof DriftInputError || err instanceof RangeError) return skip(err.message, method);
    throw err;
  }
  if (outcome.note) messages.push(outcome.note);
  if (!Number.isFinite(outcome.score) && !(outcome.score === Infinity && !spec.isPValue)) {
    return skip(`${spec.label} gave no usable score for column '${name}'`, method);
  }
  let unseen: string[] | undefined;
  if (type === 'categorical') {
    const rc = categoryCounts(ref);
    unseen = [...categoryCounts(cur).keys()].filter((k) => !rc.has(k));
    if (unseen.length) messages.push(`categories absent from the reference: ${unseen.slice(0, 10).join(', ')}${unseen.length > 10 ? ', ...' : ''}`);
  }
  return {
    column: name,
    type,
    method,
    methodLabel: spec.label,
    score: outcome.score,
    statistic: outcome.statistic === null || Number.isNaN(outcome.statistic) ? null : outcome.statistic,
    ...(outcome.pValue !== undefined ? { pValue: outcome.pValue } : {}),
    threshold,
    drifted: exceeds(spec, outcome.score, threshold),
    status: 'ok',
    ...(messages.length ? { message: messages.join('; ') } : {}),
    referenceCount: ref.count,
    currentCount: cur.count,
    referenceMissing: ref.missing,
    currentMissing: cur.missing,
    ...(unseen ? { unseenCategories: unseen } : {}),
    histogram: histogram(type, ref, cur, options.histogramBins ?? 10),
  };
}

function skipped(name: string, s: Skipped, ref: PreparedColumn | undefined, cur: PreparedColumn | undefined, options: DriftOptions): ColumnDrift {
  return {
    column: name,
    type: s.type,
    method: s.method,
    methodLabel: DRIFT_METHODS[s.method].label,
    score: null,
    statistic: null,
    threshold: chooseThreshold(name, s.type, s.method, options),
    drifted: false,
    status: 'skipped',
    message: s.message,
    referenceCount: ref?.count ?? 0,
    currentCount: cur?.count ?? 0,
    referenceMissing: ref?.missing ?? 0,
    currentMissing: cur?.missing ?? 0,
  };
}

/** Shared bins for both sides so a renderer can overlay them. */
function histogram(type: DriftColumnType, ref: PreparedColumn, cur: PreparedColumn, bins: number): DriftHistogram {
  if (type === 'numerical' && ref.numbers && cur.numbers) {
    const lo = Math.min(ref.numbers[0], cur.numbers[0]);
    const hi = Math.max(ref.numbers[ref.numbers.length - 1], cur.numbers[cur.numbers.length - 1]);
    const edges = lo === hi ? [lo - 0.5, hi + 0.5] : linspace(lo, hi, bins + 1);
    return { kind: 'numerical', edges, reference: histogramCounts(ref.numbers, edges), current: histogramCounts(cur.numbers, edges) };
  }
  const rc = categoryCounts(ref);
  const cc = categoryCounts(cur);
  const keys = [...new Set([...rc.keys(), ...cc.keys()])].sort(
    (a, b) => (rc.get(b) ?? 0) + (cc.get(b) ?? 0) - ((rc.get(a) ?? 0) + (cc.get(a) ?? 0)) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const shown = keys.slice(0, MAX_PLOT_CATEGORIES);
  const reference = shown.map((k) => rc.get(k) ?? 0);
  const current = shown.map((k) => cc.get(k) ?? 0);
  if (keys.length > shown.length) {
    shown.push('(other)');
    reference.push(ref.count - reference.reduce((a, b) => a + b, 0));
    current.push(cur.count - current.reduce((a, b) => a + b, 0));
  }
  return { kind: 'categorical', categories: shown, reference, current };
}

/**
 * Adjusts the p-value tests' scores (raw p-values stay in `pValue`) and re-takes their verdicts.
 * Bonferroni: min(1, p m); Benjamini–Hochberg: the step-up adjusted p-values, m = p-value tests run.
 */
function applyCorrection(columns: ColumnDrift[], correction: MultipleTestingCorrection): ColumnDrift[] {
  if (correction === 'none') return columns;
  const idx = columns
    .map((c, i) => [c, i] as const)
    .filter(([c]) => c.status === 'ok' && c.pValue !== undefined && DRIFT_METHODS[c.method].isPValue)
    .map(([, i]) => i);
  const m = idx.length;
  if (m === 0) return columns;
  const adjusted = new Map<number, number>();
  if (correction === 'bonferroni') {
    for (const i of idx) adjusted.set(i, Math.min(1, columns[i].pValue! * m));
  } else {
    const order = [...idx].sort((a, b) => columns[b].pValue! - columns[a].pValue!);
    let running = 1;
    order.forEach((i, r) => {
      const rank = m - r;
      running = Math.min(running, (columns[i].pValue! * m) / rank);
      adjusted.set(i, Math.min(1, running));
    });
  }
  return columns.map((c, i) => {
    const a = adjusted.get(i);
    if (a === undefined) return c;
    return { ...c, score: a, drifted: exceeds(DRIFT_METHODS[c.method], a, c.threshold) };
  });
}
