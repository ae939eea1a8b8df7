// The layering rules of src/ (docs/architecture.md, issue 12), as a pure function over a file
// tree so that test/layering.test.ts can run it both on the repository and on small fake trees.
//
//   layers, bottom → top: core → io → data → analysis → train → study → export → report → cli
//   (a) a module imports only its own layer or layers below it; src/index.ts (the public API)
//       may import every layer but cli; src/cli.ts and src/cli/ may import everything;
//   (b) no import cycle among src/ modules;
//   (c) nothing outside the CLI (src/cli.ts, src/cli/) imports src/cli/;
//   (d) no TypeScript file in src/ over 450 lines, no C++ file in native/ (native/third_party
//       excepted) over 700 lines;
//   (e) report/ renders records only: it imports no train/ module, directly or through others.
//
//   (f) every import() names its module: a string literal, or a `const` of one in the same file
//       (the CLI, which may import anything, is exempt), so no import escapes (a)–(c).
//
// Every import form counts: `import … from`, `import type`, `export … from`, `import('…')` calls
// and `import('…').T` type queries. Type-only imports count too: a type that points up is a
// design that points up, even when the emitted JavaScript does not.
import ts from 'typescript';

export const LAYERS = ['core', 'io', 'data', 'analysis', 'train', 'study', 'export', 'report', 'cli'] as const;
export const MAX_TS_LINES = 450;
export const MAX_CPP_LINES = 700;

/** A file of the tree: `path` is relative to the repository root, with '/' separators. */
export interface TreeFile {
  path: string;
  text: string;
}

export type Rule = 'upward' | 'cycle' | 'cli-import' | 'report-train' | 'unlayered' | 'unresolved' | 'opaque-import' | 'ts-size' | 'cpp-size';

export interface Violation {
  rule: Rule;
  /** Stable key, used by allow-lists: `<rule> <from> -> <to>`, `cycle <a> -> <b> -> <a>`, `ts-size <file>`. */
  id: string;
  message: string;
}

/** Rank of a src/ module in the layer order; index.ts sits just under cli, cli.ts at cli. */
function rankOf(path: string): number | null {
  if (path === 'src/cli.ts') return LAYERS.indexOf('cli');
  if (path === 'src/index.ts') return LAYERS.indexOf('cli') - 0.5;
  const m = /^src\/([^/]+)\//.exec(path);
  if (!m) return null;
  // Ambient declarations for untyped dependencies (src/types/*.d.ts) sit at the bottom.
  if (m[1] === 'types') return -1;
  const i = (LAYERS as readonly string[]).indexOf(m[1]!);
  return i < 0 ? null : i;
}

const isCli = (path: string) => path === 'src/cli.ts' || path.startsWith('src/cli/');
const layerName = (path: string) => (path === 'src/index.ts' ? 'index' : path === 'src/cli.ts' ? 'cli' : path.split('/')[1]!);

/**
 * Module specifiers of every import form in a TypeScript source; `null` for an import() whose
 * module is neither a string literal nor a `const` bound to one in the file.
 */
