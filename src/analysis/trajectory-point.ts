/**
 * One point of a network's geometry trajectory during training (the shape of a record's
 * `trajectory` entries): measured by train/trajectory.ts, stored by study/, drawn by the report.
 * It lives here, with the analysis it summarises, so that readers of records need no train/ code.
 */
export interface TrajectoryPoint {
  epoch: number;
  /** Mean local ρ(x) on the probe set (null where undefined). */
  localMean: number | null;
  /** Layer coefficients r_l. */
  layer: (number | null)[];
  /** The epoch's training accuracy (as reported by the epoch). */
  trainAccuracy: number;
  /** Share of probe rows classified right (when the probe has labels). */
  testAccuracy?: number;
}
