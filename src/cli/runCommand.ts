/**
 * `async-timeline run`: run one program traced, stream its output through, write the trace,
 * print the timeline. Thin on purpose: the run is the runner's, the pictures and exports are
 * core's; this file only wires them to the terminal and the file system.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildStandaloneHtml } from '../core/htmlExport';
import { toChromeTrace } from '../core/chromeTrace';
import { renderTextTimeline, summarizeTrace } from '../core/textTimeline';
import { SourceError } from '../instrument/errors';
import type { Trace, TraceExit } from '../protocol/trace';
import { startRun } from '../runner/run';
import { PythonNotFoundError } from '../runner/pythonInterpreter';
import type { RunHandle, RunOptions } from '../runner/types';
import type { RunCommand, TraceFileFormat } from './args';
import { UsageError } from './args';
import { explainText, pathLine, withExplanation } from './explainCommand';

/** Exit status after --timeout, as coreutils' `timeout` uses. */
export const EXIT_TIMEOUT = 124;
/** Exit status after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
/** Exit status for usage errors and sources that do not parse. */
export const EXIT_USAGE = 2;

/** Where the CLI's process-level dependencies come from (the real process, or a test's fakes). */
export interface CliIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The folder of the CLI bundle (dist/): the runtime and the built viewer live next to it. */
  distDir: string;
  /** Registers a Ctrl-C handler; returns its disposer. */
  onInterrupt(handler: () => void): () => void;
}

/** The exit status the CLI reports for a finished run: the program's own, or what replaced it. */
export function exitStatus(exit: TraceExit): number {
  if (exit.reason === 'timeout') return EXIT_TIMEOUT;
  if (exit.code !== null) return exit.code;
  // Stopped by Ctrl-C: what a shell reports for an interrupted command, whatever signal the
  // runner then needed to end the program.
  if (exit.reason === 'stopped') return EXIT_INTERRUPTED;
  // Killed by a signal: the shell convention 128 + signal number.
  const num = exit.signal ? (os.constants.signals as Record<string, number>)[exit.signal] : undefined;
  return num ? 128 + num : 1;
}

/** Whether `--node` names something that can be started: a path that exists, or a name on PATH. */
function executableExists(nodePath: string, env: NodeJS.ProcessEnv): boolean {
  if (/[\\/]/.test(nodePath)) return fs.existsSync(nodePath);
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD').split(';')] : [''];
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => exts.some((ext) => fs.existsSync(path.join(dir, nodePath + ext))));
}

/** The viewer bundle for `--format html`, read from dist/webview next to the CLI bundle. */
function readViewerAssets(distDir: string): { js: string; css: string } {
  const dir = path.join(distDir, 'webview');
  const js = path.join(dir, 'main.js');
  if (!fs.existsSync(js)) {
    throw new UsageError(
      `--format html needs the built timeline viewer (${js} is missing; run \`npm run build\`)`,
    );
  }
  const css = path.join(dir, 'main.css');
  return { js: fs.readFileSync(js, 'utf8'), css: fs.existsSync(css) ? fs.readFileSync(css, 'utf8') : '' };
}

/** The trace file's text in the chosen format. */
export function serializeTrace(
  trace: Trace,
  format: TraceFileFormat,
  viewer: { js: string; css: string } | null,
): string {
  switch (format) {
    case 'json':
      // Indented for people reading small traces; compact when size starts to matter.
      return JSON.stringify(trace, null, trace.tasks.length <= 1000 ? 1 : undefined) + '\n';
    case 'chrome':
      return JSON.stringify(toChromeTrace(trace)) + '\n';
    case 'html':
      if (!viewer) throw new Error('the html format needs the viewer assets');
      return buildStandaloneHtml(trace, viewer);
  }
}

/** Colours when asked, else when stderr is a terminal and NO_COLOR is not set (no-color.org). */
function useColor(cmd: RunCommand, io: CliIo): boolean {
  if (cmd.color !== null) return cmd.color;
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0') return true;
  return Boolean(io.stderr.isTTY);
}

