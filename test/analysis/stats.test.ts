import { describe as suite, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  RankDeficientDesignError,
  averageRanks,
  correlationTest,
  describe,
  dummyName,
  fisherZ,
  linearModel,
  modelMatrix,
  pearson,
  quantile,
  spearman,
  studentTTwoSidedP,
} from '../../src/analysis/stats.js';

// Public data sets. Reference values come from R 4.x (`cor`, `cor.test`, `lm`, `quantile`).

// mtcars (Henderson & Velleman 1981), row order as in R's datasets::mtcars.
const mpg = [
  21, 21, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4, 14.7,
  32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26, 30.4, 15.8, 19.7, 15, 21.4,
];
const wt = [
  2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78, 5.25, 5.424,
  5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14, 1.513, 3.17, 2.77, 3.57,
  2.78,
];
const cyl = [
  6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4,
];
const hp = [
  110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230, 66, 52, 65, 97,
  150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109,
];
const am = [
  1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
];
const mtcars = mpg.map((_, i) => ({ mpg: mpg[i]!, wt: wt[i]!, cyl: cyl[i]!, hp: hp[i]!, am: am[i]! }));

// Anscombe's quartet (Anscombe 1973).
const anscombe = {
  x1: [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5],
  y1: [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
  x2: [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5],
  y2: [9.14, 8.14, 8.74, 8.77, 9.26, 8.1, 6.13, 3.1, 9.13, 7.26, 4.74],
  x3: [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5],
  y3: [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73],
  x4: [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8],
  y4: [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.5, 5.56, 7.91, 6.89],
};

/** |actual − expected| ≤ rel·|expected| */
function expectRel(actual: number | null | undefined, expected: number, rel: number): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

suite('pearson / spearman', () => {
  // Usually quoted as "r = 0.816 for all four"; set 4 is 0.81652 (0.817 to 3 decimals), so the
  // loose check is |r − 0.816| < 1e-3 and the tight one is against R's cor().
  it("Anscombe's quartet: r ≈ 0.816 for all four sets", () => {
    const ref = [0.81642051634484, 0.816236506000243, 0.816286739489598, 0.816521436888503];
    const sets = [
      [anscombe.x1, anscombe.y1],
      [anscombe.x2, anscombe.y2],
      [anscombe.x3, anscombe.y3],
      [anscombe.x4, anscombe.y4],
    ] as const;
    sets.forEach(([x, y], k) => {
      const r = pearson(x, y);
      expect(Math.abs(r! - 0.816)).toBeLessThan(1e-3);
      expect(r).toBeCloseTo(ref[k]!, 12);
    });
  });

  it("Anscombe's quartet: Spearman differs (R: 0.818, 0.691, 0.991, 0.5)", () => {
    expect(spearman(anscombe.x1, anscombe.y1)).toBeCloseTo(0.818181818181818, 12);
    expect(spearman(anscombe.x2, anscombe.y2)).toBeCloseTo(0.690909090909091, 12);
    expect(spearman(anscombe.x3, anscombe.y3)).toBeCloseTo(0.990909090909091, 12);
    // x4 has ten tied values: average ranks
    expect(spearman(anscombe.x4, anscombe.y4)).toBeCloseTo(0.5, 12);
  });

  it('average ranks for ties (R rank, ties.method = "average")', () => {
    expect(averageRanks([1, 2, 2, 3, 5, 5, 5, 9])).toEqual([1, 2.5, 2.5, 4, 6, 6, 6, 8]);
    expect(averageRanks([3, 1, 2])).toEqual([3, 1, 2]);
    expect(averageRanks([])).toEqual([]);
  });

  it('exact and symmetric cases', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBe(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(pearson(mpg, wt)).toBe(pearson(wt, mpg));
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 14);
    // invariance to affine maps
    expect(pearson(mpg.map((v) => 3 * v + 1e6), wt)).toBeCloseTo(pearson(mpg, wt)!, 10);
  });

  it('null when undefined: fewer than 2 pairs or a constant variable', () => {
    expect(pearson([], [])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNull();
    expect(spearman([7, 7, 7, 7], [1, 2, 3, 4])).toBeNull();
  });

  it('rejects mismatched lengths and non-finite values', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => pearson([1, NaN, 3], [1, 2, 3])).toThrow(InvalidArgumentError);
    expect(() => spearman([1, 2, 3], [1, Infinity, 3])).toThrow(/finite/);
  });
});

