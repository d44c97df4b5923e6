/**
 * Preloaded into every thread of the traced program (`node --require preload.js`, inherited by worker
 * threads; in a command run, through NODE_OPTIONS, by every Node process the command starts): installs
 * the tracer as `globalThis.__asyncTimeline`, opens the thread's event stream, makes Node load the
 * prepared (instrumented) modules through both module systems, and flushes everything at exit.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { ROOT_STREAM } from '../protocol/events';
import { createNoopTracer, type TracerApi } from './tracer';
import { MANIFEST_ENV, TS_EXTENSIONS, type RunManifest } from './manifest';
import { codeOf, createLatePreparer } from './latePrepare';
import { COMPILE_HOOK, installStacks, readPrepared } from './stacks';
import { formatOf } from './moduleFormat';
import { asOurThread, findRunContext, handDown, PARENT_ENV, type RunContext } from './runContext';
import { openStream } from './threadStream';
import { foreignTsLoader, loadedTsLoader } from './foreignLoader';

const context = findRunContext();
if (context && context.role !== 'internal') hideOurFlags(process.execArgv);
const manifest: RunManifest | null = context ? JSON.parse(fs.readFileSync(context.manifestPath, 'utf8')) : null;
// The program must see the environment it would have seen without us. A command run is the exception:
// its processes hand the run on to theirs through the environment (docs/trace-format.md).
if (manifest && isMainThread && !manifest.command) delete process.env[MANIFEST_ENV];

/** Removes the runner's own node flags from process.execArgv (a worker thread inherits them from its parent). */
function hideOurFlags(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1] ?? '';
    if ((a === '--require' || a === '-r') && next.endsWith(path.join('runtime', 'preload.js'))) argv.splice(i--, 2);
    else if (a === '--import' && next === 'data:text/javascript,') argv.splice(i--, 2);
    else if (a === '--expose-internals' || a.startsWith('--stack-size=')) argv.splice(i--, 1);
  }
}

function install(tracer: TracerApi): void {
  Object.defineProperty(globalThis, '__asyncTimeline', { value: tracer, enumerable: false, configurable: true, writable: false });
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

/** ES modules: loader hooks on a hooks thread of Node's (one per thread that registers them, in Node 20), fed the same manifest. */
function hookImport(ctx: RunContext): void {
  const register = (Module as any).register as undefined | ((url: string, opts: unknown) => void);
  if (typeof register !== 'function') return; // Node < 20.6: CommonJS programs still work
  const m = manifest!;
  withoutWorkerAnnouncement(() => asOurThread(ctx, () => register(pathToFileURL(m.hooksModule).href, { data: { manifest: ctx.manifestPath } })));
}

/**
 * A worker thread's file is known only when Node runs it (after this preload), through Module.runMain
 * (which Node leaves patchable by preloads for this purpose): learn it there, and give an ES-module
 * worker the loader hooks the program's main thread may not have needed.
 */
function watchWorkerEntry(ctx: RunContext, needsHooks: boolean, learned: (file: string) => void): void {
  const M = Module as unknown as { runMain(main?: string): unknown };
  const runMain = M.runMain;
  M.runMain = function runMainOnce(this: unknown, main?: string) {
    M.runMain = runMain;
    if (typeof main === 'string') {
      learned(main);
      if (needsHooks && formatOf(main) === 'module') hookImport(ctx);
    }
    // eslint-disable-next-line prefer-rest-params
    return Reflect.apply(runMain, this, arguments);
  };
}

if (context && manifest && context.role !== 'internal') {
  const ctx = context;
  const m = manifest;
  installStacks({ ownDir: m.ownDir, codeOf: (file) => readPrepared(m.files[file]), loaderProbe: __filename, requireFrom: __filename });
  // No --expose-internals through NODE_OPTIONS: a command's processes get Node's own source-mapped stacks.
  if (m.command) process.setSourceMapsEnabled(true);
  let entry: string | undefined = isMainThread ? process.argv[1] : undefined;
  // Threads this one starts are its children; in a command run, so are the processes it starts once it
  // runs traced code (until then, its own parent stays theirs: npm and sh are not shown).
  handDown(ctx, ctx.key);
  if (m.command && ctx.role === 'root') process.env[PARENT_ENV] = ROOT_STREAM;
  const foreign = foreignTsLoader(process.execArgv, process.env.NODE_OPTIONS);
  const tsLoaderWarning = (loader: string) =>
    `the program loads TypeScript with ${loader}: the files it compiles ran untraced (leave the loader out: the tool compiles TypeScript itself)`;
  const warnings = foreign && isMainThread ? [tsLoaderWarning(foreign)] : [];
  // A loader the program requires itself (mocha's --require tsx/cjs) replaces our CommonJS hook: seen at exit.
  const warningsAtExit = () => {
    const loaded = !foreign && isMainThread ? loadedTsLoader(Object.keys(require.cache)) : null;
    return loaded ? [tsLoaderWarning(loaded)] : [];
  };
  const facts = { entry: () => entry, warnings, warningsAtExit, ...(m.command && isMainThread ? { argv: () => process.argv } : {}) };
  const onStart = () => {
    if (m.command && isMainThread) process.env[PARENT_ENV] = ctx.key;
  };
  install(m.trace ? openStream(m, ctx, facts, withoutWorkerAnnouncement, onStart) : createNoopTracer());
  hookRequire(m);
  // Another TypeScript loader's ES-module hooks would run before ours and be handed our compiled code.
  if (m.esm && !foreign) hookImport(ctx);
  if (!isMainThread) watchWorkerEntry(ctx, !m.esm && !foreign, (file) => (entry = file));
} else {
  // Our own threads (the writer, the ES-module hooks thread) get a tracer that records nothing.
  install(createNoopTracer());
}
