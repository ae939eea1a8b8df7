/**
 * Minimal type declarations for the parts of `jstat` (v1.9.x, CommonJS/UMD, no bundled
 * types and no `@types/jstat` package) that ricciflow uses. Import it as a default import
 * (`import jStat from 'jstat'`): the package assigns `module.exports = jStat`, which Node's
 * ESM loader exposes only as the default export.
 */
declare module 'jstat' {
  interface JStatStatic {
    /** Regularized incomplete beta function I_x(a, b). Returns `false` when x ∉ [0, 1]. */
    ibeta(x: number, a: number, b: number): number | false;
    /** Natural log of the gamma function. */
    gammaln(x: number): number;
    studentt: {
      cdf(x: number, dof: number): number;
      inv(p: number, dof: number): number;
    };
    normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
    /** The UMD build also exposes itself under this property. */
    jStat: JStatStatic;
  }
  const jStat: JStatStatic;
  export = jStat;
}
