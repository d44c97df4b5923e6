/**
 * TEST-ONLY preload for the oracle test (test/unit/oracle.test.ts): loaded into a traced program
 * right after the runtime's own preload (RunOptions.testOnlyExtraPreload), it watches the SAME run
 * with V8's promise hooks and writes what the engine did to a JSON file at exit.
 *
 * What it records (see OracleLog in oracleCompare.ts):
 * - every promise the engine creates gets a serial number (1, 2, …) on first sight; per promise:
 *   its `init` parent (the promise a `then`/`catch`/`finally`/await/combinator-element reaction
 *   hangs off), the reaction job that was running when it was created and when it settled, and
 *   when (performance.now() − our origin, see the clock below) it settled. V8's `settled` hook
 *   fires when the promise really settles: a promise resolved with a thenable stays pending (no
 *   hook) until the thenable settles it.
 * - which promise is each task's: the tracer's `e()` hook runs first thing in a coroutine body,
 *   and the engine creates the async function's implicit promise on entry, just before; when the
 *   promise-hook event right before `e()` (nothing else in between, not even another hook of ours)
 *   is the `init` of a parentless promise, that promise is the task's. Otherwise (code ran between
 *   entry and body: parameter defaults) the task is reported unmapped, never guessed.
 * - which promise each suspension waited on: the first promise `init` after `y`/`ya` hand the
 *   awaited value back belongs to the engine's `await`: either its throwaway, whose parent is the
 *   value itself (a native promise, awaited as is), or the promise PromiseResolve made for any
 *   other value (it adopts a thenable); V8 gives that one the awaiting function's own promise as
 *   parent, which is dropped (it is no dependency).
 * - combinators called through the tracer's `g` (every `Promise.all/allSettled/race/any(...)` in
 *   instrumented code): the element reactions attached during the call tie the result to its members.
 * - async generator requests: a parentless init right before e()/r()/rc() of a generator task is
 *   the next()/return()/throw() request that resumed it.
 * - the body's end: our clock around the first f()/x() of each task (the tracer reads its settle
 *   time inside it) and the event serial of the last one, so the test can tell when the engine
 *   settled the promise as the very next event.
 * - settle state: %PromiseStatus of each task promise, read again at exit (V8 runs the settled
 *   hook of a fulfilment before it marks the promise fulfilled).
 * - the clock: ours read right before the first s()/e() (where the tracer takes its origin) and
 *   around every e() (each bounds the offset from both sides against the trace's created.t).
 *
 * The test loads this file from a copy inside a `node_modules` folder: the runtime instruments
 * every other file the program requires, and an instrumented oracle would call the very hooks it
 * wraps.
 *
 * The program sees nothing of this: no global, no property on its objects, its own environment
 * and process.execArgv; the hooks only slow it down.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { isMainThread } from 'node:worker_threads';

/** oracleCompare.ts#ORACLE_OUT_ENV (this file imports nothing of the project: see below). */
const ORACLE_OUT_ENV = 'ASYNC_TIMELINE_ORACLE_OUT';

const out = process.env[ORACLE_OUT_ENV];
delete process.env[ORACLE_OUT_ENV];
// Hide our own --require from the program (and from child processes forked with process.execArgv).
for (let i = 0; i < process.execArgv.length; i++) {
  const a = process.execArgv[i];
  if ((a === '--require' || a === '-r') && (process.execArgv[i + 1] ?? '').endsWith('oraclePreload.js'))
    process.execArgv.splice(i--, 2);
}

type Api = Record<string, (...args: any[]) => any> & { n: number };
const api = (globalThis as any).__asyncTimeline as Api | undefined;

if (out && isMainThread && api && typeof api.e === 'function') install(api, out);

