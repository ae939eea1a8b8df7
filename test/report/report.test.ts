/**
 * The report (issue E): pure parts (depth diagnostic, PCA, SVG id namespacing) and, in a real
 * headless Chromium, the page `ricciflow run` writes for a tiny grid: no console errors, no request
 * leaving the file, every figure drawn with data marks, a screenshot kept as
 * test/artifacts/report.png. The browser part needs Debian's chromium at /usr/bin/chromium
 * (.ci/run installs it) and is skipped, saying so, without it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { depthDiagnostic, summariseDepth } from '../../src/report/depth.js';
import { namespaceSvgIds } from '../../src/report/html.js';
import { obliqueProject, pca, symmetricEigen } from '../../src/analysis/projection.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/report.test.ts: browser tests skipped, ${CHROMIUM} is missing (apt-get install chromium; .ci/run does).`);

describe('depth diagnostic', () => {
  it('finds where the first strongly negative run ends', () => {
    // L = 7 layers, transitions 0..5: run 0→1→2 (r_0, r_1 ≤ −0.2), then r_2 > −0.2.
    const d = depthDiagnostic([-0.5, -0.3, -0.1, -0.4, 0.2, 0.1]);
    expect(d).toEqual({ status: 'stops', runStart: 0, runLength: 2, stopLayer: 2, excessHidden: 3, layers: 7 });
  });
  it('a run may start later; null breaks it; the threshold is inclusive', () => {
    expect(depthDiagnostic([0.1, -0.2, -0.25, null, -0.9, 0])).toMatchObject({ status: 'stops', runStart: 1, runLength: 2, stopLayer: 3, excessHidden: 2 });
    expect(depthDiagnostic([0.1, -0.19, 0.3], -0.2)).toMatchObject({ status: 'no-run', stopLayer: null, excessHidden: null });
    expect(depthDiagnostic([0.1, -0.19, 0.3], -0.1)).toMatchObject({ status: 'stops', stopLayer: 2, excessHidden: 0 });
  });
  it('a run reaching the output never stops', () => {
    expect(depthDiagnostic([0, -0.3, -0.3])).toMatchObject({ status: 'never-stops', runStart: 1, stopLayer: 3, excessHidden: 0, layers: 4 });
  });
  it('summarises per group', () => {
    const rs = [[-0.5, 0.1, 0.1], [-0.5, -0.5, 0.1], [0.1, 0.1, 0.1]];
    const s = summariseDepth('narrow-2', rs.map((r) => ({ r, diagnostic: depthDiagnostic(r) })));
    expect(s).toMatchObject({ group: 'narrow-2', networks: 3, stops: 2, neverStops: 0, noRun: 1, medianStopLayer: 1.5, meanStopLayer: 1.5, meanExcessHidden: 0.5 });
    expect(s.meanR.map((v) => Number(v!.toFixed(6)))).toEqual([-0.3, -0.1, 0.1]);
  });
});

describe('projection', () => {
  it('symmetricEigen diagonalises a symmetric matrix', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 1]);
    const { values, vectors } = symmetricEigen(a, 3);
    expect(values[0]).toBeGreaterThanOrEqual(values[1]!);
    expect(values[1]).toBeGreaterThanOrEqual(values[2]!);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(8, 10); // trace
    for (let c = 0; c < 3; c++) {
      const v = vectors[c]!;
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let j = 0; j < 3; j++) av += a[i * 3 + j]! * v[j]!;
        expect(av).toBeCloseTo(values[c]! * v[i]!, 9);
      }
    }
  });
  it('pca finds the direction of largest spread', () => {
    // Points along (1, 2, 0, 0)/√5 with a little spread along the 3rd axis.
    const n = 50, d = 4, x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const t = i - 25;
      x[i * d] = t;
      x[i * d + 1] = 2 * t;
      x[i * d + 2] = (i % 2) * 0.5;
    }
    const p = pca(x, n, d);
    expect(Math.abs(p.vectors[0]![0]!)).toBeCloseTo(1 / Math.sqrt(5), 6);
    expect(Math.abs(p.vectors[0]![1]!)).toBeCloseTo(2 / Math.sqrt(5), 6);
    expect(p.explained[0]).toBeGreaterThan(0.99);
    expect(p.explained[3]).toBeCloseTo(0, 9);
  });
  it('the oblique projection keeps the cloud within [−√3, √3] and is deterministic', () => {
    const pts = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, -2, -2, -2]);
    const a = obliqueProject(pts, 4), b = obliqueProject(pts, 4);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    for (let i = 0; i < 4; i++) expect(Math.hypot(a.x[i]!, a.y[i]!, a.depth[i]!)).toBeLessThanOrEqual(Math.sqrt(3) + 1e-12);
    expect(a.scale).toBe(0.5);
  });
});

/** Modules src/report/ loads at run time (type-only imports are erased), following relative imports. */
function runtimeClosure(dir: string): Set<string> {
  const files = (d: string): string[] =>
    readdirSync(join(root, d), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${d}/${e.name}`) : e.name.endsWith('.ts') ? [`${d}/${e.name}`] : []));
  const seen = new Set<string>();
  const stack = files(dir);
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const sf = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const specs: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isImportDeclaration(n) && !n.importClause?.isTypeOnly && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
      else if (ts.isExportDeclaration(n) && !n.isTypeOnly && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
      else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) specs.push(n.arguments[0].text);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue;
      const base = join(dirname(file), spec).replace(/\.js$/, '');
      const hit = [`${base}.ts`, `${base}/index.ts`].find((c) => existsSync(join(root, c)));
      if (hit) stack.push(hit);
    }
  }
  return seen;
}

describe('the report renders records only', () => {
  it('src/report/ loads no training, no network runner and no dataset loader, even through other modules', () => {
    const loaded = [...runtimeClosure('src/report')];
    // train/architecture.ts (the hidden widths of a name) is reached by the sweep spec that orders records by grid.
    expect(loaded.filter((f) => f.startsWith('src/train/') && f !== 'src/train/architecture.ts')).toEqual([]);
    expect(loaded.filter((f) => ['src/study/network.ts', 'src/study/datasets.ts', 'src/study/sweep-run.ts'].includes(f) || f.startsWith('src/data/mnist'))).toEqual([]);
    expect(loaded).toContain('src/study/results.ts');
  });
});

describe('SVG id namespacing', () => {
  it('prefixes ids and their references only', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"></g><use href="#clip1"/><g fill="url(#other)"/></svg>';
    expect(namespaceSvgIds(svg, 'f2')).toBe(
      '<svg><defs><clipPath id="f2-clip1"><rect/></clipPath></defs><g clip-path="url(#f2-clip1)"></g><use href="#f2-clip1"/><g fill="url(#other)"/></svg>',
    );
  });
});

describe.skipIf(!hasChromium)('the report in headless Chromium', () => {
  let tmp = '';
  let runStdout = '';

  beforeAll(() => {
    // dist/ is built once by test/global-setup.ts.
    tmp = mkdtempSync(join(tmpdir(), 'ricciflow-report-'));
    runStdout = execFileSync(
      process.execPath,
      [join(root, 'bin/ricciflow.js'), 'run', '--datasets', 'A,B', '--architectures', 'narrow,wide', '--seeds', '0,1', '--epochs', '5', '--n-test', '200', '--k', '10,20', '--out', tmp],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    );
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the main job writes the report and prints its path; figures are also SVG files', () => {
    const html = join(tmp, 'report.html');
    expect(runStdout).toContain(`report: ${html}`);
    expect(existsSync(html)).toBe(true);
    const files = readdirSync(join(tmp, 'figures')).filter((f) => f.endsWith('.svg')).sort(); // .vl.json/.csv: test/export.test.ts
    expect(files).toEqual([
      'fig1a-geodesic-change.svg', 'fig1b-curvature.svg', 'fig2-layer-skip.svg', 'fig3-accuracy.svg',
      'fig4a-local.svg', 'fig4b-layer.svg', 'fig5-k.svg', 'fig6-projection.svg',
    ]);
    for (const f of files) expect(readFileSync(join(tmp, 'figures', f), 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const page = readFileSync(html, 'utf8');
    // Self-contained: no script, no external stylesheet or image, no remote URL outside the SVG namespaces.
    expect(page).not.toMatch(/<script|<link rel="stylesheet"|<img /);
    expect(page.replace(/http:\/\/www\.w3\.org\/[^"]*/g, '')).not.toMatch(/https?:\/\//);
    expect(page).toContain('Depth diagnostic');
  });

  it('ricciflow report DIR --out writes the same kind of page', () => {
    const out = join(tmp, 'again.html');
    const stdout = execFileSync(process.execPath, [join(root, 'bin/ricciflow.js'), 'report', tmp, '--out', out, '--no-projection'], { cwd: root, encoding: 'utf8' });
    expect(stdout).toContain(`report: ${out}`);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('Not drawn: Disabled (--no-projection).');
    expect((page.match(/<figure class="figure"/g) ?? []).length).toBe(7);
  });

  it('renders with no console error, every figure with data marks; screenshot kept', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const errors: string[] = [];
      const remote: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!/^(file|data):/.test(r.url())) remote.push(r.url());
      });
      const url = pathToFileURL(join(tmp, 'report.html')).href;
      await page.goto(url, { waitUntil: 'load' });
      expect(await page.title()).toContain('ricciflow report');
      const figures = await page.$$eval('figure.figure', (fs) =>
        fs.map((f) => ({
          figure: (f as HTMLElement).dataset.figure,
          // Data marks: children of Vega's mark groups that are not axes, legends or titles.
          marks: f.querySelectorAll('g.role-mark > *').length,
          width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        })),
      );
      expect(figures.map((f) => f.figure)).toEqual(['1a', '1b', '2', '3', '4a', '4b', '5', '6']);
      for (const f of figures) {
        expect(f.marks, `figure ${f.figure} has no data marks`).toBeGreaterThan(0);
        expect(f.width, `figure ${f.figure} has no width`).toBeGreaterThan(100);
      }
      // Figure 6 draws every test point twice (input and hidden layer) per 3-D dataset.
      expect(figures.find((f) => f.figure === '6')!.marks).toBeGreaterThanOrEqual(2 * 2 * 200);
      // Figure 7 has no trajectory in a plain run: it is listed as not drawn, with the reason.
      expect(await page.locator('#fig7-trajectory .note').textContent()).toContain('No record carries a training trajectory');
      const artifacts = join(root, 'test', 'artifacts');
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
      expect(existsSync(join(artifacts, 'report.png'))).toBe(true);
      expect(errors).toEqual([]);
      expect(remote).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
