// The layering check of src/ and the size limits of src/ and native/ (issue 12; the rules are
// written out in test/helpers/layering.ts). It fails on any violation that is not in ALLOWED
// below, and on any ALLOWED entry that no longer occurs, so the list only shrinks.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

import { checkLayering, importSpecifiers, type TreeFile } from '../helpers/layering.js';

const root = resolve(__dirname, '../..');

/**
 * Violations that remain while the re-layering of issue 12 is under way. Each names the issue
 * and who removes it; delete an entry in the commit that fixes it (the test fails on stale ones).
 */
const ALLOWED: Record<string, string> = {
  // None left: the last god file (native/core/mlp.cpp) was split along its seams (issue 12).
};

function walk(dir: string, skip: (rel: string) => boolean, out: TreeFile[]): TreeFile[] {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (skip(rel)) continue;
    if (e.isDirectory()) walk(rel, skip, out);
    else if (e.isFile()) out.push({ path: rel, text: readFileSync(join(root, rel), 'utf8') });
  }
  return out;
}

function repositoryTree(): TreeFile[] {
  const files = walk('src', () => false, []);
  walk('native', (rel) => rel === 'native/third_party', files);
  return files.map((f) => ({ ...f, path: relative(root, join(root, f.path)).split(sep).join('/') }));
}

describe('layering of src/ (issue 12)', () => {
  const violations = checkLayering(repositoryTree());

  it('has no violation outside the allow-list', () => {
    const unexpected = violations.filter((v) => !(v.id in ALLOWED)).map((v) => v.message);
    expect(unexpected).toEqual([]);
  });

  it('has no stale allow-list entry (delete the entry of a fixed violation)', () => {
    const ids = new Set(violations.map((v) => v.id));
    expect(Object.keys(ALLOWED).filter((id) => !ids.has(id))).toEqual([]);
  });
});

/** A fake tree: path → source text. */
const tree = (files: Record<string, string>): TreeFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));
const ids = (files: Record<string, string>) => checkLayering(tree(files)).map((v) => v.id);
const lines = (n: number) => Array.from({ length: n }, (_, i) => `// ${i}`).join('\n') + '\n';

