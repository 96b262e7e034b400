/** Self-contained HTML drift reports (inline CSS and SVG; nothing fetched when opened). */
export { renderDriftReportHtml, formatNumber, verdictOf, type HtmlReportOptions } from './html-report.ts';
export { histogramSvg } from './svg-plot.ts';
