/**
 * Synthetic reference/current pair for the drift benchmark: 40 numerical + 10 categorical columns,
 * seeded, with known shifts in some columns, written to Parquet.
 *   node --import tsx bench/drift/generate.ts --rows 100000 --out /tmp/drift-bench --seed 42
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeParquet, type DataColumn, type DataTable } from '../../src/data/index.ts';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, out: { type: 'string', default: '/tmp/pharos-drift-bench' }, seed: { type: 'string', default: '42' } },
});
const rows = Number(args.rows);
mkdirSync(args.out!, { recursive: true });

function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Column specs: what the numbers look like, and how the current side is moved (in reference SDs). */
interface NumericSpec { name: string; shape: 'normal' | 'lognormal' | 'uniform' | 'exponential'; shift: number; scale: number }
const numeric: NumericSpec[] = Array.from({ length: 40 }, (_, i) => ({
  name: `num_${String(i).padStart(2, '0')}`,
  shape: (['normal', 'lognormal', 'uniform', 'exponential'] as const)[i % 4],
  // num_00..num_07 clearly shifted, num_08..num_11 slightly (near the 0.1 Wasserstein threshold), rest unchanged
  shift: i < 8 ? 0.25 + 0.1 * i : i < 12 ? 0.06 + 0.02 * (i - 8) : 0,
  scale: i === 3 || i === 6 ? 1.5 : 1,
}));
interface CategoricalSpec { name: string; categories: string[]; reference: number[]; current: number[] }
const categorical: CategoricalSpec[] = Array.from({ length: 10 }, (_, i) => {
  const k = 2 + i; // 2 .. 11 categories
  const categories = Array.from({ length: k }, (_, j) => `c${i}_${String.fromCharCode(97 + j)}`);
  const reference = categories.map((_, j) => 1 / (j + 1));
  const current = reference.map((p, j) => (i < 3 ? p * (j === 0 ? 0.5 + 0.1 * i : 1) : i === 3 ? p * (j === k - 1 ? 1.15 : 1) : p));
  return { name: `cat_${i}`, categories, reference, current };
});

function table(side: 'reference' | 'current', seed: number): DataTable {
  const { uniform, normal } = rng(seed);
  const columns = new Map<string, DataColumn>();
  for (const spec of numeric) {
    const values = new Float64Array(rows);
    const sd = spec.shape === 'normal' ? 1 : spec.shape === 'lognormal' ? Math.sqrt((Math.E - 1) * Math.E) : spec.shape === 'uniform' ? Math.sqrt(1 / 12) : 1;
    for (let r = 0; r < rows; r++) {
      let v = spec.shape === 'normal' ? normal() : spec.shape === 'lognormal' ? Math.exp(normal()) : spec.shape === 'uniform' ? uniform() : -Math.log(uniform());
      if (side === 'current') v = v * spec.scale + spec.shift * sd;
      values[r] = uniform() < 0.01 ? NaN : v; // 1% missing
    }
    columns.set(spec.name, { kind: 'numerical', values });
  }
  for (const spec of categorical) {
    const weights = side === 'reference' ? spec.reference : spec.current;
    const total = weights.reduce((a, b) => a + b, 0);
    const cumulative = weights.map(((s) => (w: number) => (s += w / total))(0));
    const values: Array<string | null> = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const u = uniform();
      let j = 0;
      while (j < cumulative.length - 1 && u > cumulative[j]) j++;
      values[r] = uniform() < 0.005 ? null : spec.categories[j];
    }
    columns.set(spec.name, { kind: 'categorical', values });
  }
  return { rowCount: rows, columns };
}

const seed = Number(args.seed);
await writeParquet(join(args.out!, 'reference.parquet'), table('reference', seed));
await writeParquet(join(args.out!, 'current.parquet'), table('current', seed + 1));
process.stdout.write(JSON.stringify({
  rows,
  numerical: numeric.map((s) => s.name),
  categorical: categorical.map((s) => s.name),
  reference: join(args.out!, 'reference.parquet'),
  current: join(args.out!, 'current.parquet'),
}) + '\n');