describe('the layering checker itself', () => {
  it('finds every import form and ignores comments and strings', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "export * from './c.js';",
      "export { d } from './d.js';",
      "const e = await import('./e.js');",
      "type F = import('./f.js').F;",
      "import './g.js';",
      "// import x from './comment.js';",
      "const s = \"import y from './string.js'\";",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(importSpecifiers('src/x/y.ts', text)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', './g.js', 'node:fs']);
  });

  it('accepts a clean tree', () => {
    expect(
      ids({
        'src/core/errors.ts': 'export class E {}\n',
        'src/io/arrays.ts': "import { E } from '../core/errors.js';\n",
        'src/study/sweep.ts': "import '../io/arrays.js';\nimport { E } from '../core/errors.js';\n",
        'src/report/html.ts': "import '../study/sweep.js';\n",
        'src/index.ts': "export * from './report/html.js';\n",
        'src/cli/run.ts': "import '../study/sweep.js';\nimport './util.js';\n",
        'src/cli/util.ts': "import '../core/errors.js';\n",
        'src/cli.ts': "import './cli/run.js';\n",
        'native/core/a.cpp': lines(700),
        'native/third_party/eigen/big.h': lines(5000),
        'src/types/lib.d.ts': "declare module 'lib';\n",
      }),
    ).toEqual([]);
  });

  it('fails on an upward import, also through a dynamic import or a type query', () => {
    expect(
      ids({
        'src/data/mnist.ts': "const m = await import('../study/sweep.js');\n",
        'src/analysis/stats.ts': "type T = import('../train/types.js').T;\n",
        'src/study/sweep.ts': '',
        'src/train/types.ts': '',
      }),
    ).toEqual(['upward src/analysis/stats.ts -> src/train/types.ts', 'upward src/data/mnist.ts -> src/study/sweep.ts']);
  });

  it('fails on a cycle, inside one layer too', () => {
    const v = checkLayering(
      tree({
        'src/study/a.ts': "import './b.js';\n",
        'src/study/b.ts': "import type { C } from './c.js';\n",
        'src/study/c.ts': "export * from './a.js';\n",
        'src/study/d.ts': "import './d.js';\n",
      }),
    );
    expect(v.map((x) => x.id)).toEqual(['cycle src/study/a.ts src/study/b.ts src/study/c.ts', 'cycle src/study/d.ts']);
    expect(v[0]!.message).toBe('import cycle: src/study/a.ts -> src/study/b.ts -> src/study/c.ts -> src/study/a.ts');
  });

  it('fails when anything but the CLI imports src/cli/, the public API included', () => {
    expect(
      ids({
        'src/index.ts': "export { run } from './cli/run.js';\n",
        'src/study/summary.ts': "import { fmt } from '../cli/util.js';\n",
        'src/cli/run.ts': "import './util.js';\n",
        'src/cli/util.ts': '',
        'src/cli.ts': "import './cli/run.js';\nimport './index.js';\n",
      }),
    ).toEqual([
      'cli-import src/index.ts -> src/cli/run.ts',
      'cli-import src/study/summary.ts -> src/cli/util.ts',
      'upward src/index.ts -> src/cli/run.ts',
      'upward src/study/summary.ts -> src/cli/util.ts',
    ]);
  });

  it('fails when the report imports training code', () => {
    expect(ids({ 'src/report/figures.ts': "import { train } from '../train/index.js';\n", 'src/train/index.ts': '' })).toEqual([
      'report-train src/report/figures.ts -> src/train/index.ts',
    ]);
  });

  it('fails when the report reaches training code through other modules, type-only imports included', () => {
    const files = {
      'src/report/html.ts': "import type { T } from '../study/types.js';\n",
      'src/study/types.ts': "import type { P } from '../analysis/point.js';\nexport type { Spec } from './spec.js';\n",
      'src/study/spec.ts': "import { widths } from '../train/architecture.js';\n",
      'src/analysis/point.ts': '',
      'src/train/architecture.ts': "import '../train/types.js';\n",
      'src/train/types.ts': '',
    };
    // Each report module names the first train/ module on its way; the search stops there.
    expect(ids(files)).toEqual(['report-train src/report/html.ts -> src/train/architecture.ts']);
    expect(checkLayering(tree(files))[0]!.message).toBe(
      'src/report/html.ts reaches src/train/architecture.ts through src/study/types.ts -> src/study/spec.ts: the report renders records and never trains',
    );
  });

  it('fails on oversized files: TypeScript over 450 lines, C++ over 700 (third_party excepted)', () => {
    expect(
      ids({
        'src/study/ok.ts': lines(450),
        'src/study/big.ts': lines(451),
        'native/core/ok.cpp': lines(700),
        'native/core/big.cpp': lines(701),
        'native/binding/big.h': lines(701),
        'native/third_party/eigen/Core.h': lines(9000),
      }),
    ).toEqual(['cpp-size native/binding/big.h', 'cpp-size native/core/big.cpp', 'ts-size src/study/big.ts']);
  });

  it('fails on an import() it cannot follow, outside the CLI; follows a const of a string literal', () => {
    expect(
      ids({
        'src/study/run.ts': "const m = '../cli/report.js';\nawait import(m);\n",
        'src/report/html.ts': 'export async function f(name: string) { return import(name); }\n',
        'src/train/tf.ts': "const pkg = '@tensorflow/tfjs-node';\nawait import(pkg);\n",
        'src/cli.ts': 'export async function verb(mod: string) { return import(mod); }\n',
        'src/cli/report.ts': '',
      }),
    ).toEqual(['cli-import src/study/run.ts -> src/cli/report.ts', 'opaque-import src/report/html.ts', 'upward src/study/run.ts -> src/cli/report.ts']);
  });

  it('fails on a file in no layer and on an import of a missing src/ module', () => {
    expect(ids({ 'src/misc/x.ts': "import '../core/gone.js';\n" })).toEqual(['unlayered src/misc/x.ts', 'unresolved src/misc/x.ts -> ../core/gone.js']);
  });
});
