/** examples/: the Node script, the PyTorch forward-hook dump and the pandas notebook run as documented. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readLayerFiles } from '../../src/io/npz.js';
import { ricciflow, runCommand, tempDir } from '../helpers/cli.js';
import { pythonHas } from '../helpers/python.js';

const dir = tempDir('examples');

describe('examples', () => {
  it('node-study.mjs trains, analyses and writes .npz activations that analyze reads', async () => {
    const out = join(dir, 'node');
    const r = await runCommand(process.execPath, ['examples/node-study.mjs', out, '--quick']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/seed 0: accuracy [\d.]+ {2}k=15 {2}ρ=/);
    const acts = await readLayerFiles([join(out, 'acts-seed0.npz')]);
    expect(acts.layers).toHaveLength(7); // input, 5 hidden, output
    expect(acts.layers[0]!.n).toBe(150);
    const a = await ricciflow(['analyze', join(out, 'acts-seed1.npz'), '--k', '15', '--out', '-', '-q']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).layers).toBe(7);
    expect((await readFile(join(out, 'layers.csv'), 'utf8')).split('\n')[0]).toMatch(/^id,dataset,architecture/);
  });

  it.skipIf(!pythonHas('torch'))('pytorch_hooks.py: ricciflow data → PyTorch forward hooks → np.savez → ricciflow analyze (python3 torch)', async () => {
    const d = join(dir, 'syn1');
    expect((await ricciflow(['data', 'syn1', '--out', d, '--n-train', '300', '--n-test', '120', '-q'])).code).toBe(0);
    const py = await runCommand('/usr/bin/python3', ['examples/pytorch_hooks.py', d, '--epochs', '200']);
    expect(py.code, py.stderr).toBe(0);
    expect(py.stdout).toMatch(/7 layers -> .*acts\.npz/);
    const a = await ricciflow(['analyze', join(d, 'acts.npz'), '--k', '20', '--curvature', 'augmented', '--out', '-', '-q']);
    expect(a.code, a.stderr).toBe(0);
    const res = JSON.parse(a.stdout);
    expect(res.n).toBe(120);
    expect(res.inputs.map((i: { key: string }) => i.key)).toEqual(['layer0', 'layer1', 'layer2', 'layer3', 'layer4', 'layer5', 'layer6']);
    expect(res.inputs[1].shape).toEqual([120, 25]);
  });

  it.skipIf(!pythonHas('pandas'))('pandas_export.ipynb runs on an exported results directory (python3 pandas)', async () => {
    const res = join(dir, 'results');
    const r = await ricciflow(['run', '--datasets', 'syn1', '--architectures', 'narrow', '--depth', '2', '--seeds', '0,1', '--epochs', '2', '--n-train', '150', '--n-test', '60', '--k', '8', '--out', res, '--no-report', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect((await ricciflow(['export', res, '--points', '-q'])).code).toBe(0);
    const runner = join(dir, 'nb.py');
    await writeFile(
      runner,
      'import json, sys\nnb = json.load(open(sys.argv[1]))\nns = {}\n' +
        'for c in nb["cells"]:\n    if c["cell_type"] == "code":\n        exec(compile("".join(c["source"]), "cell", "exec"), ns)\n' +
        'print(json.dumps({"rho_again": ns["rho_again"], "rho": float(ns["networks"].rho.iloc[0]), "rows": len(ns["share"])}))\n',
    );
    const nb = await runCommand('/usr/bin/python3', [runner, 'examples/pandas_export.ipynb'], { env: { RICCIFLOW_RESULTS: res } });
    expect(nb.code, nb.stderr).toBe(0);
    const j = JSON.parse(nb.stdout.trim().split('\n').pop()!);
    expect(j.rho_again).toBeCloseTo(j.rho, 12); // the notebook recomputes ρ from layers.csv
    expect(j.rows).toBe(4); // 2 networks × 1 k × 2 curvatures
    expect(existsSync(join(res, 'points.csv'))).toBe(true);
  });
});
