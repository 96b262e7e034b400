import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftReport } from './drift-report.ts';
import { DRIFT_METHODS } from './methods.ts';
import type { DriftMethodName } from './types.ts';
import { fillZeroes, histogramCounts, sturgesEdges } from './binning.ts';
import { inferColumnType, prepareColumn } from './columns.ts';

const seq = (n: number, f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
const cats = (n: number, values: string[]) => Array.from({ length: n }, (_, i) => values[i % values.length]);

describe('column type inference (Evidently rules)', () => {
  it('floats are numerical; integers numerical only above 10 distinct values; strings categorical', () => {
    assert.equal(inferColumnType(prepareColumn(seq(50, (i) => i % 3))), 'numerical');
    assert.equal(inferColumnType(prepareColumn(Array.from({ length: 50 }, (_, i) => i % 10))), 'categorical');
    assert.equal(inferColumnType(prepareColumn(Array.from({ length: 50 }, (_, i) => i % 11))), 'numerical');
    assert.equal(inferColumnType(prepareColumn(Int32Array.from({ length: 50 }, (_, i) => i % 4))), 'categorical');
    // a missing value turns a pandas integer column into float64
    assert.equal(inferColumnType(prepareColumn([1, 2, null, 1])), 'numerical');
    assert.equal(inferColumnType(prepareColumn(['a', null, 'b'])), 'categorical');
    assert.equal(inferColumnType(prepareColumn([true, false, true])), 'categorical');
    assert.equal(inferColumnType(prepareColumn([null, null])), undefined);
    assert.equal(inferColumnType({ ...prepareColumn(seq(5, (i) => i)), declaredType: 'categorical' }), 'categorical');
  });
});

describe('default method choice (Evidently _get_default_stattest)', () => {
  const method = (ref: Float64Array | string[], cur: Float64Array | string[]) => driftReport({ columns: { x: ref } }, { columns: { x: cur } }).columns[0];

  it('reference <= 1000 rows: KS above 5 distinct values, chi-squared for 3-5, Z for 1-2', () => {
    assert.equal(method(seq(1000, (i) => i % 6), seq(10, (i) => i % 6)).method, 'ks');
    assert.equal(method(seq(1000, (i) => i % 5), seq(10, (i) => i % 5)).method, 'chisquare');
    assert.equal(method(seq(300, (i) => i % 2), seq(10, (i) => i % 2)).method, 'z');
    assert.equal(method(cats(300, ['a', 'b', 'c']), cats(30, ['a', 'b'])).method, 'chisquare');
    assert.equal(method(cats(300, ['a', 'b']), cats(30, ['a'])).method, 'z');
  });

  it('larger references: Wasserstein for numerical above 5 distinct values, Jensen–Shannon otherwise', () => {
    assert.equal(method(seq(1001, (i) => i % 6), seq(10, (i) => i % 6)).method, 'wasserstein');
    assert.equal(method(seq(1001, (i) => i % 5), seq(10, (i) => i % 5)).method, 'jensenshannon');
    assert.equal(method(cats(2000, ['a', 'b', 'c', 'd', 'e', 'f', 'g']), cats(30, ['a'])).method, 'jensenshannon');
  });

  it('distinct values are counted over both sides after dropping missing values', () => {
    // 3 values in the reference + 3 others in the current = 6 > 5: KS
    const col = method(seq(100, (i) => i % 3), seq(30, (i) => 10 + (i % 3)));
    assert.equal(col.method, 'ks');
    const withNaN = method(Float64Array.from([1, 2, NaN, 3, Infinity, 4, 5, 6, -Infinity]), seq(10, (i) => i % 4));
    assert.equal(withNaN.method, 'ks');
    assert.equal(withNaN.referenceMissing, 3);
    assert.match(withNaN.message!, /dropped missing or infinite values: 3 in reference/);
  });
});

describe('driftReport', () => {
  const n = 400;
  const reference = {
    columns: {
      stable: seq(n, (i) => Math.sin(i * 1.1)),
      shifted: seq(n, (i) => Math.sin(i * 1.3)),
      city: cats(n, ['paris', 'rome', 'oslo']),
      flag: cats(n, ['yes', 'no']),
      gone: seq(n, (i) => i),
      empty: seq(n, () => NaN),
      mixed: seq(n, (i) => i % 7),
    },
  };
  const current = {
    columns: {
      stable: seq(300, (i) => Math.sin(i * 1.7)),
      shifted: seq(300, (i) => Math.sin(i * 1.9) + 0.8),
      city: cats(300, ['paris', 'rome', 'lima']),
      flag: cats(300, ['yes', 'yes', 'no']),
      fresh: seq(300, (i) => i),
      empty: seq(300, (i) => i),
      mixed: cats(300, ['a', 'b']),
    },
  };

  it('tests every column, explains every skip, and never puts NaN in a verdict', () => {
    const report = driftReport(reference, current);
    const by = Object.fromEntries(report.columns.map((c) => [c.column, c]));
    assert.equal(by.stable.drifted, false);
    assert.equal(by.shifted.drifted, true);
    assert.equal(by.city.method, 'chisquare');
    assert.equal(by.city.drifted, true);
    assert.deepEqual(by.city.unseenCategories, ['lima']);
    assert.match(by.city.message!, /absent from the reference: lima/);
    assert.equal(by.flag.method, 'z');
    assert.equal(by.gone.status, 'skipped');
    assert.match(by.gone.message!, /only in the reference/);
    assert.equal(by.fresh.status, 'skipped');
    assert.match(by.fresh.message!, /only in the current/);
    assert.equal(by.empty.status, 'skipped');
    assert.match(by.empty.message!, /no non-missing value in the reference/);
    assert.equal(by.mixed.status, 'ok', 'numbers vs strings are compared as categories (type from current)');
    assert.match(by.mixed.message!, /numbers on one side and text on the other/);
    for (const c of report.columns) {
      assert.equal(typeof c.drifted, 'boolean');
      if (c.status === 'ok') assert.ok(c.score !== null && !Number.isNaN(c.score), c.column);
      else assert.equal(c.drifted, false);
    }
    const tested = report.columns.filter((c) => c.status === 'ok');
    assert.equal(report.nColumns, tested.length);
    assert.equal(report.nDrifted, tested.filter((c) => c.drifted).length);
    assert.equal(report.shareDrifted, report.nDrifted / report.nColumns);
    assert.equal(report.drifted, report.shareDrifted >= 0.5);
    assert.equal(report.referenceRows, n);
  });

  it('a numerical column holding text on one side is skipped with a message', () => {
    const r = driftReport({ columns: { x: seq(50, (i) => i) } }, { columns: { x: cats(50, ['a', 'b']) } }, { columnTypes: { x: 'numerical' } });
    assert.equal(r.columns[0].status, 'skipped');
    assert.match(r.columns[0].message!, /numbers in the reference but text in the current/);
  });

  it('constant columns: Z-test p = 1 when both sides hold the same single value', () => {
    const r = driftReport({ columns: { c: seq(100, () => 7) } }, { columns: { c: seq(80, () => 7) } });
    assert.equal(r.columns[0].method, 'z');
    assert.equal(r.columns[0].score, 1);
    assert.equal(r.columns[0].drifted, false);
  });

  it('overrides: per column > per type > all, thresholds likewise, drift share compared with >=', () => {
    const r = driftReport(reference, current, {
      columns: ['stable', 'shifted', 'city'],
      method: 'psi',
      numericalMethod: 'ed',
      perColumnMethod: { shifted: 'anderson' },
      threshold: 0.5,
      perColumnThreshold: { city: 0.01 },
      driftShare: 1 / 3,
    });
    const by = Object.fromEntries(r.columns.map((c) => [c.column, c]));
    assert.equal(by.stable.method, 'ed');
    assert.equal(by.stable.threshold, 0.5);
    assert.equal(by.shifted.method, 'anderson');
    assert.equal(by.city.method, 'psi');
    assert.equal(by.city.threshold, 0.01);
    assert.equal(r.nColumns, 3);
    assert.equal(r.drifted, r.nDrifted >= 1);
    assert.throws(() => driftReport(reference, current, { method: 'nope' as never }), /unknown drift method 'nope'/);
    const notForCategories = driftReport(reference, current, { columns: ['city'], method: 'ks' });
    assert.equal(notForCategories.columns[0].status, 'skipped');
  });

  it('Bonferroni and Benjamini–Hochberg adjust p-value scores, keep raw p-values', () => {
    const ref = { columns: { a: seq(200, (i) => Math.sin(i)), b: seq(200, (i) => Math.cos(i)), c: seq(200, (i) => Math.sin(i * 3)) } };
    const cur = { columns: { a: seq(150, (i) => Math.sin(i * 2) + 0.25), b: seq(150, (i) => Math.cos(i * 2)), c: seq(150, (i) => Math.sin(i * 5) + 0.1) } };
    const plain = driftReport(ref, cur);
    const bonf = driftReport(ref, cur, { correction: 'bonferroni' });
    const bh = driftReport(ref, cur, { correction: 'benjamini-hochberg' });
    const raw = plain.columns.map((c) => c.pValue!);
    bonf.columns.forEach((c, i) => {
      assert.equal(c.pValue, raw[i]);
      assert.equal(c.score, Math.min(1, raw[i] * 3));
    });
    const order = raw.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
    // BH: adjusted(k) = min over j >= k of p(j) * m / j
    order.forEach(([, i], k) => {
      const expected = Math.min(1, ...order.slice(k).map(([p], j) => (p * 3) / (k + j + 1)));
      assert.ok(Math.abs(bh.columns[i].score! - expected) < 1e-15);
    });
    assert.ok(bh.nDrifted <= plain.nDrifted && bonf.nDrifted <= bh.nDrifted);
  });

  it('reference-quantile binning for PSI on numerical columns', () => {
    const evid = driftReport(reference, current, { columns: ['shifted'], method: 'psi' });
    const quant = driftReport(reference, current, { columns: ['shifted'], method: 'psi', binning: 'reference-quantiles', bins: 5 });
    assert.notEqual(evid.columns[0].score, quant.columns[0].score);
    assert.match(quant.columns[0].message!, /5 reference-quantile bins/);
    assert.equal(quant.columns[0].drifted, quant.columns[0].score! >= 0.1);
    assert.throws(() => driftReport(reference, current, { bins: 1 }), /bins must be an integer/);
  });

  it('reusing a reference across windows gives the same results as a fresh one', () => {
    const windows = [0, 0.3, 0.9].map((shift) => ({ columns: { shifted: seq(200, (i) => Math.sin(i * 1.9) + shift), city: cats(200, ['paris', 'oslo']) } }));
    const fresh = windows.map((w) => driftReport({ columns: { shifted: seq(n, (i) => Math.sin(i * 1.3)), city: cats(n, ['paris', 'rome', 'oslo']) } }, w));
    const shared = { columns: { shifted: seq(n, (i) => Math.sin(i * 1.3)), city: cats(n, ['paris', 'rome', 'oslo']) } };
    const reused = windows.map((w) => driftReport(shared, w));
    assert.deepEqual(reused, fresh);
    assert.deepEqual(reused.map((r) => r.columns[0].drifted), [false, true, true]);
  });

  it('histograms share bins across sides', () => {
    const r = driftReport(reference, current, { columns: ['shifted', 'city'] });
    const h = r.columns[0].histogram!;
    assert.equal(h.kind, 'numerical');
    if (h.kind === 'numerical') {
      assert.equal(h.edges.length, 11);
      assert.equal(h.reference.reduce((a, b) => a + b, 0), 400);
      assert.equal(h.current.reduce((a, b) => a + b, 0), 300);
    }
    const c = r.columns[1].histogram!;
    assert.equal(c.kind, 'categorical');
    if (c.kind === 'categorical') assert.deepEqual([...c.categories].sort(), ['lima', 'oslo', 'paris', 'rome']);
  });
});

describe('binning (numpy / Evidently rules)', () => {
  it('Sturges edges: ceil(ptp / (ptp / (log2 n + 1))) equal-width bins', () => {
    const edges = sturgesEdges(seq(100, (i) => i));
    assert.equal(edges.length, 9);
    assert.equal(edges[0], 0);
    assert.equal(edges[8], 99);
    assert.deepEqual(sturgesEdges(Float64Array.from([3, 3, 3])), [2.5, 3.5]);
  });

  it('histogram counts: half-open bins, last one closed', () => {
    assert.deepEqual(histogramCounts(Float64Array.from([0, 1, 1, 2, 3]), [0, 1, 2, 3]), [1, 2, 2]);
  });

  it('zero filling: min/1e6 when the smallest share is <= 1e-4, else 1e-4', () => {
    const a = Float64Array.from([0, 0.5, 0.5]);
    fillZeroes(a);
    assert.equal(a[0], 0.0001);
    const b = Float64Array.from([0, 0.00005, 0.99995]);
    fillZeroes(b);
    assert.equal(b[0], 0.00005 / 1e6);
  });
});

describe('robustness', () => {
  it('any method on odd inputs (tiny, constant, all-missing, infinite, mixed) never throws and never yields NaN', () => {
    let state = 7;
    const u = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const pick = <T>(a: readonly T[]) => a[Math.floor(u() * a.length)];
    const column = (n: number, kind: string) => {
      switch (kind) {
        case 'float':
          return Float64Array.from({ length: n }, () => (u() < 0.1 ? NaN : u() * 10));
        case 'int':
          return Array.from({ length: n }, () => Math.floor(u() * 5));
        case 'str':
          return Array.from({ length: n }, () => (u() < 0.1 ? null : pick(['a', 'b', 'c'])));
        case 'mixed':
          return Array.from({ length: n }, () => (u() < 0.5 ? pick(['a', 'b']) : Math.floor(u() * 3)));
        case 'nan':
          return Float64Array.from({ length: n }, () => NaN);
        case 'const':
          return Float64Array.from({ length: n }, () => 3);
        default:
          return Float64Array.from({ length: n }, () => (u() < 0.5 ? Infinity : -Infinity));
      }
    };
    const methods = [undefined, ...(Object.keys(DRIFT_METHODS) as DriftMethodName[])];
    let tested = 0;
    for (let i = 0; i < 400; i++) {
      const kind = pick(['float', 'float', 'int', 'str', 'mixed', 'nan', 'const', 'inf']);
      const nr = pick([1, 2, 3, 5, 20, 1200]);
      const nc = pick([1, 2, 4, 30]);
      const report = driftReport(
        { columns: { x: column(nr, kind), y: column(nr, kind) } },
        { columns: { x: column(nc, kind), y: column(nc, pick(['float', 'str'])) } },
        { method: pick(methods), correction: pick(['none', 'bonferroni', 'benjamini-hochberg'] as const) },
      );
      for (const c of report.columns) {
        assert.equal(typeof c.drifted, 'boolean');
        if (c.status === 'skipped') {
          assert.ok(c.message && !c.drifted);
          continue;
        }
        tested++;
        assert.ok(c.score !== null && !Number.isNaN(c.score), JSON.stringify(c));
      }
      assert.ok(!Number.isNaN(report.shareDrifted));
    }
    assert.ok(tested > 100, `tested ${tested}`);
  });
});
