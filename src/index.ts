/**
 * ricciflow — deep learning as discrete Ricci flow. Public API.
 */
export * from './errors.js';
export * from './geometry.js';
export { readPoints, readNpy, writeNpy, readCsv, parseNpy, encodeNpy, parseCsv, type Matrix } from './io.js';
export * from './analysis.js';
export * as stats from './stats.js';
