#!/usr/bin/env node
// Command-line entry point; the implementation lives in dist/cli.js (built by `npm run build`).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Unexpected (non-ricciflow) errors: exit 1; NODE_DEBUG=ricciflow shows the stack.
    const debug = /(^|[\s,])(ricciflow|\*)($|[\s,])/i.test(process.env.NODE_DEBUG || '');
    process.stderr.write(`ricciflow: ${debug && err && err.stack ? err.stack : err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
