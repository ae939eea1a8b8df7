/**
 * The one dense-matrix type of the package: `n` rows of dimension `d`, row-major, so entry `j` of
 * row `i` is `data[i*d + j]`. Point clouds, layer activations and arrays read from files are all
 * this type; `T` narrows the element type where only one is possible (activations are float32).
 */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  data: T;
  n: number;
  d: number;
  /**
   * The array's shape as stored, when it was not 2-D: an N-D array `(n, c, h, w)` is read as
   * `n × c·h·w` (C order, so each row is one sample flattened), a 1-D array `(n,)` as `n × 1`.
   */
  shape?: number[];
}
