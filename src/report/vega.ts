/**
 * The report's Vega plumbing: a figure's shape, the shared Vega-Lite base (schema, fonts, axes),
 * SVG rendering by Vega in Node, and small helpers every figure uses (src/report/figures/*.ts).
 */
import type { TopLevelSpec } from 'vega-lite';

/** One figure of the report: its spec and SVG, or the reason it was not drawn. */
export interface Figure {
  /** File stem, e.g. `fig2-layer-skip`. */
  id: string;
  /** Figure number as printed, e.g. `1a`. */
  number: string;
  title: string;
  /** What the figure shows, how it was computed (plain text). */
  caption: string;
  /** The Vega-Lite specification, or null when the figure was skipped. */
  spec: TopLevelSpec | null;
  /** Rendered SVG, or null when skipped. */
  svg: string | null;
  /** Why the figure was skipped. */
  note?: string;
}

export const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function fmtP(p: number | null): string {
  if (p === null) return '—';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function fmtR(r: number | null): string {
  return r === null ? 'undefined' : r.toFixed(3);
}

const BASE_CONFIG = {
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  title: { anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444', offset: 8 },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', grid: true, gridColor: '#eee' },
  header: { labelFontSize: 11, titleFontSize: 11 },
  legend: { labelFontSize: 10, titleFontSize: 11, symbolOpacity: 1 },
  view: { stroke: '#ccc' },
} as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export function withBase(spec: Record<string, unknown>): TopLevelSpec {
  return { $schema: SCHEMA, config: BASE_CONFIG, ...spec } as unknown as TopLevelSpec;
}

/**
 * Vega and Vega-Lite, loaded on first use: Vega's canvas probe uses top-level await, which would
 * make this module (and `ricciflow/report`) impossible to `require()` if they were imported statically.
 */
let vegaModules: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** Compiles a Vega-Lite spec with Vega and renders it to an SVG string (headless, no DOM). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await (vegaModules ??= Promise.all([import('vega'), import('vega-lite')]));
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  view.logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A layer whose encoding is all constants (`datum`) draws one mark per data row: reference rules
 * get a data set of one row, or, inside a facet (where layers share the facet's data), keep only
 * the row flagged `first` of each panel (see {@link flagFirst}).
 */
export const ONE_ROW = { values: [{}] };
export const FIRST_OF_PANEL = [{ filter: 'datum.first === true' }];

/** Flags the first row of each value of `key` with `first: true` (one reference mark per panel). */
export function flagFirst<T extends Record<string, unknown>>(rows: T[], key: keyof T): Array<T & { first: boolean }> {
  const seen = new Set<unknown>();
  return rows.map((r) => {
    const first = !seen.has(r[key]);
    seen.add(r[key]);
    return { ...r, first };
  });
}

/**
 * A figure with one column panel per dataset (each row has `dataset`), every panel 220 px wide and
 * `height` high and drawing `layer`; the first row of each dataset is flagged for
 * {@link FIRST_OF_PANEL} reference marks.
 */
export function datasetPanels<T extends { dataset: string }>(title: Record<string, unknown>, rows: T[], height: number, layer: unknown[]): TopLevelSpec {
  return withBase({
    title,
    data: { values: flagFirst(rows, 'dataset') },
    facet: { column: { field: 'dataset', type: 'nominal', title: 'dataset' } },
    spec: { width: 220, height, layer },
  });
}

export function skipped(id: string, number: string, title: string, note: string): Figure {
  return { id, number, title, caption: '', spec: null, svg: null, note };
}
