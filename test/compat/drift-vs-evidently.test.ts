/**
 * Drift statistics against scipy 1.17 and Evidently 0.7.23 on fixed-seed fixtures that
 * test/python/drift_fixtures.py generates (normal, skewed, heavy-tailed, ties, tiny samples,
 * constant columns, categories on one side only, binary columns, NaN/inf, every Evidently method).
 *
 * Tolerances: closed-form statistics and distances 1e-9 relative; p-values 1e-6 relative
 * (the exact-path p-values match far closer, see the messages); Evidently scores 1e-9 relative,
 * identical method choice and verdict on every column, identical dataset share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { driftReport, driftStats, type DriftColumnValues, type DriftMethodName, type DriftOptions } from '../../src/monitoring/index.ts';
import { runPython } from '../support/server.ts';

type Num = number | 'nan' | 'inf' | '-inf';
const dec = (v: Num | null): number =>
  v === null ? Number.NaN : v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;

interface Fixtures {
  versions: Record<string, string>;
  pairs: Array<{
    name: string;
    a: Num[];
    b: Num[];
    ks: [Num, Num];
    wasserstein: Num;
    energy: Num;
    anderson: [Num, Num];
    cvm?: [Num, Num];
    ttest: [Num, Num];
    mannwLess: [Num, Num];
    mannwTwoSided: [Num, Num];
    cvmEvidently?: [Num, Num];
  }>;
  chisquare: Array<{ observed: number[]; expected: number[]; statistic: Num; pValue: Num }>;
  jensenshannon: Array<{ p: number[]; q: number[]; distance: Num }>;
  fisher: Array<{ table: [[number, number], [number, number]]; pValue: Num }>;
  gtest: Array<{ observed: number[]; expected: number[]; statistic: Num; pValue: Num }>;
  datasets: Array<{
    name: string;
    options: Record<string, unknown>;
    reference: Record<string, { dtype: 'float' | 'int' | 'str'; values: Array<Num | string | null> }>;
    current: Record<string, { dtype: 'float' | 'int' | 'str'; values: Array<Num | string | null> }>;
    columns: Record<string, { type: string; method: string; label: string; threshold: number; score: Num; directScore: Num; drifted: boolean }>;
    nDrifted: number;
    shareDrifted: number;
  }>;
}

function close(actual: number, expected: number, rel: number, what: string, abs = 0): void {
  if (Number.isNaN(expected)) return assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
  if (!Number.isFinite(expected)) return assert.equal(actual, expected, what);
  const err = Math.abs(actual - expected);
  assert.ok(err <= abs || err <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel err ${err / Math.abs(expected)})`);
}

let fixtures: Fixtures;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pharos-drift-'));
  const out = join(dir, 'fixtures.json');
  const script = readFileSync(new URL('../python/drift_fixtures.py', import.meta.url), 'utf8');
  await runPython(script, { DRIFT_FIXTURES_OUT: out }, 600_000);
  fixtures = JSON.parse(readFileSync(out, 'utf8'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two-sample statistics vs scipy', () => {
  it('ks_2samp: statistic 1e-12, p-value 1e-9 (exact paths) / 1e-6 (asymptotic)', () => {
    for (const p of fixtures.pairs) {
      const a = p.a.map(dec);
      const b = p.b.map(dec);
      const res = driftStats.ks2samp(a, b);
      close(res.statistic, dec(p.ks[0]), 1e-12, `${p.name} KS D`);
      close(res.pValue, dec(p.ks[1]), res.method === 'exact' ? 1e-9 : 1e-6, `${p.name} KS p (${res.method})`, 1e-300);
    }
  });

  it('wasserstein_distance and energy_distance: 1e-9', () => {
    for (const p of fixtures.pairs) {
      const a = p.a.map(dec);
      const b = p.b.map(dec);
      close(driftStats.wassersteinDistance(a, b), dec(p.wasserstein), 1e-9, `${p.name} wasserstein`);
      close(driftStats.energyDistance(a, b), dec(p.energy), 1e-9, `${p.name} energy`);
    }
  });

  it('anderson_ksamp: statistic 1e-9, interpolated/capped p-value 1e-6', () => {
    for (const p of fixtures.pairs) {
      const res = driftStats.andersonKsamp([p.a.map(dec), p.b.map(dec)]);
      close(res.statistic, dec(p.anderson[0]), 1e-9, `${p.name} A2`);
      close(res.pValue, dec(p.anderson[1]), 1e-6, `${p.name} AD p`);
    }
  });

  it('cramervonmises_2samp (scipy) and Evidently _cvm_2samp: statistic 1e-9, p-value 1e-6', () => {
    let compared = 0;
    for (const p of fixtures.pairs) {
      if (!p.cvm) continue;
      const res = driftStats.cramerVonMises2samp(p.a.map(dec), p.b.map(dec));
      close(res.statistic, dec(p.cvm[0]), 1e-9, `${p.name} CvM T`);
      close(res.pValue, dec(p.cvm[1]), 1e-6, `${p.name} CvM p (${res.method})`, 1e-12);
      if (p.cvmEvidently) {
        close(res.pValue, dec(p.cvmEvidently[1]), 1e-6, `${p.name} Evidently CvM p`, 1e-12);
        compared++;
      }
    }
    assert.ok(compared >= 5);
  });

  it('ttest_ind and mannwhitneyu (exact and asymptotic): statistic 1e-9, p-value 1e-9', () => {
    const methods = new Set<string>();
    for (const p of fixtures.pairs) {
      const a = p.a.map(dec);
      const b = p.b.map(dec);
      const t = driftStats.tTestInd(a, b);
      close(t.statistic, dec(p.ttest[0]), 1e-9, `${p.name} t`);
      close(t.pValue, dec(p.ttest[1]), 1e-9, `${p.name} t p`, 1e-300);
      const less = driftStats.mannWhitneyU(a, b, 'less');
      close(less.statistic, dec(p.mannwLess[0]), 1e-12, `${p.name} U`);
      close(less.pValue, dec(p.mannwLess[1]), 1e-9, `${p.name} MWU less p (${less.method})`, 1e-300);
      const two = driftStats.mannWhitneyU(a, b, 'two-sided');
      close(two.pValue, dec(p.mannwTwoSided[1]), 1e-9, `${p.name} MWU two-sided p (${two.method})`, 1e-300);
      methods.add(less.method);
    }
    assert.deepEqual([...methods].sort(), ['asymptotic', 'exact']);
  });

  it('fisher_exact and the G-test: p-values 1e-9', () => {
    for (const f of fixtures.fisher) {
      const [[a, b], [c, d]] = f.table;
      close(driftStats.fisherExact(a, b, c, d).pValue, dec(f.pValue), 1e-9, `fisher ${JSON.stringify(f.table)}`);
    }
    for (const g of fixtures.gtest) {
      const res = driftStats.gTest(g.observed, g.expected);
      close(res.statistic, dec(g.statistic), 1e-9, 'G');
      close(res.pValue, dec(g.pValue), 1e-9, 'G p');
    }
  });

  it('chisquare and jensenshannon: 1e-9 (p 1e-9 too)', () => {
    for (const c of fixtures.chisquare) {
      const res = driftStats.chiSquare(c.observed, c.expected);
      close(res.statistic, dec(c.statistic), 1e-9, 'chi2 statistic');
      close(res.pValue, dec(c.pValue), 1e-9, 'chi2 p');
    }
    for (const j of fixtures.jensenshannon) {
      close(driftStats.jensenShannonDistance(j.p, j.q), dec(j.distance), 1e-9, 'jensenshannon');
    }
  });
});

function toColumn(c: { dtype: 'float' | 'int' | 'str'; values: Array<Num | string | null> }): DriftColumnValues {
  if (c.dtype === 'float') return Float64Array.from(c.values as Num[], dec);
  if (c.dtype === 'int') return c.values as number[];
  // pandas 3 stores a missing string as NaN, which the fixture writer spells "nan"
  return c.values.map((v) => (v === 'nan' ? null : (v as string | null)));
}

function toOptions(o: Record<string, any>): DriftOptions {
  return {
    method: o.method as DriftMethodName | undefined,
    numericalMethod: o.num_method,
    categoricalMethod: o.cat_method,
    perColumnMethod: o.per_column_method,
    threshold: o.threshold,
    numericalThreshold: o.num_threshold,
    categoricalThreshold: o.cat_threshold,
    perColumnThreshold: o.per_column_threshold,
    driftShare: o.drift_share,
  };
}

describe('driftReport vs Evidently DataDriftPreset', () => {
  it('same column types, methods, thresholds, scores (1e-9) and verdicts on every column, same dataset share', () => {
    let columnsCompared = 0;
    const methodsSeen = new Set<string>();
    for (const ds of fixtures.datasets) {
      const reference = { columns: Object.fromEntries(Object.entries(ds.reference).map(([k, v]) => [k, toColumn(v)])) };
      const current = { columns: Object.fromEntries(Object.entries(ds.current).map(([k, v]) => [k, toColumn(v)])) };
      const report = driftReport(reference, current, toOptions(ds.options));
      for (const [name, expected] of Object.entries(ds.columns)) {
        const got = report.columns.find((c) => c.column === name);
        const where = `${ds.name}/${name}`;
        assert.ok(got, `${where} missing`);
        assert.equal(got.status, 'ok', `${where}: ${got.message}`);
        assert.equal(got.type, expected.type, `${where} type`);
        assert.equal(got.method, expected.method, `${where} method`);
        // Evidently echoes an explicitly chosen method by name, and shows its display name only when it chose
        if (expected.label !== expected.method) assert.equal(got.methodLabel, expected.label, `${where} label`);
        assert.equal(got.threshold, expected.threshold, `${where} threshold`);
        // 1 - cdf of an approximated limiting distribution: cancellation makes 1e-9 meaningless near p = 0
        const tol = got.method === 'cramer_von_mises' || got.method === 'anderson' ? 1e-6 : 1e-9;
        close(got.score!, dec(expected.score), tol, `${where} score (${got.method})`, 1e-15);
        close(got.score!, dec(expected.directScore), tol, `${where} score vs stattest`, 1e-15);
        assert.equal(got.drifted, expected.drifted, `${where} drifted (score ${got.score}, threshold ${got.threshold})`);
        methodsSeen.add(got.method);
        columnsCompared++;
      }
      assert.equal(report.nColumns, Object.keys(ds.columns).length, `${ds.name} column count`);
      assert.equal(report.nDrifted, ds.nDrifted, `${ds.name} drifted count`);
      close(report.shareDrifted, ds.shareDrifted, 1e-12, `${ds.name} share`);
    }
    assert.ok(columnsCompared > 100, `compared ${columnsCompared} columns`);
    for (const m of ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'anderson', 'cramer_von_mises', 'ed', 'hellinger', 't_test', 'mannw', 'g_test', 'fisher_exact']) {
      assert.ok(methodsSeen.has(m), `method ${m} exercised`);
    }
  });
});
