/**
 * The Python launcher: `<python> <script.py> args…` with our tracer package first on PYTHONPATH
 * (its sitecustomize starts the tracer when the manifest variable is set, then removes both, so
 * child processes run untraced) — the script runs as the real `__main__`, with Python's own argv,
 * tracebacks and exit codes. Stopping is the shared one (stop file, then SIGINT: KeyboardInterrupt, as
 * Ctrl-C gives; then SIGTERM, then kill); a crash site comes from
 * the runtime's `error.site`, else from the innermost user frame of the traceback text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { relativeTo, TraceBuilder } from '../core/traceBuilder';
import { PY_MANIFEST_ENV, type PythonRunManifest } from '../protocol/pythonManifest';
import type { SourceSite } from '../protocol/trace';
import { describePython, resolvePython } from './pythonInterpreter';
import type { Launch } from './run';
import { findDist } from './run';
import type { RunOptions } from './types';

const DEFAULT_MAX_EVENTS = 5_000_000;

/** The folder of the tracer package inside dist/ (copied there by esbuild.mjs). */
export function pyruntimeDir(dist: string): string {
  return path.join(dist, 'pyruntime');
}

/**
 * Where a Python traceback says the error was raised: the innermost `File "…", line N` frame in the
 * user's own files (under `userRoots`, not our tracer). Python gives no column in the text.
 */
export function pythonCrashSite(traceback: string, cwd: string, userRoots: string[], ownDir?: string): SourceSite | null {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '');
  const roots = userRoots.map(norm);
  const own = ownDir ? norm(ownDir) : null;
  let found: SourceSite | null = null;
  for (const m of traceback.matchAll(/^\s*File "([^"]+)", line (\d+)/gm)) {
    const file = norm(m[1]);
    if (own && (file === own || file.startsWith(own + '/'))) continue;
    if (!roots.some((r) => file.startsWith(r + '/'))) continue;
    if (/\/(site|dist)-packages\//.test(file)) continue;
    found = { file: relativeTo(cwd, m[1]), line: Number(m[2]), column: 1 };
  }
  return found;
}

/** Prepares a Python run (resolves the interpreter, writes the manifest). */
export async function launchPython(opts: RunOptions, entry: string): Promise<Launch> {
  if (!fs.existsSync(entry)) throw new Error(`${opts.entry}: no such file`);
  const dist = findDist(opts.distDir);
  const runtimeDir = pyruntimeDir(dist);
  if (!fs.existsSync(path.join(runtimeDir, 'sitecustomize.py'))) {
    throw new Error(`Async Timeline's Python tracer was not found in ${runtimeDir} (run \`npm run build\`)`);
  }
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  const python = await resolvePython({
    given: opts.pythonPath ? { path: opts.pythonPath, source: opts.pythonSource ?? 'option' } : undefined,
    cwd: opts.cwd,
    env: baseEnv,
  });
  const trace = opts.instrument !== false;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'async-timeline-'));
  const userRoots = [...new Set([path.dirname(entry), path.resolve(opts.cwd)])];
  const manifest: PythonRunManifest = {
    version: 1,
    eventsFile: path.join(work, 'events'),
    stopFile: path.join(work, 'stop'),
    maxEvents: opts.maxEvents ?? DEFAULT_MAX_EVENTS,
    cwd: opts.cwd,
    userRoots,
    trace,
  };
  fs.writeFileSync(manifest.eventsFile, '');
  const manifestPath = path.join(work, 'manifest.json');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));

  const builder = new TraceBuilder({
    entry: relativeTo(opts.cwd, entry),
    cwd: opts.cwd,
    language: 'python',
    startedAt: new Date().toISOString(),
  });
  const existing = baseEnv.PYTHONPATH;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PYTHONPATH: existing ? `${runtimeDir}${path.delimiter}${existing}` : runtimeDir,
    [PY_MANIFEST_ENV]: manifestPath,
  };
  // A piped stdout is block-buffered by Python: without this, output would arrive (and be
  // timestamped) only at exit. The user's own setting wins.
  if (env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
  const notices: string[] = [];
  if (trace && !python.traced) {
    notices.push(
      `${describePython(python)}: tracing needs Python 3.11 or newer; the program ran untraced`,
    );
  }
  const ownDir = fs.realpathSync(runtimeDir);
  return {
    command: python.path,
    args: [entry, ...(opts.args ?? [])],
    env,
    work,
    eventsFile: manifest.eventsFile,
    stopFile: manifest.stopFile,
    builder,
    notices,
    cannotStart: (e) => `Cannot start Python "${python.path}": ${e.code === 'ENOENT' ? 'not found' : e.message}`,
    crashSite: (error) => error.site ?? pythonCrashSite(error.stack, opts.cwd, userRoots, ownDir),
    interpreter: python,
  };
}
