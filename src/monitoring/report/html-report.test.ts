import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DriftReport } from '../drift/types.ts';
import { renderDriftReportHtml } from './html-report.ts';

const report: DriftReport = {
  columns: [
    {
      column: 'age', type: 'numerical', method: 'ks', methodLabel: 'K-S p_value', score: 1e-12, statistic: 0.31, pValue: 1e-12,
      threshold: 0.05, drifted: true, status: 'ok', referenceCount: 1000, currentCount: 800, referenceMissing: 0, currentMissing: 3,
      histogram: { kind: 'numerical', edges: [0, 10, 20, 30], reference: [500, 400, 100], current: [100, 300, 400] },
    },
    {
      column: 'city <script>', type: 'categorical', method: 'chisquare', methodLabel: 'chi-square p_value', score: 0.4, statistic: 1.8,
      pValue: 0.4, threshold: 0.05, drifted: false, status: 'ok', referenceCount: 1000, currentCount: 800, referenceMissing: 0, currentMissing: 0,
      unseenCategories: ['Lyon'],
      histogram: { kind: 'categorical', categories: ['Oslo', 'Paris', 'Lyon'], reference: [600, 400, 0], current: [420, 370, 10] },
    },
    {
      column: 'empty', type: 'numerical', method: 'ks', methodLabel: 'K-S p_value', score: null, statistic: null, threshold: 0.05,
      drifted: false, status: 'skipped', message: 'no values in current', referenceCount: 1000, currentCount: 0, referenceMissing: 0, currentMissing: 800,
    },
  ],
  nColumns: 2, nDrifted: 1, shareDrifted: 0.5, drifted: true, driftShare: 0.5, correction: 'none', referenceRows: 1000, currentRows: 800,
};

test('the report is one self-contained page: verdicts, summary, one SVG plot per plotted column, escaped names', () => {
  const html = renderDriftReportHtml(report, { referenceName: 'ref.parquet', currentName: 'cur.csv', generatedAt: new Date('2026-01-02T03:04:05Z') });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /Dataset drift detected/);
  assert.match(html, /1 \/ 2/);
  assert.match(html, /generated 2026-01-02 03:04:05 UTC/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.equal((html.match(/<path class="bars (reference|current)"/g) ?? []).length, 4);
  assert.match(html, /data-column="age" data-verdict="drift"/);
  assert.match(html, /data-verdict="no drift"/);
  assert.match(html, /data-verdict="skipped"/);
  assert.match(html, /no values in current/);
  assert.ok(!html.includes('<script'), 'no script tags, and the hostile column name is escaped');
  assert.match(html, /city &#60;script&#62;/);
  assert.ok(!/(src|href)="(https?:)?\/\//.test(html), 'no external resources');
  assert.ok(!/@import|url\(/.test(html), 'no CSS fetches');
});
