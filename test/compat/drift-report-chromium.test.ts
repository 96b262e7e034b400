import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writeCsv, writeParquet, type DataTable } from '../../src/data/index.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pharos-drift-html-'));
const CHROMIUM = process.env.PHAROS_CHROMIUM ?? '/usr/bin/chromium';

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** 3,000 rows: `income` and `plan` move in the current data, `age` and `region` do not. */
function table(shifted: boolean, seed: number): DataTable {
  const u = seeded(seed);
  const n = 3000;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const age = new Float64Array(n);
  const income = new Float64Array(n);
  const region: string[] = [];
  const plan: string[] = [];
  for (let i = 0; i < n; i++) {
    age[i] = 40 + 12 * normal();
    income[i] = 50_000 + 15_000 * normal() + (shifted ? 20_000 : 0);
    region.push(['north', 'south', 'east', 'west'][Math.floor(u() * 4)]);
    const r = u();
    plan.push(shifted ? (r < 0.6 ? 'premium' : r < 0.8 ? 'basic' : 'free') : r < 0.2 ? 'premium' : r < 0.6 ? 'basic' : 'free');
  }
  return {
    rowCount: n,
    columns: new Map([
      ['age', { kind: 'numerical', values: age }],
      ['income', { kind: 'numerical', values: income }],
      ['region', { kind: 'categorical', values: region }],
      ['plan', { kind: 'categorical', values: plan }],
    ]),
  };
}

/** The bit of SVGGraphicsElement used here (the project's TS lib has no DOM types). */
type Graphic = { getBBox(): { x: number; width: number; height: number } };

let browser: Browser | undefined;
const reference = join(dir, 'reference.parquet');
const current = join(dir, 'current.csv');
const html = join(dir, 'report.html');

before(async () => {
  await writeParquet(reference, table(false, 1));
  await writeCsv(current, table(true, 2));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'drift', '--reference', reference, '--current', current, '--html', html], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /HTML report: /);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
});

test('the HTML report renders in Chromium offline: verdicts, one plot per column, SVG paths, no requests', async () => {
  assert.ok(existsSync(html) && statSync(html).size > 1000);
  const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(html).href;
  await page.goto(url, { waitUntil: 'load' });

  assert.equal(await page.title(), 'Data drift report');
  assert.equal((await page.locator('#dataset-verdict .value').textContent())?.trim(), 'Dataset drift detected'); // 2 of 4 >= the 0.5 drift share
  assert.equal((await page.locator('#drifted-count').textContent())?.trim(), '2 / 4');
  const verdicts = await page.locator('section.column').evaluateAll((sections) =>
    Object.fromEntries(sections.map((s) => [s.getAttribute('data-column'), s.getAttribute('data-verdict')])),
  );
  assert.deepEqual(verdicts, { age: 'no drift', income: 'drift', region: 'no drift', plan: 'drift' });
  assert.deepEqual(await page.locator('section.column.drift .badge').allTextContents(), ['Drift detected', 'Drift detected']);
  assert.equal(await page.locator('#summary-table tbody tr').count(), 4);

  // one plot per column, each drawn (non-zero box) with a reference and a current series of bars
  const plots = page.locator('svg.plot');
  assert.equal(await plots.count(), 4);
  for (let i = 0; i < 4; i++) {
    const box = await plots.nth(i).boundingBox();
    assert.ok(box && box.width > 100 && box.height > 50, `plot ${i} is laid out`);
    const series = await plots.nth(i).locator('path.bars').evaluateAll((paths) => paths.map((p) => (p as unknown as Graphic).getBBox().height));
    assert.equal(series.length, 2);
    assert.ok(series.every((h) => h > 10), `plot ${i}: both series have visible bars (${series})`);
  }
  // the income plot: the current bars sit to the right of the reference ones
  // (no named helper inside evaluate: tsx would wrap it in a __name() call the page does not have)
  const shift = await page.locator('section[data-column="income"] svg.plot').evaluate((svg) =>
    ['current', 'reference']
      .map((cls) => (svg.querySelector(`path.${cls}`) as unknown as Graphic).getBBox())
      .map((b) => b.x + b.width / 2)
      .reduce((cur, ref) => cur - ref),
  );
  assert.ok(shift > 0, `current distribution drawn to the right (${shift})`);

  assert.deepEqual(requests, [url], 'the only request is the report file itself');
  const screenshot = join(dir, 'drift-report.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  assert.ok(readFileSync(screenshot).subarray(1, 4).toString() === 'PNG');
  process.stderr.write(`drift report screenshot: ${screenshot}\n`);
  await page.close();
});
