// A small study from Node: train networks on a synthetic dataset, analyse every layer, keep the
// activations as one .npz (what `ricciflow analyze` reads) and write the tidy tables.
//   node examples/node-study.mjs [OUT_DIR] [--quick]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { analyzeLayers, layersTable, syntheticDataset, tableToCsv, trainNetworks, writeNpz } from 'ricciflow';

const out = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'node-study';
const quick = process.argv.includes('--quick');
await mkdir(out, { recursive: true });

// The seed paper's dataset A (double Swiss roll), seeded: the same points on every run.
const data = syntheticDataset('A', { nTrain: quick ? 400 : 2000, nTest: quick ? 150 : 500, seed: 0 });
const nets = await trainNetworks(data, { architecture: 'wide', depth: 5, epochs: quick ? 5 : 50, seeds: [0, 1] });

for (const [i, net] of nets.entries()) {
  const res = await analyzeLayers(net.activations, { k: [15, 30], curvatures: ['forman', 'augmented'] });
  for (const K of res.byK) {
    const co = K.coefficients.augmented;
    console.log(
      `seed ${i}: accuracy ${net.testAccuracy.toFixed(3)}  k=${K.k}  ρ=${co.global.rho?.toFixed(3)}  ` +
        `mean ρ(x)=${co.local.mean?.toFixed(3)}  r_l=[${co.layer.map((v) => v?.toFixed(2)).join(', ')}]`,
    );
  }
  // Every layer of this network in one archive: `ricciflow analyze OUT/acts-seed0.npz --k 30`.
  await writeNpz(join(out, `acts-seed${i}.npz`), net.activations.map((m, l) => ({ key: `layer${l}`, matrix: m })));
}

// The same tidy tables `ricciflow export` writes, from records of your own making: here, the
// layer table of one analysis, as CSV.
const res0 = await analyzeLayers(nets[0].activations, { k: [15], curvatures: ['forman'] });
const co = res0.byK[0].coefficients.forman;
const record = {
  id: 'example', config: { dataset: 'A', architecture: 'wide', depth: 5, widths: nets[0].weights.sizes.slice(1, -1), seed: 0 },
  accuracy: nets[0].testAccuracy, layerDims: nets[0].weights.sizes,
  byK: [{ k: 15, connected: res0.byK[0].layers.map((l) => l.connected), components: res0.byK[0].layers.map((l) => l.components), edgeCount: res0.byK[0].layers.map((l) => l.edgeCount),
    coefficients: { forman: { ric: co.global.ric, g: co.global.g, eta: co.global.eta, layer: co.layer } } }],
};
await writeFile(join(out, 'layers.csv'), tableToCsv(layersTable([record])));
console.log(`wrote ${out}/acts-seed0.npz, ${out}/acts-seed1.npz and ${out}/layers.csv`);