export function importSpecifiers(fileName: string, text: string): (string | null)[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const consts = new Map<string, string>();
  const collect = (node: ts.Node): void => {
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Const) !== 0)
      for (const d of node.declarations) if (ts.isIdentifier(d.name) && d.initializer && ts.isStringLiteralLike(d.initializer)) consts.set(d.name.text, d.initializer.text);
    ts.forEachChild(node, collect);
  };
  collect(sf);
  const out: (string | null)[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const a = node.arguments[0];
      out.push(a && ts.isStringLiteralLike(a) ? a.text : a && ts.isIdentifier(a) ? (consts.get(a.text) ?? null) : null);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function normalize(parts: string[]): string | null {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

/** Resolves a relative specifier of `from` to a file of the tree (NodeNext: './x.js' is './x.ts'). */
function resolveSpecifier(from: string, spec: string, known: Set<string>): string | null | undefined {
  if (!spec.startsWith('.')) return undefined; // a package or node: builtin
  const dir = from.split('/').slice(0, -1);
  const base = normalize([...dir, ...spec.split('/')]);
  if (base === null) return null;
  const stem = base.replace(/\.(js|ts|mjs|cjs)$/, '');
  for (const c of [`${stem}.ts`, `${stem}.d.ts`, `${stem}/index.ts`, base]) if (known.has(c)) return c;
  return null;
}

/** Strongly connected components with more than one module, or a module importing itself. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found;
}

/** One cycle through the component, from its first module back to it (for the message). */
function cyclePath(scc: string[], graph: Map<string, Set<string>>): string[] {
  const members = new Set(scc);
  const start = scc[0]!;
  // Breadth-first from start's successors back to start, inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...scc, start];
}

/** Every violation of the rules in the tree, sorted by id. */
export function checkLayering(files: readonly TreeFile[]): Violation[] {
  const out: Violation[] = [];
  const add = (rule: Rule, id: string, message: string) => out.push({ rule, id: `${rule} ${id}`, message });
  const src = files.filter((f) => f.path.startsWith('src/') && f.path.endsWith('.ts'));
  const known = new Set(src.map((f) => f.path));
  const graph = new Map<string, Set<string>>();

  for (const f of src) {
    const lines = f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_TS_LINES) add('ts-size', f.path, `${f.path} has ${lines} lines (at most ${MAX_TS_LINES})`);
    const from = rankOf(f.path);
    if (from === null) add('unlayered', f.path, `${f.path} is in no layer (${LAYERS.join(', ')})`);
    const edges = new Set<string>();
    graph.set(f.path, edges);
    for (const spec of importSpecifiers(f.path, f.text)) {
      if (spec === null) {
        if (!isCli(f.path)) add('opaque-import', f.path, `${f.path} has an import() whose module is not a string literal (or a const of one): the layering check cannot follow it`);
        continue;
      }
      const target = resolveSpecifier(f.path, spec, known);
      if (target === undefined) continue;
      if (target === null) {
        // Outside src/ (package.json, schema/) is the loader's business, not a layer's.
        const dir = f.path.split('/').slice(0, -1);
        const abs = normalize([...dir, ...spec.split('/')]);
        if (abs !== null && abs.startsWith('src/')) add('unresolved', `${f.path} -> ${spec}`, `${f.path} imports '${spec}', which is not a file of src/`);
        continue;
      }
      edges.add(target);
      if (isCli(target) && !isCli(f.path)) {
        add('cli-import', `${f.path} -> ${target}`, `${f.path} imports ${target}: only the CLI imports src/cli/`);
      }
      const to = rankOf(target);
      if (from !== null && to !== null && to > from) {
        add('upward', `${f.path} -> ${target}`, `${f.path} (${layerName(f.path)}) imports ${target} (${layerName(target)}), a higher layer`);
      }
    }
  }

  // (e), transitively: no train/ module is reachable from a report/ module by any chain of imports.
  for (const from of [...graph.keys()].filter((p) => p.startsWith('src/report/'))) {
    const prev = new Map<string, string>([[from, '']]);
    const queue = [from];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of [...(graph.get(v) ?? [])].sort()) {
        if (prev.has(w)) continue;
        prev.set(w, v);
        if (!w.startsWith('src/train/')) {
          queue.push(w);
          continue;
        }
        const chain = [w];
        for (let u = v; u !== ''; u = prev.get(u)!) chain.unshift(u);
        const how = chain.length === 2 ? `imports ${w}` : `reaches ${w} through ${chain.slice(1, -1).join(' -> ')}`;
        add('report-train', `${from} -> ${w}`, `${from} ${how}: the report renders records and never trains`);
      }
    }
  }

  for (const scc of cycles(graph)) {
    const path = cyclePath(scc, graph);
    add('cycle', scc.join(' '), `import cycle: ${path.join(' -> ')}`);
  }

  for (const f of files) {
    if (!f.path.startsWith('native/') || f.path.startsWith('native/third_party/')) continue;
    if (!/\.(cpp|cc|cxx|c|h|hh|hpp|hxx)$/.test(f.path)) continue;
    const lines = f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_CPP_LINES) add('cpp-size', f.path, `${f.path} has ${lines} lines (at most ${MAX_CPP_LINES})`);
  }

  // Duplicates (an import repeated in one file) collapse to one violation.
  const seen = new Map<string, Violation>();
  for (const v of out) if (!seen.has(v.id)) seen.set(v.id, v);
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
