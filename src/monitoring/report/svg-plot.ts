import type { DriftHistogram } from '../drift/types.ts';

/**
 * Overlaid reference/current distribution plots as inline SVG: no scripts, fonts or network, so a
 * report opens from a mail attachment or an air-gapped machine. Heights are shares of each side's
 * rows (not counts), so a 10k-row current window compares fairly with a 1M-row reference.
 */

const WIDTH = 560;
const HEIGHT = 200;
const MARGIN = { left: 48, right: 12, top: 12, bottom: 44 };
export const REFERENCE_COLOR = '#4c78a8';
export const CURRENT_COLOR = '#f58518';
const MAX_CATEGORIES = 20;

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** Short tick labels: 3 significant digits, exponent form for very large or small magnitudes. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

function frame(body: string, label: string, yMax: number, xLabels: string): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  const yTicks = [0, 0.5, 1].map((f) => {
    const y = plotBottom - f * (plotBottom - MARGIN.top);
    return `<line x1="${MARGIN.left - 4}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" class="grid"/>` +
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end" class="tick">${(yMax * f * 100).toFixed(yMax * f * 100 < 10 && f > 0 ? 1 : 0)}%</text>`;
  }).join('');
  return `<svg class="plot" role="img" aria-label="${escapeXml(label)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeXml(label)}</title>${yTicks}${body}` +
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${plotBottom}" y2="${plotBottom}" class="axis"/>${xLabels}` +
    `<g class="legend" transform="translate(${WIDTH - MARGIN.right - 190},${HEIGHT - 12})">` +
    `<rect width="10" height="10" y="-9" fill="${REFERENCE_COLOR}" fill-opacity="0.6"/><text x="14" y="0" class="tick">reference</text>` +
    `<rect x="90" width="10" height="10" y="-9" fill="${CURRENT_COLOR}" fill-opacity="0.6"/><text x="104" y="0" class="tick">current</text></g>` +
    `</svg>`;
}

/** One path of rectangles per side, drawn over each other with transparency. */
function barsPath(values: readonly number[], x: (i: number) => number, width: number, yScale: (v: number) => number): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  let d = '';
  values.forEach((v, i) => {
    if (v <= 0) return;
    const top = yScale(v);
    d += `M${x(i).toFixed(2)} ${plotBottom}V${top.toFixed(2)}h${width.toFixed(2)}V${plotBottom}Z`;
  });
  return d || `M${MARGIN.left} ${plotBottom}h0`;
}

export function histogramSvg(column: string, histogram: DriftHistogram): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  let categories: string[] | undefined;
  let reference: number[];
  let current: number[];
  if (histogram.kind === 'categorical') {
    // keep the most frequent categories (by either side) so a high-cardinality column stays legible
    const ref = shares(histogram.reference);
    const cur = shares(histogram.current);
    const order = histogram.categories.map((_, i) => i).sort((a, b) => Math.max(ref[b], cur[b]) - Math.max(ref[a], cur[a]));
    const kept = order.slice(0, MAX_CATEGORIES).sort((a, b) => a - b);
    categories = kept.map((i) => histogram.categories[i]);
    reference = kept.map((i) => ref[i]);
    current = kept.map((i) => cur[i]);
    if (order.length > MAX_CATEGORIES) {
      categories.push(`other (${order.length - MAX_CATEGORIES})`);
      reference.push(1 - reference.reduce((a, b) => a + b, 0));
      current.push(1 - current.reduce((a, b) => a + b, 0));
    }
  } else {
    reference = shares(histogram.reference);
    current = shares(histogram.current);
  }
  const bins = reference.length;
  const yMax = Math.max(1e-12, ...reference, ...current);
  const yScale = (v: number) => plotBottom - (v / yMax) * (plotBottom - MARGIN.top);
  const slot = plotWidth / Math.max(1, bins);
  let body: string;
  let xLabels: string;
  if (categories) {
    // side by side within each category slot: overlap would hide which side is which
    const w = slot * 0.4;
    body = `<path class="bars reference" d="${barsPath(reference, (i) => MARGIN.left + i * slot + slot * 0.1, w, yScale)}" fill="${REFERENCE_COLOR}" fill-opacity="0.75"/>` +
      `<path class="bars current" d="${barsPath(current, (i) => MARGIN.left + i * slot + slot * 0.5, w, yScale)}" fill="${CURRENT_COLOR}" fill-opacity="0.75"/>`;
    xLabels = categories.map((c, i) => {
      const text = c.length > 10 ? c.slice(0, 9) + '…' : c;
      return `<text x="${(MARGIN.left + (i + 0.5) * slot).toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle" class="tick">${escapeXml(text)}</text>`;
    }).join('');
  } else {
    const edges = (histogram as { edges: number[] }).edges;
    body = `<path class="bars reference" d="${barsPath(reference, (i) => MARGIN.left + i * slot, slot, yScale)}" fill="${REFERENCE_COLOR}" fill-opacity="0.55"/>` +
      `<path class="bars current" d="${barsPath(current, (i) => MARGIN.left + i * slot, slot, yScale)}" fill="${CURRENT_COLOR}" fill-opacity="0.55"/>`;
    const tickEvery = Math.max(1, Math.ceil(edges.length / 6));
    xLabels = edges.map((e, i) => (i % tickEvery === 0 || i === edges.length - 1
      ? `<text x="${(MARGIN.left + i * slot).toFixed(1)}" y="${plotBottom + 14}" text-anchor="${i === 0 ? 'start' : i === edges.length - 1 ? 'end' : 'middle'}" class="tick">${escapeXml(formatTick(e))}</text>`
      : '')).join('');
  }
  return frame(body, `${column}: reference vs current distribution`, yMax, xLabels);
}
