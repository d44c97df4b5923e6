/**
 * The command line of `async-timeline`, parsed with node:util parseArgs (no dependency).
 * Pure: argv in, a command or a {@link UsageError} out; the caller decides what to print.
 */
import { parseArgs } from 'node:util';
import { PACKAGE_NAME } from '../runtime/manifest';
import { RUNNABLE_EXTENSIONS } from '../runner/languages';

/** What the trace file holds. */
export type TraceFileFormat = 'json' | 'chrome' | 'html';

export const TRACE_FILE_FORMATS: readonly TraceFileFormat[] = ['json', 'chrome', 'html'];

/** Source files the runner can start from (what Node would run, TypeScript, and Python). */
export const SOURCE_EXTENSIONS = RUNNABLE_EXTENSIONS;

export interface RunCommand {
  command: 'run';
  /** The program's entry file as the user typed it; for a command run, what names the run (see {@link runName}). */
  file: string;
  /** `run -- <command…>`: run this command instead of one file, every Node process it starts traced. */
  runCommand: string[] | null;
  out: string | null;
  format: TraceFileFormat;
  /** Seconds of the program's own code; 0 = no limit. */
  timeoutSeconds: number;
  /** --grace: seconds between SIGINT, SIGTERM and killing the tree on timeout/Ctrl-C; null = the runner's default. */
  graceSeconds: number | null;
  nodePath: string | null;
  /** The Python interpreter for a .py file (default: python3, else python, on PATH). */
  pythonPath: string | null;
  maxEvents: number | null;
  /** Packages from node_modules to instrument too (--instrument-package, repeatable). */
  packages: string[];
  timeline: boolean;
  color: boolean | null;
  programArgs: string[];
  /** --explain (or the `explain` command on a program): print the steps and add steps + criticalPath to the JSON. */
  explain: boolean;
  /** --expand: every task its own timeline row (no folding of similar tasks). */
  expand: boolean;
  /** --whole-run: the timeline's axis spans the whole run even when it was mostly idle. */
  wholeRun: boolean;
}

/** `explain <trace.json>`: tell a saved trace step by step, without running anything. */
export interface ExplainTraceCommand {
  command: 'explain';
  file: string;
}

export type CliCommand = RunCommand | ExplainTraceCommand | { command: 'help' } | { command: 'version' };

/** A mistake on the command line: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: async-timeline run <file> [options] [-- program args]
       async-timeline run [options] -- <command…>
       async-timeline explain <trace.json | file> [options] [-- program args]

Runs an async JavaScript/TypeScript or Python (asyncio, 3.11+) program with every coroutine
traced, passes its output through, then prints a timeline of when each task ran, where it
awaited and for how long, and the critical path: the chain of running and waiting that set
the run's length. \`explain\` tells a run step by step (who runs, what it waits on, who woke
it), from a saved trace or by running the file.

With no file, everything after -- is a command to run as it is (npm test, npx mocha …,
node --test …, npm start): every Node process it starts is traced, each its own group of
lanes (only processes that ran your code are shown), and its exit status is the tool's.

Options:
  --out <path>          write the trace to <path>
  --format <fmt>        json (default; the Trace format, docs/trace-format.md),
                        chrome (Chrome Trace Event format, opens in Perfetto / chrome://tracing),
                        html (a self-contained timeline viewer); inferred from an --out
                        ending in .html when not given
  --timeout <seconds>   stop the program after this long, counted from the start of its
                        own code (exit status 124)
  --grace <seconds>     a stop (--timeout, Ctrl-C) sends SIGINT as Ctrl-C in a terminal does,
                        then SIGTERM after this long, then kills the process tree after
                        as long again (default 2); a second Ctrl-C kills at once
  --node <path>         the node executable to run the program with (default: node on PATH)
  --python <path>       the Python interpreter for a .py file (default: python3, else python,
                        on PATH; pyenv shims are resolved to the real binary)
  --max-events <n>      stop recording after n events (the trace is marked truncated)
  --instrument-package <name>
                        trace inside this package from node_modules too (repeatable;
                        e.g. p-queue, @scope/name); other dependencies stay untouched
  --no-timeline         do not print the text timeline (the one-line summary still prints)
  --expand              one timeline row per task: without it, 3 or more tasks of one
                        function created by one parent are one row (\`handler ×40\`, p50
                        running / waiting time), the tasks they created counted in it
  --whole-run           the timeline's axis spans the whole run; without it a run that was
                        mostly idle (a server waiting for requests) is drawn where work happened
  --explain             also print the run step by step, and add steps and criticalPath
                        to the --out JSON
  --color / --no-color  force colours on or off (default: on when stderr is a terminal)
  -h, --help            show this help
  -v, --version         show the version

The program's stdout and stderr pass through unchanged; the timeline and summary go to
stderr, so stdout stays clean for pipes. Exit status: the program's own, 124 after
--timeout, 2 for usage errors and files that do not parse.

Examples:
  async-timeline run examples/workers.ts
  async-timeline run examples/crawl.ts --out crawl.trace.json
  async-timeline run examples/python/workers.py --python python3.12
  async-timeline explain examples/workers.ts
  async-timeline explain crawl.trace.json
  async-timeline run server.ts --timeout 10 --format chrome --out server.chrome.json -- --port 8080
  async-timeline run -- npm test
  async-timeline run --out tests.trace.json -- npx mocha test/queue.test.ts
  async-timeline run -- node --test test/queue.test.ts
`;

/**
 * What names a command run (its trace's \`entry\`): the first word of the command that is a source file
 * (\`test/queue.test.ts\`), else the project's package.json (\`npm test\`).
 */
