/**
 * Runs a program with tracing: prepare (instrument the module graph), spawn the user's `node`
 * with our preload, stream its output through, read the event file into a live trace, and end
 * cleanly however the program ends (exit, process.exit, crash, timeout, stop).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TraceBuilder, relativeTo } from '../core/traceBuilder';
import type { ExitReason, SourceSite, TraceExit } from '../protocol/trace';
import { MANIFEST_ENV, type RunManifest } from '../runtime/manifest';
import { formatOf } from '../runtime/moduleFormat';
import { StreamSetReader } from './streamSet';
import { launchCommand } from './commandLauncher';
import { prepareOffThread } from './preparer';
import type { PreparedProgram } from './moduleGraph';
import { isSourceError, SourceError } from '../instrument/errors';
import type * as Instrumenter from '../instrument';
import { isPythonFile } from './languages';
import { launchPython } from './pythonLauncher';
import { describePython, type PythonInterpreter } from './pythonInterpreter';
import type { RunCallbacks, RunHandle, RunOptions, RunResult } from './types';

export type { RunCallbacks, RunHandle, RunOptions, RunResult } from './types';

const DEFAULT_MAX_EVENTS = 5_000_000;
/** 4 MiB of shared ring: room for bursts while the writer thread is between rounds. */
const RING_EVENTS = 1 << 18;
/** Node's default --stack-size is 984 KiB; instrumented frames are up to ~1.5x larger. */
const STACK_KB = 1500;
/** How long to wait for the runtime to confirm it shipped everything before killing (stop/timeout); the
 * writer answers within ~10 ms, so this only runs out on a machine too loaded to schedule it. */
const STOP_GRACE_MS = 3000;
/** How often the host reads what the runtime appended to the event file while the program runs. */
const POLL_MS = 20;
/** While the program runs, live views get an update at least this often, events or not. */
const LIVE_TICK_MS = 500;

/** Finds dist/ (runtime, instrument bundle) from wherever this module was loaded (bundle or compiled tests). */
export function findDist(given?: string): string {
  const candidates = given
    ? [given]
    : [__dirname, path.join(__dirname, '..'), path.join(__dirname, '..', '..', '..', 'dist'), path.join(__dirname, '..', '..', 'dist')];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'runtime', 'preload.js')) && fs.existsSync(path.join(dir, 'prepareWorker.js'))) return dir;
  }
  throw new Error(`Async Timeline runtime not found near ${__dirname} (run \`npm run build\`)`);
}

/**
 * First stack frame that points into the user's own files: where the crash happened. Never one of the
 * tool's own frames (its dist/ folder, `ownDir` when given: loader hooks, runtime, bundles).
 */
