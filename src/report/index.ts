/**
 * `ricciflow/report`: the HTML report and its figures as a library (docs/report.md).
 * Vega is loaded only when a figure is rendered, so this module can also be `require()`d.
 *
 * @module ricciflow/report
 */
export { writeReport, type ReportOptions } from './write.js';
export {
  buildFigures,
  renderSvg,
  resolveSelection,
  layerSkipPairs,
  DEFAULT_ACCURACY_THRESHOLD,
  type Figure,
  type FigureOptions,
  type ReportSelection,
  type LayerSkipRow,
} from './figures/index.js';
export { renderHtml, networkDepths, depthByArchitecture, type ReportInput, type NetworkDepth } from './html.js';
export {
  depthDiagnostic,
  summariseDepth,
  DEFAULT_DEPTH_THRESHOLD,
  type DepthDiagnostic,
  type DepthSummaryRow,
} from './depth.js';
// The k / curvature / threshold choice the report shares with `ricciflow stats` (FigureOptions, ReportSelection).
export type { ResultsSelection, SelectionOptions } from '../study/results.js';
// The reproduction table a report can carry (ReportInput, ReportOptions).
export type { PaperName, ReproductionPartSummary, ReproductionRow, ReproductionTable } from '../study/reproduce-plan.js';
