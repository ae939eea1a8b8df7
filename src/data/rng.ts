/**
 * A small seeded pseudo-random generator for reproducible datasets and subsets.
 *
 * Algorithm: **xoshiro128\*\*** (Blackman & Vigna, 2018), 128 bits of state in four 32-bit words,
 * period 2^128 − 1, all arithmetic in 32-bit integers (`Math.imul`, `>>>`). The state is filled
 * from the seed with **splitmix32** (a 32-bit variant of SplitMix: add the golden-ratio constant
 * 0x9e3779b9, then mix with two xor-shift-multiply rounds), which never yields the forbidden
 * all-zero state in practice and decorrelates nearby seeds.
 *
 * - `uniform()` uses the top 53 bits of two outputs: a double in [0, 1).
 * - `normal()` is the Box–Muller transform; the second value of each pair is kept for the next call.
 * - `int(n)` is unbiased (rejection of the incomplete last block of 2^32).
 * - `shuffle(a)` is the Fisher–Yates shuffle, in place.
 *
 * Same seed ⇒ same sequence on every platform. Not for cryptography.
 */
import { InvalidArgumentError } from '../core/errors.js';

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | undefined = undefined;

  /** @param seed any finite number; integers up to 2^53 are used in full (both 32-bit halves). */
  constructor(seed: number = 0) {
    if (!Number.isFinite(seed)) throw new InvalidArgumentError(`seed must be a finite number, got ${seed}`, 'seed');
    const s = Math.trunc(seed);
    const lo = s >>> 0; // low 32 bits (two's complement for negatives)
    const hi = Math.floor(s / 4294967296) >>> 0;
    // splitmix32 stream seeded by (lo, hi): two words from each half.
    let x = lo ^ Math.imul(hi, 0x85ebca6b);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next() ^ hi;
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw output: an unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) (53 random bits); with bounds, uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    const u = (a * 67108864 + b) / 9007199254740992;
    return lo + (hi - lo) * u;
  }

  /** Gaussian deviate (Box–Muller), mean `mean`, standard deviation `sd`. */
  normal(mean = 0, sd = 1): number {
    let z: number;
    if (this.spare !== undefined) {
      z = this.spare;
      this.spare = undefined;
    } else {
      const u1 = 1 - this.uniform(); // (0, 1]: log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      const th = 2 * Math.PI * u2;
      z = r * Math.cos(th);
      this.spare = r * Math.sin(th);
    }
    return mean + sd * z;
  }

  /** Uniform integer in [0, n), unbiased; `n` an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new InvalidArgumentError(`int(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`, 'n');
    }
    // Largest multiple of n not above 2^32; draws at or past it are rejected.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A new generator for `seed` (see {@link Rng}). */
export function createRng(seed = 0): Rng {
  return new Rng(seed);
}