export function crashSite(stack: string, cwd: string, ownDir?: string): SourceSite | null {
  const own = ownDir?.replace(/[\\/]+$/, '');
  for (const line of stack.split('\n')) {
    const m = /(?:^at |[\s(])((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith('file://') ? decodeURIComponent(m[1].slice('file://'.length)) : m[1];
    if (/[\\/]node_modules[\\/]/.test(file) || file.includes('/dist/runtime/')) continue;
    if (own && (file === own || file.startsWith(own + '/') || file.startsWith(own + '\\'))) continue;
    return { file: relativeTo(cwd, file), line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

let instrumenter: typeof Instrumenter | null = null;
/**
 * The instrumenter (with the TypeScript compiler inside) is its own bundle, loaded on first use:
 * the CLI's --help and the extension's activation do not pay for it.
 */
export function loadInstrumenter(dist = findDist()): typeof Instrumenter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  instrumenter ??= require(path.join(dist, 'instrument.js')) as typeof Instrumenter;
  return instrumenter;
}

/**
 * What a launcher hands the supervisor: how to start the program's interpreter with our runtime
 * inside, where its event file and stop file are, and how to read its crash output. One per
 * language (Node below, Python in pythonLauncher.ts); everything after the spawn is shared.
 */
export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The run's work folder (removed at the end). */
  work: string;
  eventsFile: string;
  /** Node runs: the folder where every other traced thread or process writes its own stream. */
  streamsDir?: string;
  stopFile: string;
  builder: TraceBuilder;
  /** The message when `command` cannot be started. */
  cannotStart(err: NodeJS.ErrnoException): string;
  /** Where an uncaught error was raised, from what the runtime reported. */
  crashSite(error: NonNullable<TraceBuilder['lastError']>): SourceSite | null;
  /** What the user should hear of after the run (e.g. "ran untraced"); returned in RunResult.notices. */
  notices?: string[];
  /** Python runs: the interpreter that runs the program. */
  interpreter?: PythonInterpreter;
}

/**
 * Starts a traced run. Rejects with SourceError when a file of the program does not parse, and
 * with a plain Error when the entry does not exist or the interpreter cannot be started.
 */
export async function startRun(opts: RunOptions, cb: RunCallbacks = {}): Promise<RunHandle> {
  const entry = path.resolve(opts.cwd, opts.entry);
  if (opts.command) return supervise(launchCommand(opts, entry, findDist(opts.distDir)), opts, cb);
  if (isPythonFile(entry)) {
    return supervise(await launchPython(opts, entry), opts, cb);
  }
  return supervise(await launchNode(opts, entry), opts, cb);
}

/** The Node launcher: instrument the module graph, then `node --require preload.js entry`. */
async function launchNode(opts: RunOptions, entry: string): Promise<Launch> {
  if (opts.entrySource === undefined && !fs.existsSync(entry)) throw new Error(`${opts.entry}: no such file`);
  const dist = findDist(opts.distDir);
  const trace = opts.instrument !== false;
  const packages = [...new Set(opts.packages ?? [])];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'async-timeline-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });

  let prepared: PreparedProgram;
  try {
    prepared = await prepareOffThread(dist, { entry, cwd: opts.cwd, trace, cacheDir: work, entrySource: opts.entrySource, packages });
  } catch (err) {
    cleanup();
    // Callers test `instanceof SourceError` against their own copy of the class.
    throw isSourceError(err) ? new SourceError(err.file, err.line, err.column, err.detail) : err;
  }
  const manifest = nodeManifest(opts, dist, work, { trace, files: prepared.files, esm: prepared.esm, lazySiteBase: prepared.nextSite, command: false });
  const manifestPath = writeManifest(manifest, work);

  // Not --enable-source-maps: it changes what the program's own error stacks look like. The runtime maps
  // positions itself, through Node's internal stack formatter (runtime/stacks.ts), which needs this flag.
  const nodeArgs = ['--expose-internals', '--require', path.join(dist, 'runtime', 'preload.js')];
  if (opts.testOnlyExtraPreload) nodeArgs.push('--require', opts.testOnlyExtraPreload);
  // The hooks around every call make each frame of the program a little larger; give the main thread's
  // JS stack the same head-room so deep (but finite) recursion still fits. Linux and macOS main threads
  // have 8 MiB of native stack, far above this; Windows' 1 MiB is not, so it keeps Node's default.
  if (trace && process.platform !== 'win32') nodeArgs.push(`--stack-size=${STACK_KB}`);
  // An ES-module entry must start in Node's ESM loader (any --import makes Node use it for the main module).
  if (formatOf(entry) === 'module') nodeArgs.push('--import', 'data:text/javascript,');
  const builder = new TraceBuilder({
    entry: relativeTo(opts.cwd, entry),
    cwd: opts.cwd,
    language: /\.[cm]?tsx?$/.test(entry) ? 'typescript' : 'javascript',
    startedAt: new Date().toISOString(),
  });

  for (const table of prepared.sites) builder.handleMessage({ type: 'sites', ...table });

  const node = opts.nodePath || 'node';
  return {
    command: node,
    args: [...nodeArgs, entry, ...(opts.args ?? [])],
    env: { ...process.env, ...(opts.env ?? {}), [MANIFEST_ENV]: manifestPath },
    work,
    eventsFile: manifest.eventsFile,
    streamsDir: manifest.streamsDir,
    stopFile: manifest.stopFile,
    builder,
    cannotStart: (e) =>
      e.code === 'ENOENT' ? `Cannot start node: "${node}" was not found (set the Node path).` : `Cannot start node: ${e.message}`,
    crashSite: (error) => crashSite(error.stack, opts.cwd, manifest.ownDir),
  };
}

/** The manifest of a Node run (a file, or every process of a command): where each thread's events go. */
export function nodeManifest(
  opts: RunOptions,
  dist: string,
  work: string,
  prepared: Pick<RunManifest, 'trace' | 'files' | 'esm' | 'lazySiteBase' | 'command'>,
): RunManifest {
  return {
    version: 1,
    ...prepared,
    cwd: opts.cwd,
    // Node names modules by their real path: a symlinked dist/ must be compared as what it points to.
    ownDir: fs.realpathSync(dist),
    instrumentModule: path.join(dist, 'instrument.js'),
    writerModule: path.join(dist, 'runtime', 'writer.js'),
    hooksModule: path.join(dist, 'runtime', 'hooks.mjs'),
    maxEvents: opts.maxEvents ?? DEFAULT_MAX_EVENTS,
    stopFile: path.join(work, 'stop'),
    eventsFile: path.join(work, 'events'),
    streamsDir: path.join(work, 'streams'),
    ringEvents: RING_EVENTS,
    packages: [...new Set(opts.packages ?? [])],
  };
}

/** Creates the event files' places and writes the manifest; returns its path. */
export function writeManifest(manifest: RunManifest, work: string): string {
  fs.writeFileSync(manifest.eventsFile, '');
  fs.mkdirSync(manifest.streamsDir, { recursive: true });
  const manifestPath = path.join(work, 'manifest.json');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return manifestPath;
}

/** Spawns what a launcher prepared and supervises it: output, events, stop, timeout, exit. */
async function supervise(launch: Launch, opts: RunOptions, cb: RunCallbacks): Promise<RunHandle> {
  const { builder, work } = launch;
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  const child = spawn(launch.command, launch.args, {
    cwd: opts.cwd,
    env: launch.env,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32', // its own process group, so stop can take the whole tree
    windowsHide: true,
  });

  const spawnError = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawnError) {
    cleanup();
    throw new Error(launch.cannotStart(spawnError as NodeJS.ErrnoException));
  }

  let updateTimer: NodeJS.Timeout | null = null;
  const interval = opts.updateIntervalMs ?? 100;
  const changed = () => {
    if (!cb.onUpdate || updateTimer) return;
    updateTimer = setTimeout(() => {
      updateTimer = null;
      cb.onUpdate?.();
    }, interval);
  };

  // Whatever is in the event file, a bad frame must not throw inside a timer of the host
  // (the extension host): the run goes on and `done` still resolves.
  let decodeError: unknown = null;
  const guarded = (step: () => void) => {
    try {
      step();
    } catch (err) {
      decodeError ??= err;
    }
  };
  const events = new StreamSetReader(launch.eventsFile, launch.streamsDir ?? null, {
    events: (bytes, stream) => {
      builder.handleEvents(bytes, stream);
      changed();
    },
    message: (msg, stream) => {
      guarded(() => builder.handleMessage(msg, stream));
      // Every thread's stream must have shipped its events before the tree is killed.
      if ((msg.type === 'stopping' || msg.type === 'end') && builder.stopAcknowledged) stopAcked?.();
      changed();
    },
  });
  const poller = setInterval(() => guarded(() => events.poll()), POLL_MS);
  // Time passes even when nothing is recorded (a program waiting on a timer): live views hear of it too.
  const clockTick = cb.onUpdate ? setInterval(changed, LIVE_TICK_MS) : null;
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    builder.addOutput('stdout', text, Date.now());
    cb.onStdout?.(text);
    changed();
  });
  child.stderr!.on('data', (text: string) => {
    builder.addOutput('stderr', text, Date.now());
    cb.onStderr?.(text);
    changed();
  });

  let reason: ExitReason | null = null;
  let stopAcked: (() => void) | null = null;
  let exited = false;
  const kill = () => {
    if (exited) return;
    try {
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const stop = (why: ExitReason) => {
    if (reason || exited) return;
    reason = why;
    // Ask the writer thread to ship everything, then kill the whole tree.
    const acked = new Promise<void>((resolve) => {
      stopAcked = resolve;
      if (builder.stopAcknowledged) resolve();
    });
    try {
      fs.writeFileSync(launch.stopFile, why);
    } catch {
      // work dir gone: nothing to flush
    }
    let graceTimer: NodeJS.Timeout | undefined;
    void Promise.race([acked, new Promise((r) => (graceTimer = setTimeout(r, STOP_GRACE_MS)))]).then(() => {
      clearTimeout(graceTimer);
      kill();
    });
  };
  const timeout = opts.timeoutMs && opts.timeoutMs > 0 ? setTimeout(() => stop('timeout'), opts.timeoutMs) : null;

  const exitInfo = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });

  const done: Promise<RunResult> = (async () => {
    const { code, signal } = await exitInfo;
    const endT = builder.timeAt(Date.now());
    if (timeout) clearTimeout(timeout);
    // Every frame the child wrote is in the file now (a frame cut short by SIGKILL is left undecoded).
    clearInterval(poller);
    if (clockTick) clearInterval(clockTick);
    guarded(() => events.close());
    if (updateTimer) clearTimeout(updateTimer);
    const why: ExitReason = reason ?? (builder.lastError || signal ? 'crashed' : 'exited');
    const exit: TraceExit = { code, signal, reason: why };
    if (builder.lastError && why === 'crashed') {
      exit.error = { message: builder.lastError.message, site: launch.crashSite(builder.lastError) };
    }
    guarded(() => builder.finish(exit, endT));
    cleanup();
    if (decodeError) cb.onStderr?.(`[async-timeline] part of the trace could not be read: ${String(decodeError)}\n`);
    const notices = launch.notices ?? [];
    const warnings = builder.warnings;
    return {
      trace: builder.snapshot(),
      exit,
      ...(notices.length ? { notices } : {}),
      ...(warnings.length ? { warnings: [...warnings] } : {}),
    };
  })();

  return {
    pid: child.pid!,
    done,
    snapshot: () => builder.snapshot(exited ? undefined : builder.timeAt(Date.now())),
    stop: () => stop('stopped'),
    ...(launch.interpreter ? { interpreter: describePython(launch.interpreter) } : {}),
    get eventBytes() {
      return events.bytes;
    },
  };
}