suite('correlationTest', () => {
  it('R cor.test(mtcars$mpg, mtcars$wt)', () => {
    const res = correlationTest(mpg, wt, 'pearson');
    expect(res.method).toBe('pearson');
    expect(res.n).toBe(32);
    expect(res.df).toBe(30);
    expectRel(res.r, -0.867659376517228, 1e-12);
    expectRel(res.t, -9.55904414697211, 1e-10);
    expectRel(res.p, 1.29395870135052e-10, 1e-6);
    expect(res.p!.toPrecision(4)).toBe('1.294e-10');
  });

  it('R cor.test(mpg, wt, method = "spearman", exact = FALSE) — ties in both', () => {
    const res = correlationTest(mpg, wt, 'spearman');
    expect(res.method).toBe('spearman');
    expectRel(res.r, -0.886422033270298, 1e-12);
    expect(res.p!).toBeLessThan(1e-10);
    expectRel(res.p, 1.48759485812743e-11, 1e-6);
  });

  it('R cor.test(mpg, hp, method = "spearman", exact = FALSE)', () => {
    const res = correlationTest(mpg, hp, 'spearman');
    expectRel(res.r, -0.894664645749963, 1e-12);
    expectRel(res.p, 5.08596943092e-12, 1e-6);
  });

  it('defaults to Pearson; degenerate inputs give nulls', () => {
    expect(correlationTest(mpg, wt).method).toBe('pearson');
    expect(correlationTest([1, 2], [3, 1])).toMatchObject({ n: 2, r: -1, t: null, df: 0, p: null });
    expect(correlationTest([1, 2, 3], [4, 4, 4])).toMatchObject({ r: null, t: null, p: null });
    expect(correlationTest([1, 2, 3, 4], [2, 4, 6, 8])).toMatchObject({ r: 1, t: Infinity, p: 0 });
    expect(() => correlationTest([1, 2, 3], [1, 2, 3], 'kendall' as never)).toThrow(InvalidArgumentError);
  });
});

suite('studentTTwoSidedP', () => {
  it('matches R 2*pt(-|t|, df)', () => {
    expectRel(studentTTwoSidedP(1.5, 3), 0.230583865244823, 1e-6);
    expectRel(studentTTwoSidedP(-1.5, 3), 0.230583865244823, 1e-6);
    expectRel(studentTTwoSidedP(40, 10), 2.28085774308575e-12, 1e-6);
    expectRel(studentTTwoSidedP(0.3, 100), 0.764799880300304, 1e-6);
    expectRel(studentTTwoSidedP(2, 1e4), 0.0455272606614355, 1e-5);
    expectRel(studentTTwoSidedP(3, 1), 0.204832764699133, 1e-6);
    expect(studentTTwoSidedP(0, 5)).toBe(1);
    expect(studentTTwoSidedP(-Infinity, 5)).toBe(0);
    expect(() => studentTTwoSidedP(1, 0)).toThrow(InvalidArgumentError);
  });
});

suite('fisherZ', () => {
  it('z = atanh(r)·sqrt(m − 3)', () => {
    expect(fisherZ(0.5, 12)).toBeCloseTo(0.5493061443340549 * 3, 12);
    expect(fisherZ(-0.5, 12)).toBeCloseTo(-0.5493061443340549 * 3, 12);
    expect(fisherZ(0, 10)).toBe(0);
  });

  it('null when undefined: r null, m ≤ 3, |r| = 1', () => {
    expect(fisherZ(null, 10)).toBeNull();
    expect(fisherZ(0.3, 3)).toBeNull();
    expect(fisherZ(0.3, 0)).toBeNull();
    expect(fisherZ(1, 10)).toBeNull();
    expect(fisherZ(-1, 10)).toBeNull();
  });

  it('rejects invalid r and m', () => {
    expect(() => fisherZ(1.2, 10)).toThrow(InvalidArgumentError);
    expect(() => fisherZ(NaN, 10)).toThrow(InvalidArgumentError);
    expect(() => fisherZ(0.2, 4.5)).toThrow(InvalidArgumentError);
  });
});