export function runName(command: string[]): string {
  const lower = (w: string) => w.toLowerCase();
  return (
    command
      .slice(1)
      .find((w) => !w.startsWith('-') && SOURCE_EXTENSIONS.some((ext) => lower(w).endsWith(ext))) ??
    'package.json'
  );
}

function positiveNumber(name: string, text: string | undefined, integer: boolean): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} expects a ${integer ? 'whole number' : 'number'} ≥ 0, got '${text}'`);
  }
  return n;
}

/**
 * Parses `process.argv.slice(2)`. Everything after `--`, and any words after the file, are the
 * program's own arguments.
 */
export function parseCliArgs(argv: string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        out: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        timeout: { type: 'string', short: 't' },
        grace: { type: 'string' },
        node: { type: 'string' },
        python: { type: 'string' },
        'max-events': { type: 'string' },
        'instrument-package': { type: 'string', multiple: true },
        // node:util parseArgs on Node 20 has no `allowNegative`, so the negations are options too.
        'no-timeline': { type: 'boolean' },
        expand: { type: 'boolean' },
        'whole-run': { type: 'boolean' },
        explain: { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    // parseArgs explains itself ("Unknown option '--x'…"); add where program options go.
    const message = (err as Error).message;
    throw new UsageError(
      /Unknown option/.test(message) ? `${message} (program arguments go after --)` : message,
    );
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };

  const terminator = tokens.find((t) => t.kind === 'option-terminator')?.index ?? Infinity;
  const before = tokens
    .filter((t) => t.kind === 'positional' && t.index < terminator)
    .map((t) => (t as { value: string }).value);
  const after = tokens
    .filter((t) => t.kind === 'positional' && t.index > terminator)
    .map((t) => (t as { value: string }).value);
  if (before.length !== positionals.length - after.length)
    throw new UsageError('could not read the arguments');

  const [command, givenFile, ...extra] = before;
  if (command === undefined) throw new UsageError('missing command: try `async-timeline run <file>`');
  if (command !== 'run' && command !== 'explain')
    throw new UsageError(`unknown command '${command}': the commands are \`run\` and \`explain\``);
  if (command === 'explain' && givenFile !== undefined && givenFile.toLowerCase().endsWith('.json')) {
    if (extra.length || after.length) throw new UsageError('a saved trace takes no program arguments');
    return { command: 'explain', file: givenFile };
  }
  // `run -- npm test`: no file before the --, a command after it.
  const runCommand = command === 'run' && givenFile === undefined && after.length > 0 ? after : null;
  if (givenFile === undefined && !runCommand)
    throw new UsageError(
      command === 'run'
        ? 'missing file: `async-timeline run <file>` (or a command: `async-timeline run -- npm test`)'
        : 'missing file: `async-timeline explain <file>`',
    );
  const file = givenFile ?? runName(after);

  const lower = file.toLowerCase();
  if (!runCommand && !SOURCE_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    throw new UsageError(
      `'${file}' is not a JavaScript, TypeScript or Python file (${SOURCE_EXTENSIONS.join(' ')})`,
    );
  }

  const out = values.out ?? null;
  if (out === '') throw new UsageError('--out expects a file path');
  let format: TraceFileFormat;
  if (values.format !== undefined) {
    if (!TRACE_FILE_FORMATS.includes(values.format as TraceFileFormat)) {
      throw new UsageError(
        `--format expects one of ${TRACE_FILE_FORMATS.join(', ')}, got '${values.format}'`,
      );
    }
    format = values.format as TraceFileFormat;
    if (out === null) throw new UsageError(`--format ${format} needs --out <path> to write to`);
  } else {
    format = out !== null && /\.html?$/i.test(out) ? 'html' : 'json';
  }

  if (values.color && values['no-color'])
    throw new UsageError('--color and --no-color contradict each other');
  const maxEvents = positiveNumber('max-events', values['max-events'], true);
  if (maxEvents === 0) throw new UsageError('--max-events must be at least 1');
  if (values.node === '') throw new UsageError('--node expects a path');
  const packages = [...new Set(values['instrument-package'] ?? [])];
  for (const name of packages) {
    if (!PACKAGE_NAME.test(name))
      throw new UsageError(
        `--instrument-package expects a package name (like p-queue or @scope/name), got '${name}'`,
      );
  }
  if (values.python === '') throw new UsageError('--python expects a path');
  if (runCommand && values.node !== undefined)
    throw new UsageError('--node does not apply to a command: the command starts its own node');
  if (runCommand && values.python !== undefined)
    throw new UsageError('--python does not apply to a command run (Node processes are traced)');

  return {
    command: 'run',
    file,
    runCommand,
    out,
    format,
    timeoutSeconds: positiveNumber('timeout', values.timeout, false) ?? 0,
    graceSeconds: positiveNumber('grace', values.grace, false),
    nodePath: values.node ?? null,
    pythonPath: values.python ?? null,
    maxEvents,
    packages,
    // `explain` on a program tells the steps instead of drawing the timeline, unless asked for both.
    timeline: command === 'run' ? !values['no-timeline'] : false,
    color: values.color ? true : values['no-color'] ? false : null,
    programArgs: runCommand ? [] : [...extra, ...after],
    explain: command === 'explain' || values.explain === true,
    expand: values.expand === true,
    wholeRun: values['whole-run'] === true,
  };
}
