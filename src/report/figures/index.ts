/**
 * The report's figures (docs/report.md) as Vega-Lite specifications, compiled by Vega to SVG in Node;
 * one file per figure:
 *
 * 1a/1b ./layer-boxplots.ts      per layer, boxplots of the geodesic change from the prior layer
 *                                and of the total curvature (the seed paper's panels);
 * 2     ./layer-skip.ts          Ric_{l−1} against the geodesic change l−1 → l, with the pooled
 *                                correlation (docs/method.md §5, seed R `aa2`);
 * 3     ./accuracy.ts            ρ and z against test accuracy, with the well-trained threshold;
 * 4a    ./local.ts               distribution of local ρ(x) with the share below zero;
 * 4b    ./layer-coefficients.ts  layer coefficients r_l against depth;
 * 5     ./k-sensitivity.ts       ρ against k per dataset (when several k were analysed);
 * 6     ./projection.ts          3-D data: the test points at the input and the last hidden layer,
 *                                as the record stores them (`projection`: the report never trains);
 * 7     ./trajectory.ts          geometry-aware training trajectories (when records carry them).
 *
 * Every figure uses one curvature and one k (the report's "primary" k, as `ricciflow stats`:
 * ../selection.ts) except 5. The Vega plumbing is ../vega.ts.
 */
import type { NetworkRecord } from '../../study/types.js';
import { resolveSelection, type FigureOptions, type ReportSelection } from '../selection.js';
import { renderSvg, type Figure } from '../vega.js';
import { accuracyScatter } from './accuracy.js';
import { kSensitivity } from './k-sensitivity.js';
import { layerBoxplots } from './layer-boxplots.js';
import { layerCoefficients } from './layer-coefficients.js';
import { layerSkip } from './layer-skip.js';
import { localDistribution } from './local.js';
import { projectionFigure } from './projection.js';
import { trajectoryFigure } from './trajectory.js';

export { layerSkipPairs, type LayerSkipRow } from './layer-skip.js';
export { renderSvg, type Figure } from '../vega.js';
export {
  resolveSelection,
  DEFAULT_ACCURACY_THRESHOLD,
  type FigureOptions,
  type ReportSelection,
} from '../selection.js';

/**
 * Builds and renders every figure of a results directory's records. Figures that cannot be drawn
 * (no data of the kind they need) come back with `svg: null` and a `note`.
 */
export async function buildFigures(records: readonly NetworkRecord[], options: FigureOptions = {}): Promise<{ figures: Figure[]; selection: ReportSelection }> {
  const ok = records.filter((r) => r.status === 'ok');
  const sel = resolveSelection(records, options);
  const figures: Figure[] = [
    ...layerBoxplots(ok, sel),
    layerSkip(ok, sel),
    accuracyScatter(ok, sel),
    localDistribution(ok, sel),
    layerCoefficients(ok, sel),
    kSensitivity(ok, sel),
  ];
  figures.push(projectionFigure(ok, options));
  figures.push(trajectoryFigure(ok));
  for (const f of figures) if (f.spec) f.svg = await renderSvg(f.spec);
  return { figures, selection: sel };
}
