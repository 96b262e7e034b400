import type { ColumnDrift, DriftReport } from '../drift/types.ts';
import { CURRENT_COLOR, histogramSvg, REFERENCE_COLOR } from './svg-plot.ts';

export interface HtmlReportOptions {
  title?: string;
  /** Where the data came from, shown in the header (e.g. file names). */
  referenceName?: string;
  currentName?: string;
  /** Fixed for reproducible output in tests; default now. */
  generatedAt?: Date;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e7)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function verdictOf(c: ColumnDrift): 'drift' | 'no drift' | 'skipped' {
  return c.status === 'skipped' ? 'skipped' : c.drifted ? 'drift' : 'no drift';
}

const anchor = (column: string) => `col-${encodeURIComponent(column).replace(/%/g, '_')}`;

function columnSection(c: ColumnDrift): string {
  const verdict = verdictOf(c);
  const detail: Array<[string, string]> = [
    ['type', c.type],
    ['method', `${c.methodLabel} (${c.method})`],
    ['drift score', formatNumber(c.score)],
    ['statistic', formatNumber(c.statistic)],
    ...(c.pValue !== undefined ? [['p-value', formatNumber(c.pValue)] as [string, string]] : []),
    ['threshold', formatNumber(c.threshold)],
    ['rows (ref / cur)', `${c.referenceCount.toLocaleString('en-US')} / ${c.currentCount.toLocaleString('en-US')}`],
    ['missing (ref / cur)', `${c.referenceMissing.toLocaleString('en-US')} / ${c.currentMissing.toLocaleString('en-US')}`],
  ];
  if (c.unseenCategories?.length) detail.push(['new categories', c.unseenCategories.slice(0, 10).join(', ') + (c.unseenCategories.length > 10 ? ` … (${c.unseenCategories.length})` : '')]);
  return `<section class="column ${verdict.replace(' ', '-')}" id="${anchor(c.column)}" data-column="${escapeHtml(c.column)}" data-verdict="${verdict}">
<h3>${escapeHtml(c.column)} <span class="badge ${verdict.replace(' ', '-')}">${verdict === 'drift' ? 'Drift detected' : verdict === 'skipped' ? 'Skipped' : 'No drift'}</span></h3>
<div class="column-body"><dl>${detail.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${c.histogram ? `<figure>${histogramSvg(c.column, c.histogram)}</figure>` : '<p class="no-plot">no distribution to plot</p>'}</div>
${c.message ? `<p class="message">${escapeHtml(c.message)}</p>` : ''}
</section>`;
}

/**
 * A drift report as one self-contained HTML page: inline CSS and inline SVG plots, no scripts,
 * no fonts, no external requests, so it can be archived, mailed and opened offline.
 */
export function renderDriftReportHtml(report: DriftReport, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Data drift report';
  const generated = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const datasetVerdict = report.drifted ? 'Dataset drift detected' : 'No dataset drift';
  const rows = report.columns.map((c) => {
    const verdict = verdictOf(c);
    return `<tr class="${verdict.replace(' ', '-')}"><td><a href="#${anchor(c.column)}">${escapeHtml(c.column)}</a></td><td>${c.type}</td><td>${escapeHtml(c.methodLabel)}</td>` +
      `<td class="num">${formatNumber(c.score)}</td><td class="num">${formatNumber(c.threshold)}</td><td><span class="badge ${verdict.replace(' ', '-')}">${verdict}</span></td></tr>`;
  }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid #d0d7de; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { color: #57606a; font-size: 13px; }
.summary { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 16px; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 16px; background: #fff; min-width: 140px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { font-size: 12px; color: #57606a; }
.card.verdict.drift { border-color: #cf222e; color: #cf222e; }
.card.verdict.no-drift { border-color: #1a7f37; color: #1a7f37; }
main { padding: 16px 32px 48px; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #d8dee4; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.drift { background: #ffebe9; color: #cf222e; }
.badge.no-drift { background: #dafbe1; color: #1a7f37; }
.badge.skipped { background: #eaeef2; color: #57606a; }
section.column { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; margin: 16px 0; padding: 8px 16px; }
section.column.drift { border-left: 4px solid #cf222e; }
section.column h3 { margin: 6px 0 8px; font-size: 16px; }
.column-body { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
dl { display: grid; grid-template-columns: max-content auto; gap: 3px 12px; margin: 0; font-size: 13px; min-width: 260px; }
dt { color: #57606a; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
svg.plot .grid { stroke: #eaeef2; }
svg.plot .axis { stroke: #57606a; }
svg.plot .tick { font-size: 10px; fill: #57606a; }
.message { font-size: 13px; color: #9a6700; }
.legend-key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="meta">reference: ${escapeHtml(options.referenceName ?? 'reference')} (${report.referenceRows.toLocaleString('en-US')} rows) · current: ${escapeHtml(options.currentName ?? 'current')} (${report.currentRows.toLocaleString('en-US')} rows) · generated ${generated}</div>
<div class="summary">
<div class="card verdict ${report.drifted ? 'drift' : 'no-drift'}" id="dataset-verdict"><div class="value">${datasetVerdict}</div><div class="label">dataset drifts when ≥ ${formatNumber(report.driftShare * 100)}% of columns drift</div></div>
<div class="card"><div class="value" id="drifted-count">${report.nDrifted} / ${report.nColumns}</div><div class="label">columns drifted</div></div>
<div class="card"><div class="value">${formatNumber(report.shareDrifted * 100)}%</div><div class="label">share of drifted columns</div></div>
${report.correction !== 'none' ? `<div class="card"><div class="value">${escapeHtml(report.correction)}</div><div class="label">multiple-testing correction</div></div>` : ''}
</div>
</header>
<main>
<h2>Columns</h2>
<table id="summary-table"><thead><tr><th>column</th><th>type</th><th>method</th><th class="num">drift score</th><th class="num">threshold</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="meta"><span class="legend-key" style="background:${REFERENCE_COLOR}"></span>reference <span class="legend-key" style="background:${CURRENT_COLOR}"></span>current — bar heights are each side's share of rows</p>
${report.columns.map(columnSection).join('\n')}
</main>
</body>
</html>
`;
}