function install(api: Api, outFile: string): void {
  const now = performance.now.bind(performance);
  // %PromiseStatus: 0 pending, 1 fulfilled, 2 rejected — the engine's own word, with no side effect
  // (util.inspect would read the value: getters, Symbol.toStringTag, error.stack).
  v8.setFlagsFromString('--allow-natives-syntax');
  const promiseStatus = new Function('p', 'return %PromiseStatus(p)') as (p: Promise<unknown>) => number;
  v8.setFlagsFromString('--no-allow-natives-syntax');

  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const pid = (p: object): number => {
    let id = ids.get(p);
    if (id === undefined) {
      id = nextId++;
      ids.set(p, id);
    }
    return id;
  };

  // Per promise (index = serial). 0 = none.
  const parent: number[] = [0];
  const initJob: number[] = [0];
  const settleT: (number | null)[] = [null];
  const settleState: number[] = [0];
  const settleJob: number[] = [0];
  const taskOf: number[] = [0];
  let serial = 0;
  const grow = (id: number) => {
    while (parent.length <= id) {
      settleSerial.push(0);
      parent.push(0);
      initJob.push(0);
      settleT.push(null);
      settleState.push(0);
      settleJob.push(0);
      taskOf.push(0);
    }
  };

  let origin = -1;
  let originAfter = -1;
  const jobs: number[] = [];
  const job = () => (jobs.length > 0 ? jobs[jobs.length - 1] : 0);

  /** Serial of the last promise-hook event or hook call of ours, and what it was (for e()'s mapping). */
  let lastEvent: { kind: 'init'; promise: number; object: Promise<unknown> } | { kind: 'other' } = {
    kind: 'other',
  };
  /** The suspension whose throwaway promise we are waiting for (set by y/ya until the next init with a parent). */
  let pendingAwait: { entry: [number, number]; value: unknown } | null = null;
  /** Promises PromiseResolve made for an awaited value that was not a native promise. */
  const wrappers: number[] = [];
  /** Members' promises seen while a combinator call runs (nested calls each keep their own list). */
  const combinatorStack: number[][] = [];

  const tasks: [task: number, promise: number][] = [];
  /** Task promises, to read their final state at exit (V8 runs the settled hook of a fulfilment before it marks the promise fulfilled). */
  const taskPromises: Promise<unknown>[] = [];

  const unmapped: [task: number, why: string][] = [];
  /** [task, promise]: requests that resumed a suspended generator task (see `resumed`). */
  const requests: [task: number, promise: number][] = [];
  /**
   * Per task, its body's end as the tracer saw it: our clock around the first f()/x() call (the
   * tracer reads its settle time inside that one) and the event serial of the last such call.
   */
  const bodyEnd = new Map<number, [before: number, after: number, serial: number]>();
  /** Event serial at which each promise settled (every hook event and hook call of ours counts one). */
  const settleSerial: number[] = [0];
  /** Our clock right before and after each task's e() (the trace's created.t is read inside it). */
  const entered: [task: number, before: number, after: number][] = [];
  const awaits: [task: number, promise: number][] = [];
  const combinators: [result: number, code: number, members: number[]][] = [];

  const hookStop = v8.promiseHooks.createHook({
    init(promise, initParent) {
      serial++;
      let parentPromise: Promise<unknown> | undefined = initParent;
      const id = pid(promise);
      grow(id);
      initJob[id] = job();
      if (pendingAwait !== null) {
        // The await right after y/ya: either its throwaway, hanging off the value itself (a native
        // promise, awaited as is), or the promise PromiseResolve made for any other value (V8 gives
        // that one the awaiting function's own promise as parent: not a dependency, dropped).
        const rec = pendingAwait;
        pendingAwait = null;
        if (parentPromise !== undefined && parentPromise === rec.value) rec.entry[1] = pid(parentPromise);
        else {
          rec.entry[1] = id;
          wrappers.push(id);
          parentPromise = undefined;
        }
      }
      if (parentPromise !== undefined) {
        const p = pid(parentPromise);
        grow(p);
        parent[id] = p;
        if (combinatorStack.length > 0) combinatorStack[combinatorStack.length - 1].push(p);
      }
      lastEvent =
        parentPromise === undefined
          ? { kind: 'init', promise: id, object: promise as Promise<unknown> }
          : { kind: 'other' };
    },
    settled(promise) {
      const t = now() - origin;
      const id = pid(promise);
      grow(id);
      settleT[id] = t;
      settleState[id] = promiseStatus(promise as Promise<unknown>);
      settleJob[id] = job();
      settleSerial[id] = ++serial;
      lastEvent = { kind: 'other' };
    },
    before(promise) {
      serial++;
      jobs.push(pid(promise));
      lastEvent = { kind: 'other' };
    },
    after() {
      serial++;
      jobs.pop();
      lastEvent = { kind: 'other' };
    },
  });

  const markOrigin = () => {
    if (origin < 0) origin = now();
  };
  const wrap = (name: string, around: (orig: (...a: any[]) => any, args: any[]) => any) => {
    const orig = api[name];
    if (typeof orig !== 'function') return;
    api[name] = function (this: unknown, ...args: any[]) {
      serial++;
      return around(orig, args);
    };
  };
  const plain = (orig: (...a: any[]) => any, args: any[]) => {
    const v = orig.apply(api, args);
    lastEvent = { kind: 'other' };
    return v;
  };

  // The tracer's t = 0 is taken inside the first s() or e() call, as its first step: read the
  // clock right before (and after, to know the bound) that first call.
  wrap('s', (orig, args) => {
    const first = origin < 0;
    markOrigin();
    const v = orig.apply(api, args);
    if (first) originAfter = now();
    lastEvent = { kind: 'other' };
    return v;
  });
  wrap('e', (orig, args) => {
    const before = lastEvent;
    const first = origin < 0;
    markOrigin();
    const t0 = now();
    const t = orig.apply(api, args) as number;
    const t1 = now();
    if (first) originAfter = t1;
    if (t > 0) entered.push([t, t0 - origin, t1 - origin]);
    if (t > 0) {
      if (before.kind === 'init' && taskOf[before.promise] === 0) {
        taskOf[before.promise] = t;
        tasks.push([t, before.promise]);
        taskPromises.push(before.object);
      } else {
        unmapped.push([t, 'other code ran between the function entry and its body (parameter defaults?)']);
      }
    }
    lastEvent = { kind: 'other' };
    return t;
  });
  const suspension = (task: number, value: unknown) => {
    const entry: [number, number] = [task, 0];
    awaits.push(entry);
    // Kept only until the await's first init, a moment later.
    pendingAwait = { entry, value };
  };
  wrap('y', (orig, args) => {
    const v = orig.apply(api, args);
    suspension(args[0] as number, v);
    lastEvent = { kind: 'other' };
    return v;
  });
  wrap('ya', (orig, args) => {
    const v = orig.apply(api, args);
    suspension(args[0] as number, v);
    lastEvent = { kind: 'other' };
    return v;
  });
  wrap('g', (orig, args) => {
    const members: number[] = [];
    combinatorStack.push(members);
    let result: unknown;
    try {
      result = orig.apply(api, args);
    } finally {
      combinatorStack.pop();
    }
    if (result instanceof Promise) combinators.push([pid(result), args[1] as number, members]);
    lastEvent = { kind: 'other' };
    return result;
  });
  // A body resuming right after a parentless init: an async generator's next()/return()/throw()
  // request (made on the call, then the generator resumes at once). Those promises are the
  // generator's own doing: an await on one waits on that generator task.
  const resumed = (orig: (...a: any[]) => any, args: any[]) => {
    const before = lastEvent;
    const v = orig.apply(api, args);
    if (before.kind === 'init' && taskOf[before.promise] === 0)
      requests.push([args[0] as number, before.promise]);
    lastEvent = { kind: 'other' };
    return v;
  };
  const ended = (orig: (...a: any[]) => any, args: any[]) => {
    const at = serial;
    const t0 = now();
    const v = orig.apply(api, args);
    const t1 = now();
    const task = args[0] as number;
    const seen = bodyEnd.get(task);
    if (seen) seen[2] = at;
    else bodyEnd.set(task, [t0 - origin, t1 - origin, at]);
    lastEvent = { kind: 'other' };
    return v;
  };
  wrap('x', ended);
  wrap('f', ended);
  wrap('r', resumed);
  wrap('rc', resumed);
  for (const name of Object.keys(api)) {
    if (
      name === 'n' ||
      ['s', 'e', 'y', 'ya', 'g', 'r', 'rc', 'x', 'f'].includes(name) ||
      typeof api[name] !== 'function'
    )
      continue;
    // fa's iterator calls api.y itself (a property read at call time): it goes through our y.
    wrap(name, plain);
  }

  // Registered right after the tracer's own exit handler (its preload ran just before us): what
  // settles later (in the program's exit listeners) is past the trace's end for both.
  process.on('exit', () => {
    const endT = now() - origin;
    hookStop();
    const promises = parent.length;
    // Final states of the task promises that settled (a rejection is already marked in the hook).
    tasks.forEach(([, p], i) => {
      if (settleT[p] !== null) settleState[p] = promiseStatus(taskPromises[i]);
    });
    const log = {
      origin,
      originBound: originAfter - origin,
      endT,
      promises,
      parent,
      initJob,
      settleT,
      settleState,
      settleJob,
      tasks,
      entered,
      unmapped,
      awaits,
      requests,
      bodyEnd: [...bodyEnd].map(([t, b]) => [t, ...b]),
      settleSerial,
      wrappers,
      combinators,
    };
    try {
      fs.writeFileSync(outFile, JSON.stringify(log));
    } catch {
      // the test reports the missing log
    }
  });
}
