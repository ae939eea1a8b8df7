/**
 * Every type that appears in a public signature can be named by a user: each interface, type
 * alias, class or enum of ours that an exported function, class, constant or type refers to
 * (transitively: parameters, return types, properties) must itself be exported from one of the
 * package's entry points (package.json "exports": ".", "./report", "./geometry-training",
 * "./export"). Read with the TypeScript compiler API on the sources.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = join(root, 'src');

/** Entry points of package.json "exports", mapped back from dist/*.js to src/*.ts. */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const out: string[] = [];
  for (const target of Object.values(pkg.exports)) {
    const js = typeof target === 'string' ? target : (target as Record<string, string>).default;
    if (!js || !js.endsWith('.js')) continue;
    out.push(join(root, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
  }
  return out;
}

function ourDeclaration(d: ts.Declaration): boolean {
  const file = d.getSourceFile().fileName;
  return resolve(file).startsWith(srcDir + '/');
}

describe('public types', () => {
  it('every type of ours in a public signature is exported from an entry point', () => {
    const entries = entryPoints();
    expect(entries.length).toBeGreaterThanOrEqual(4);
    const program = ts.createProgram(entries, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    });
    const checker = program.getTypeChecker();
    const resolveAlias = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

    const exported = new Set<ts.Symbol>();
    const roots: ts.Symbol[] = [];
    for (const file of entries) {
      const sf = program.getSourceFile(file);
      expect(sf, file).toBeDefined();
      const mod = checker.getSymbolAtLocation(sf!);
      expect(mod, file).toBeDefined();
      for (const s of checker.getExportsOfModule(mod!)) {
        const target = resolveAlias(s);
        exported.add(target);
        roots.push(target);
        // `export * as stats`: the namespace's own exports are public too.
        if (target.flags & ts.SymbolFlags.ValueModule) {
          for (const inner of checker.getExportsOfModule(target)) {
            const t = resolveAlias(inner);
            exported.add(t);
            roots.push(t);
          }
        }
      }
    }

    const missing = new Map<string, Set<string>>();
    const seen = new Set<ts.Symbol>();
    const queue = [...roots];

    const visitTypeNodes = (node: ts.Node, owner: string): void => {
      const visit = (n: ts.Node): void => {
        // Private and protected class members and function bodies are not part of the signature.
        if (ts.isBlock(n)) return;
        if ((ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) &&
            n.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return;
        if (ts.isPrivateIdentifier((n as ts.NamedDeclaration).name ?? n)) return;
        if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n)) {
          const nameNode = ts.isTypeReferenceNode(n) ? n.typeName : n.expression;
          const sym = checker.getSymbolAtLocation(ts.isQualifiedName(nameNode) ? nameNode.right : nameNode);
          if (sym) {
            const target = resolveAlias(sym);
            const decls = target.declarations ?? [];
            const named = decls.some((d) =>
              ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d) || ts.isEnumDeclaration(d));
            if (named && decls.some(ourDeclaration)) {
              if (!exported.has(target)) {
                const where = `${target.getName()} (${decls[0]!.getSourceFile().fileName.slice(root.length + 1)})`;
                if (!missing.has(where)) missing.set(where, new Set());
                missing.get(where)!.add(owner);
              }
              queue.push(target);
            }
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(node);
    };

    while (queue.length) {
      const sym = queue.pop()!;
      if (seen.has(sym)) continue;
      seen.add(sym);
      for (const d of sym.declarations ?? []) {
        if (!ourDeclaration(d)) continue;
        if (ts.isFunctionDeclaration(d)) {
          d.typeParameters?.forEach((p) => visitTypeNodes(p, sym.getName()));
          d.parameters.forEach((p) => visitTypeNodes(p, sym.getName()));
          if (d.type) visitTypeNodes(d.type, sym.getName());
        } else if (ts.isVariableDeclaration(d)) {
          if (d.type) visitTypeNodes(d.type, sym.getName());
        } else if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d) || ts.isEnumDeclaration(d)) {
          visitTypeNodes(d, sym.getName());
        }
      }
    }

    const report = [...missing].map(([type, users]) => `${type} used by ${[...users].sort().join(', ')}`).sort();
    expect(report, 'types in public signatures that no entry point exports').toEqual([]);
  }, 120_000);
});