/** Runs the command; resolves with the exit status. Throws {@link UsageError} for bad input. */
export async function runCommand(cmd: RunCommand, io: CliIo): Promise<number> {
  const entry = path.resolve(io.cwd, cmd.file);
  // A command run's `file` only names the run: the command says what runs.
  if (!cmd.runCommand) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(entry);
    } catch {
      throw new UsageError(`${cmd.file}: no such file`);
    }
    if (!stat.isFile()) throw new UsageError(`${cmd.file}: not a file`);
  }
  if (cmd.nodePath !== null && !executableExists(cmd.nodePath, io.env)) {
    throw new UsageError(
      `--node ${cmd.nodePath}: ${/[\\/]/.test(cmd.nodePath) ? 'no such file' : 'not found on PATH'}`,
    );
  }
  // Everything that can be wrong with the output is checked before the program runs, not after.
  const viewer = cmd.out !== null && cmd.format === 'html' ? readViewerAssets(io.distDir) : null;
  const outPath = cmd.out === null ? null : path.resolve(io.cwd, cmd.out);
  if (outPath !== null && !fs.existsSync(path.dirname(outPath))) {
    throw new UsageError(`--out ${cmd.out}: folder ${path.dirname(cmd.out!)} does not exist`);
  }

  const options: RunOptions = {
    entry,
    cwd: io.cwd,
    args: cmd.programArgs,
    timeoutMs: cmd.timeoutSeconds > 0 ? cmd.timeoutSeconds * 1000 : undefined,
    ...(cmd.graceSeconds !== null ? { stopGraceMs: cmd.graceSeconds * 1000 } : {}),
    ...(cmd.nodePath !== null ? { nodePath: cmd.nodePath } : {}),
    ...(cmd.pythonPath !== null ? { pythonPath: cmd.pythonPath, pythonSource: 'option' as const } : {}),
    ...(cmd.maxEvents !== null ? { maxEvents: cmd.maxEvents } : {}),
    ...(cmd.packages.length ? { packages: cmd.packages } : {}),
    ...(cmd.runCommand ? { command: cmd.runCommand } : {}),
  };

  let handle: RunHandle;
  try {
    handle = await startRun(options, {
      onStdout: (text: string) => io.stdout.write(text),
      onStderr: (text: string) => io.stderr.write(text),
    });
  } catch (err) {
    // A syntax error is the user's, not ours: `file:line:column: message`, no stack.
    if (err instanceof SourceError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT_USAGE;
    }
    // No usable Python: the user's setup, said in one line (like a bad --node).
    if (err instanceof PythonNotFoundError) throw new UsageError(err.message);
    throw err;
  }

  // Ctrl-C stops the program as it would without us (SIGINT, so its shutdown handlers run; SIGTERM
  // and SIGKILL after the grace period) and keeps the trace: it is written and drawn like any other
  // run. A second Ctrl-C kills the program's tree at once.
  const disposeInterrupt = io.onInterrupt(() => {
    if (!handle.stopping) io.stderr.write('async-timeline: stopping (Ctrl-C again to kill it now)\n');
    handle.stop();
  });
  const done = await handle.done.finally(disposeInterrupt);
  const { exit, notices, warnings } = done;
  const trace = cmd.explain ? withExplanation(done.trace) : done.trace;

  let status = exitStatus(exit);
  const err = io.stderr;
  for (const notice of notices ?? []) err.write(`async-timeline: ${notice}\n`);
  // An untraced run (Python < 3.11) has nothing to draw, and saying "no coroutines ran" would be wrong.
  if (cmd.timeline && !(notices?.length && trace.tasks.length === 0)) {
    // The terminal's width; when stderr is not a terminal, $COLUMNS (shells export it), else 100.
    const columns = err.columns ?? (Number(io.env.COLUMNS) || 100);
    const width = Math.max(60, Math.min(160, columns));
    const options = {
      width,
      color: useColor(cmd, io),
      foldMin: cmd.expand ? 0 : undefined,
      whole: cmd.wholeRun,
    };
    err.write(`\n${renderTextTimeline(trace, options)}\n`);
  }
  if (cmd.explain && trace.tasks.length) err.write(`\n${explainText(trace)}\n`);
  err.write(`${summarizeTrace(trace)}\n`);
  // What set the run's length, in one line.
  const critical = pathLine(trace);
  if (critical) err.write(`${critical}\n`);
  // Files that ran without tracing hooks (they ran all the same): one line each, with why.
  for (const u of trace.untraced ?? []) err.write(`untraced: ${u.file}: ${u.reason}\n`);
  // Told but not fatal (Python's "Task exception was never retrieved"): one line each under the summary.
  for (const w of warnings ?? []) err.write(`warning: ${w.split('\n')[0]}\n`);
  if (outPath !== null) {
    try {
      fs.writeFileSync(outPath, serializeTrace(trace, cmd.format, viewer));
      err.write(`trace (${cmd.format}) written to ${cmd.out}\n`);
    } catch (e) {
      err.write(`async-timeline: could not write ${cmd.out}: ${(e as Error).message}\n`);
      if (status === 0) status = 1;
    }
  }
  return status;
}
