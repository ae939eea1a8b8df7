import { readFileSync } from 'node:fs';
import { packageRoot } from './native.js';

/** The package version, read once from package.json ('unknown' if it cannot be read). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