suite('linearModel / modelMatrix', () => {
  it('R lm(mpg ~ wt + factor(cyl), mtcars)', () => {
    const X = modelMatrix(mtcars, { numeric: ['wt'], factors: ['cyl'] });
    expect(X.names).toEqual(['wt', 'cyl=6', 'cyl=8']);
    expect(X.levels).toEqual({ cyl: ['4', '6', '8'] });
    expect(X.baselines).toEqual({ cyl: '4' });
    const fit = linearModel(mpg, X);
    expect(fit.n).toBe(32);
    expect(fit.rank).toBe(4);
    expect(fit.df).toBe(28);
    expect(fit.coefficients.map((c) => c.name)).toEqual(['(Intercept)', 'wt', 'cyl=6', 'cyl=8']);
    const ref = [
      // estimate, SE, t, p
      [33.99079400913246, 1.887793424567265, 18.00556860024243, 6.25724556607425e-17],
      [-3.20561325619287, 0.753895654956412, -4.25206490462955, 2.13043460268459e-4],
      [-4.25558240197129, 1.38607284754069, -3.07024440275414, 4.71783389986884e-3],
      [-6.07085968049088, 1.652287831535244, -3.67421436182222, 9.99189323675407e-4],
    ];
    fit.coefficients.forEach((c, j) => {
      expectRel(c.estimate, ref[j]![0]!, 1e-10);
      expectRel(c.se, ref[j]![1]!, 1e-10);
      expectRel(c.t, ref[j]![2]!, 1e-10);
      expectRel(c.p, ref[j]![3]!, 1e-5);
    });
    // the rounded values usually quoted
    const w = fit.coefficients[1]!;
    expect(w.estimate).toBeCloseTo(-3.2056, 4);
    expect(w.se).toBeCloseTo(0.7539, 4);
    expect(w.p.toPrecision(3)).toBe('0.000213');
    expectRel(fit.rSquared, 0.837432525296923, 1e-10);
    expectRel(fit.adjRSquared, 0.820014581578736, 1e-10);
    expectRel(fit.sigma, 2.55691392997481, 1e-10);
    // residuals + fitted reproduce y
    fit.fitted.forEach((f, i) => expect(f + fit.residuals[i]!).toBeCloseTo(mpg[i]!, 10));
  });

  it('R lm(mpg ~ 0 + factor(cyl) + wt): without intercept the first factor keeps all levels', () => {
    const X = modelMatrix(mtcars, { numeric: ['wt'], factors: ['cyl'], intercept: false });
    expect(X.names).toEqual(['wt', 'cyl=4', 'cyl=6', 'cyl=8']);
    expect(X.baselines).toEqual({});
    const fit = linearModel(mpg, X, { intercept: false });
    const byName = Object.fromEntries(fit.coefficients.map((c) => [c.name, c]));
    expectRel(byName['cyl=4']!.estimate, 33.99079400913247, 1e-10);
    expectRel(byName['cyl=6']!.estimate, 29.73521160716117, 1e-10);
    expectRel(byName['cyl=8']!.se, 3.091464490144154, 1e-10);
    expectRel(byName['wt']!.p, 2.13043460268458e-4, 1e-5);
    // uncentred R² as summary.lm for a model without intercept
    expectRel(fit.rSquared, 0.986963779629678, 1e-10);
    expectRel(fit.adjRSquared, 0.985101462433917, 1e-10);
  });

  it('R lm(mpg ~ hp + g + factor(am)) with a string factor, baseline = first sorted level', () => {
    const g = ['b', 'a', 'c'];
    const rows = mtcars.map((r, k) => ({ ...r, g: g[(k + 1) % 3]!, am: r.am === 1 }));
    const X = modelMatrix(rows, { numeric: ['hp'], factors: ['g', 'am'] });
    expect(X.names).toEqual(['hp', dummyName('g', 'b'), dummyName('g', 'c'), dummyName('am', 'true')]);
    expect(X.baselines).toEqual({ g: 'a', am: 'false' });
    const fit = linearModel(mpg, X);
    const ref = [
      [27.4404111410178864, 1.73750395735397078, 3.67445398883825e-15],
      [-0.0602328263860602, 0.00816181120031785, 6.13813823259897e-8],
      [-1.072575769102553, 1.31850595682495086, 0.423060064443456],
      [-0.9539001198618614, 1.28304937468165559, 0.463622064372151],
      [5.289106888700017, 1.10404630203106047, 5.34620270353896e-5],
    ];
    fit.coefficients.forEach((c, j) => {
      expectRel(c.estimate, ref[j]![0]!, 1e-10);
      expectRel(c.se, ref[j]![1]!, 1e-10);
      expectRel(c.p, ref[j]![2]!, 1e-5);
    });
  });

  it('numeric factor levels sort numerically; unused levels never appear', () => {
    const rows = [{ d: 10 }, { d: 2 }, { d: 10 }, { d: 2 }, { d: 33 }];
    const X = modelMatrix(rows, { factors: ['d'] });
    expect(X.levels).toEqual({ d: ['2', '10', '33'] });
    expect(X.names).toEqual(['d=10', 'd=33']);
    expect(X.columns).toEqual([
      [1, 0, 1, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
  });

  it('a single-level factor contributes no column', () => {
    const rows = mtcars.map((r) => ({ ...r, dataset: 'mnist' }));
    const X = modelMatrix(rows, { numeric: ['wt'], factors: ['dataset'] });
    expect(X.names).toEqual(['wt']);
    expect(X.levels).toEqual({ dataset: ['mnist'] });
    expect(X.baselines).toEqual({ dataset: 'mnist' });
  });

  it('refuses a rank-deficient design with a typed error naming the column', () => {
    // architecture is completely confounded with dataset
    const rows = mtcars.map((r, i) => ({
      ...r,
      dataset: i % 2 === 0 ? 'mnist' : 'fashion',
      architecture: i % 2 === 0 ? 'mlp' : 'cnn',
    }));
    let err: unknown;
    try {
      modelMatrix(rows, { numeric: ['wt'], factors: ['dataset', 'architecture'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RankDeficientDesignError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const rd = err as RankDeficientDesignError;
    expect(rd.column).toBe('architecture=mlp');
    expect(rd.precedingColumns).toEqual(['(Intercept)', 'wt', 'dataset=mnist']);
    expect(rd.code).toBe('ERR_INVALID_ARGUMENT');
    expect(rd.message).toMatch(/rank-deficient.*architecture=mlp.*dataset=mnist/);

    // the same check guards linearModel on hand-built designs (collinear numeric columns)
    const twice = wt.map((v) => 2 * v - 1);
    expect(() => linearModel(mpg, { names: ['wt', 'wt2'], columns: [wt, twice] })).toThrow(
      RankDeficientDesignError,
    );
    expect(() => linearModel(mpg, { names: ['zero'], columns: [mpg.map(() => 0)] })).toThrow(
      /rank-deficient.*'zero'/,
    );
  });

  it('rejects bad input', () => {
    expect(() => modelMatrix([], { numeric: ['x'] })).toThrow(InvalidArgumentError);
    expect(() => modelMatrix([{ x: 1 }, { x: null }], { numeric: ['x'] })).toThrow(/rows\[1\]\.x/);
    expect(() => modelMatrix([{ f: 'a' }, {}], { factors: ['f'] })).toThrow(/rows\[1\]\.f/);
    expect(() => modelMatrix([{ x: 1 }], { numeric: ['x'], factors: ['x'] })).toThrow(/more than once/);
    expect(() => linearModel([1, 2, 3], { names: ['x'], columns: [[1, 2]] })).toThrow(InvalidArgumentError);
    expect(() => linearModel([1, 2], { names: ['x'], columns: [[1, 3]] })).toThrow(/more observations/);
    expect(() => linearModel([1, 2, 3], { names: [], columns: [] }, { intercept: false })).toThrow(
      /no terms/,
    );
    expect(() => linearModel([1, 2, NaN], { names: [], columns: [] })).toThrow(/finite/);
  });

  it('intercept-only model: estimate = mean, se = sd/sqrt(n)', () => {
    const fit = linearModel(mpg, { names: [], columns: [] });
    const d = describe(mpg);
    expect(fit.coefficients[0]!.estimate).toBeCloseTo(d.mean, 12);
    expect(fit.coefficients[0]!.se).toBeCloseTo(d.sd! / Math.sqrt(32), 12);
    expect(fit.rSquared).toBeCloseTo(0, 12);
  });
});

suite('describe / quantile', () => {
  it('R summary statistics of mtcars$mpg (quantile type 7)', () => {
    const d = describe(mpg);
    expect(d.n).toBe(32);
    expect(d.mean).toBeCloseTo(20.090625, 12);
    expect(d.sd!).toBeCloseTo(6.0269480520891, 12);
    expect(d.min).toBe(10.4);
    expect(d.max).toBe(33.9);
    expect(d.q1).toBeCloseTo(15.425, 12);
    expect(d.median).toBeCloseTo(19.2, 12);
    expect(d.q3).toBeCloseTo(22.8, 12);
  });

  it('small samples', () => {
    expect(describe([3.2, -1, 7, 0.5, 12])).toMatchObject({ q1: 0.5, median: 3.2, q3: 7 });
    expect(describe([3.2, -1, 7, 0.5, 12]).sd!).toBeCloseTo(5.25147598299754, 12);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
    expect(quantile([4, 1], 0)).toBe(1);
    expect(quantile([4, 1], 1)).toBe(4);
    expect(describe([5])).toEqual({ n: 1, mean: 5, sd: null, min: 5, q1: 5, median: 5, q3: 5, max: 5 });
  });

  it('does not mutate its input and rejects empty / non-finite samples', () => {
    const v = [3, 1, 2];
    describe(v);
    quantile(v, 0.5);
    expect(v).toEqual([3, 1, 2]);
    expect(() => describe([])).toThrow(InvalidArgumentError);
    expect(() => describe([1, NaN])).toThrow(InvalidArgumentError);
    expect(() => quantile([1, 2], 1.5)).toThrow(InvalidArgumentError);
  });
});
