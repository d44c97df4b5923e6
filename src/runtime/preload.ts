/**
 * Preloaded into the traced program (`node --require preload.js`): installs the tracer as
 * `globalThis.__asyncTimeline`, starts the writer thread, makes Node load the host-prepared
 * (instrumented) modules through both module systems, and flushes everything at exit.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { EVENT_BYTES } from '../protocol/events';
import { createNoopTracer, createTracer, Ctl, type TracerApi } from './tracer';
import { jsonFrame, writeAll } from './frames';
import { drain, lock, unlock } from './shipper';
import { MANIFEST_ENV, TS_EXTENSIONS, type RunManifest } from './manifest';
import { codeOf, createLatePreparer } from './latePrepare';
import { COMPILE_HOOK, installStacks, readPrepared } from './stacks';
import { hookRequirePaths } from './projectResolve';

const manifestPath = process.env[MANIFEST_ENV];
// The program must see the environment and command line it would have seen without us.
delete process.env[MANIFEST_ENV];
if (manifestPath) hideOurFlags(process.execArgv);

/** Removes the runner's own node flags from process.execArgv (Node's worker threads keep theirs regardless). */
function hideOurFlags(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1] ?? '';
    if ((a === '--require' || a === '-r') && next.endsWith(path.join('runtime', 'preload.js'))) argv.splice(i--, 2);
    else if (a === '--import' && next === 'data:text/javascript,') argv.splice(i--, 2);
    else if (a === '--expose-internals' || a.startsWith('--stack-size=')) argv.splice(i--, 1);
  }
}
const manifest: RunManifest | null = manifestPath ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : null;

function install(tracer: TracerApi): void {
  Object.defineProperty(globalThis, '__asyncTimeline', { value: tracer, enumerable: false, configurable: true, writable: false });
}

function startTracing(m: RunManifest): TracerApi {
  const ring = new SharedArrayBuffer(m.ringEvents * EVENT_BYTES);
  const ctlBuffer = new SharedArrayBuffer(Ctl.Size * 4);
  const ctl = new Int32Array(ctlBuffer);
  // Appending to a file never waits for the host (a pipe would, and the ring would fill behind it).
  const fd = fs.openSync(m.eventsFile, 'a');
  let closed = false;

  /** A JSON frame from the main thread: take the lock so frames never interleave with the writer's. */
  const send = (message: unknown) => {
    if (closed) return;
    if (!lock(ctl, 2000)) return;
    try {
      writeAll(fd, jsonFrame(message));
    } catch {
      // host gone
    }
    unlock(ctl);
  };

  const tracer = createTracer(ring, ctl, m.maxEvents, {
    started: (origin) =>
      send({
        type: 'start',
        pid: process.pid,
        epochMs: performance.timeOrigin + origin,
        nodeVersion: process.version,
        maxEvents: m.maxEvents,
      }),
    sites: (file, base, entries) => send({ type: 'sites', file, base, entries }),
    waitForRoom: () => {
      // The ring is full: wake the writer and wait for it (bounded: a dead host must not hang us).
      const ringEvents = m.ringEvents;
      const deadline = Date.now() + 10_000;
      while (Atomics.load(ctl, Ctl.Write) - Atomics.load(ctl, Ctl.Read) >= ringEvents && Date.now() < deadline) {
        Atomics.store(ctl, Ctl.Wake, 1);
        Atomics.notify(ctl, Ctl.Wake);
        Atomics.wait(ctl, Ctl.Read, Atomics.load(ctl, Ctl.Read), 20);
      }
    },
    truncated: (atEvent) => send({ type: 'truncated', atEvent }),
  });

  const writer = withoutWorkerAnnouncement(
    () =>
      new Worker(m.writerModule, {
        workerData: { ring, ctlBuffer, fd, stopFile: m.stopFile, intervalMs: 10 },
        execArgv: [],
        stdin: false,
        stdout: true,
        stderr: true,
      }),
  );
  writer.unref();
  // A thread's start-up costs a few tens of ms of CPU; had the program started meanwhile, the two would compete
  // and its first timers would fire late. Wait until the writer runs (bounded, should it never come up).
  Atomics.wait(ctl, Ctl.Ready, 0, 5000);

  // Crashes: the monitor sees uncaught exceptions and (as Node turns them into exceptions)
  // unhandled rejections, without changing what Node does with them.
  process.on('uncaughtExceptionMonitor', (err: any, origin) => {
    // A program with its own 'uncaughtException' listener handles the error itself: not a crash.
    if (process.listenerCount('uncaughtException') > 0) return;
    send({
      type: 'error',
      kind: origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException',
      message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? String(err.stack) : String(err),
    });
  });

  // At exit (normal end, process.exit, crash): ship what is left, say goodbye, and keep the file ours.
  process.on('exit', (code) => {
    if (!lock(ctl, 2000)) return;
    try {
      drain(ring, ctl, fd);
      writeAll(fd, jsonFrame({ type: 'end', reason: 'exit', code, events: Atomics.load(ctl, Ctl.Write) }));
    } catch {
      // host gone
    }
    closed = true; // never unlock: the writer thread must not write after the goodbye
  });
  return tracer;
}

