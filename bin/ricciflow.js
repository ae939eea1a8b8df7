#!/usr/bin/env node
// Command-line entry point; the implementation lives in dist/cli.js (built by `npm run build`).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ricciflow: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
