/**
 * The `ricciflow` command: verbs dispatch to src/cli/*.
 *
 * Start-up cost matters (a verb may be run once per file from a shell loop), so this module loads
 * only the error classes and the small output helpers: each verb's module is imported when the
 * verb runs, and loads only what it uses (`geometry` never loads the statistics, training or
 * report code; `--version` does not load the native addon).
 */
import { readFileSync } from 'node:fs';

import { isParseArgsError, RicciflowError } from './core/errors.js';
import { debugEnabled, EXIT, EXIT_HELP, exitCodeOf, setArgv, setQuiet } from './cli/output.js';

type Verb = (argv: string[]) => Promise<number>;

const verbs: Record<string, { run: () => Promise<Verb>; help: string }> = {
  geometry: { run: async () => (await import('./cli/geometry.js')).geometryCommand, help: 'kNN graph, geodesics and curvature of one point cloud' },
  analyze: { run: async () => (await import('./cli/geometry.js')).analyzeCommand, help: 'Ricci coefficients of a network from per-layer activation files' },
  run: { run: async () => (await import('./cli/run.js')).runCommand, help: 'the main job: train a small grid, analyse every network, report' },
  sweep: { run: async () => (await import('./cli/sweep.js')).sweepCommand, help: 'resumable sweeps over datasets × architectures × seeds' },
  merge: { run: async () => (await import('./cli/sweep.js')).mergeCommand, help: 'merge sharded sweep outputs' },
  stats: { run: async () => (await import('./cli/stats.js')).statsCommand, help: 'accuracy association statistics of a results directory' },
  report: { run: async () => (await import('./cli/report.js')).reportCommand, help: 'HTML report with figures of a results directory' },
  data: { run: async () => (await import('./cli/data.js')).dataCommand, help: 'export a built-in dataset (synthetic or image pair) as .npy files' },
  export: { run: async () => (await import('./cli/export.js')).exportCommand, help: 'tidy tables (CSV or Arrow) of a results directory for pandas and R' },
  reproduce: { run: async () => (await import('./cli/reproduce.js')).reproduceCommand, help: "a paper's experiments with its recipe; our numbers beside the published ones" },
};

/** The package version from package.json (beside dist/ or src/), without loading the addon. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const USAGE = () =>
  `ricciflow — deep learning as discrete Ricci flow\n\nUsage: ricciflow <command> [options]\n` +
  `       ricciflow help <command> | ricciflow <command> --help | ricciflow --version\n\n` +
  Object.entries(verbs)
    .map(([n, v]) => `  ${n.padEnd(10)} ${v.help}`)
    .join('\n') +
  `\n\nGlobal options: --quiet (-q) no progress or notices on stderr; --out - writes a single output\n` +
  `file to stdout where a verb has one. NODE_DEBUG=ricciflow prints the stack of an error.\n\n${EXIT_HELP}\n`;

/** `--quiet`/`-q` anywhere before a `--` ends the options: a global flag, removed from argv. */
function takeQuiet(argv: string[]): { quiet: boolean; rest: string[] } {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const kept = head.filter((a) => a !== '--quiet' && a !== '-q');
  return { quiet: kept.length !== head.length, rest: [...kept, ...tail] };
}

export async function main(argv: string[]): Promise<number> {
  setArgv(argv);
  const { quiet, rest: args } = takeQuiet(argv);
  setQuiet(quiet);
  let [verb, ...rest] = args;
  if (verb === '--version' || verb === '-v') {
    process.stdout.write(`ricciflow ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (verb === 'help' && rest.length > 0) {
    // `ricciflow help VERB` = `ricciflow VERB --help`
    verb = rest[0]!;
    if (!verbs[verb]) {
      process.stderr.write(`ricciflow: unknown command '${verb}'\n\n${USAGE()}`);
      return EXIT.usage;
    }
    rest = ['--help'];
  } else if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(USAGE());
    return verb ? EXIT.ok : EXIT.usage;
  }
  const entry = verbs[verb];
  if (!entry) {
    process.stderr.write(`ricciflow: unknown command '${verb}'\n\n${USAGE()}`);
    return EXIT.usage;
  }
  try {
    const run = await entry.run();
    return await run(rest);
  } catch (err) {
    if (debugEnabled() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    if (err instanceof RicciflowError) {
      process.stderr.write(`ricciflow ${verb}: ${err.name}: ${err.message}\n`);
      return exitCodeOf(err);
    }
    if (isParseArgsError(err)) {
      process.stderr.write(`ricciflow ${verb}: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