/**
 * Runs `start`, which creates a thread (ours, or Node's loader-hooks thread), leaving out Node's
 * `process.nextTick(() => process.emit('worker', w))` announcement of it: the program started no thread,
 * and a tick pending when it starts makes its first microtasks (and ES-module evaluation) run under
 * processTicksAndRejections — an extra frame in its error stacks. Other ticks queued meanwhile are kept.
 */
function withoutWorkerAnnouncement<T>(start: () => T): T {
  const nextTick = process.nextTick;
  const kept: Array<[(...a: any[]) => void, any[]]> = [];
  process.nextTick = (fn: (...a: any[]) => void, ...args: any[]) => {
    if (!/process\.emit\(\s*['"]worker['"]/.test(Function.prototype.toString.call(fn))) kept.push([fn, args]);
  };
  try {
    return start();
  } finally {
    process.nextTick = nextTick;
    for (const [fn, args] of kept) process.nextTick(fn, ...args);
  }
}

/**
 * CommonJS: compile prepared modules instead of the files on disk. That includes ES modules loaded by
 * `require()` where Node allows it (require(esm), `process.features.require_module`): Node would read
 * those from disk (its ES-module hooks do not see a require), so a CommonJS program requiring an
 * ESM-only package it chose to instrument would run it untraced. `_compile(code, file, 'module')` is
 * Node's own path for that case (.mjs files reach the `.js` handler: Node falls back to it).
 */
function hookRequire(m: RunManifest): void {
  const prepareLate = createLatePreparer(m, m.lazySiteBase);
  const exts = (Module as any)._extensions as Record<string, (module: any, filename: string) => void>;
  const jsHandler = exts['.js'];
  const requireEsm = (process.features as { require_module?: boolean }).require_module === true;
  // Not '.cjs': Node has no handler of its own for it (the '.js' one loads it), and the program may list them.
  for (const ext of ['.js', ...TS_EXTENSIONS]) {
    const original = exts[ext] ?? jsHandler;
    // Named by a property key (a minifier keeps it): error stacks show this frame as the Node loader
    // frame it stands in for (stacks.ts).
    exts[ext] = {
      [COMPILE_HOOK](module: any, filename: string) {
        const entry = prepareLate(filename);
        if (entry && entry.format === 'commonjs') return module._compile(codeOf(entry), filename);
        // require() of an ES module (Node 20.19+/22.12+): hand Node the prepared code on its own path.
        if (entry && entry.format === 'module' && requireEsm) return module._compile(codeOf(entry), filename, 'module');
        return original(module, filename);
      },
    }[COMPILE_HOOK];
  }
}

/** ES modules: loader hooks on Node's hooks thread, fed the same manifest. */
function hookImport(m: RunManifest): void {
  const register = (Module as any).register as undefined | ((url: string, opts: unknown) => void);
  if (typeof register !== 'function') return; // Node < 20.6: CommonJS programs still work
  withoutWorkerAnnouncement(() => register(pathToFileURL(m.hooksModule).href, { data: { manifest: manifestPath ? path.resolve(manifestPath) : null } }));
}

if (manifest) {
  const m = manifest;
  installStacks({ ownDir: m.ownDir, codeOf: (file) => readPrepared(m.files[file]), loaderProbe: __filename, requireFrom: __filename });
}

if (manifest && isMainThread) {
  install(manifest.trace ? startTracing(manifest) : createNoopTracer());
  hookRequire(manifest);
  hookRequirePaths(manifest);
  if (manifest.esm) hookImport(manifest);
} else {
  // Worker threads of the program inherit our --require: give their instrumented code a tracer that records nothing.
  install(createNoopTracer());
  if (manifest) hookRequire(manifest);
}
