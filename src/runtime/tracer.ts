/**
 * The tracer: the hooks the instrumented code calls, running INSIDE the traced program.
 *
 * Hot-path rules (see ARCHITECTURE.md "Hard parts"):
 * - Never add a microtask tick: `y` and `r` return the very value they are given, so
 *   `await y(t, s, E)` awaits exactly what `await E` would have awaited.
 * - No object per event: events go into a preallocated SharedArrayBuffer ring (16 bytes each)
 *   that a writer thread ships to the host; the traced program's heap only sees small ints.
 * - "Which coroutine is running" is a runtime fact: `cur` is set on entry and resume and restored
 *   on yield and settle, so the creator of a task is whoever is running when it starts.
 *
 * Per-task state lives in one packed array `act`: while task t runs, act[t] is the task that was
 * running before it (to restore on yield/settle); -1 while suspended; -2 once settled.
 */
import { Ev, EVENT_BYTES, TASK_MASK, type SiteEntry } from '../protocol/events';

/** Control words shared with the writer thread (Int32Array over its own SharedArrayBuffer). */
export const enum Ctl {
  /** Events published by the program (monotonic count). */
  Write = 0,
  /** Events consumed by the writer (monotonic count). */
  Read = 1,
  /** 0 free / 1 held: who may write frames to the pipe (writer thread or the exiting main thread). */
  Lock = 2,
  /** Wake-up word for the writer (notify to flush now). */
  Wake = 3,
  /** 1 once the cap was hit. */
  Truncated = 4,
  Size = 8,
}

const SUSPENDED = -1;
const SETTLED = -2;

export interface TracerSinks {
  /** The program's own code starts (first instrumented module runs): t = 0 is `origin` (performance.now()). */
  started(origin: number): void;
  /** Called once per instrumented file with its site table; returns nothing (the tracer assigns the base). */
  sites(file: string, base: number, entries: SiteEntry[]): void;
  /** The ring is full: block until the writer has made room (or give up after a while). */
  waitForRoom(): void;
  /** The cap was hit. */
  truncated(atEvent: number): void;
}

/** The object installed as `globalThis.__asyncTimeline`; the transform calls its methods. */
export interface TracerApi {
  /** Id of the last task created (read before a call, compared after it by `c`). */
  n: number;
  file(path: string, entries: SiteEntry[]): number;
  e(site: number): number;
  y<T>(t: number, site: number, v: T): T;
  r<T>(t: number, v?: T): T | undefined;
  rc(t: number): void;
  x(t: number): void;
  f(t: number): void;
  c<T>(n0: number, v: T, site: number): T;
  g(P: any, code: number, iterable: unknown): unknown;
  t1(recv: any, kind: number, site: number, a: unknown): unknown;
  t2(recv: any, site: number, a: unknown, b: unknown): unknown;
  fa(t: number, site: number, it: any): any;
}

const COMBINATOR_METHODS = ['', 'all', 'allSettled', 'race', 'any'] as const;
const CALLBACK_KINDS = [Ev.CallbackThen, Ev.CallbackCatch, Ev.CallbackFinally];

/**
 * Creates the tracer over a shared ring of `ringEvents` records (a power of two).
 * `maxEvents` caps what is recorded in total; past it nothing more is written.
 */
export function createTracer(
  ring: SharedArrayBuffer,
  ctl: Int32Array,
  maxEvents: number,
  sinks: TracerSinks,
): TracerApi {
  const f64 = new Float64Array(ring);
  const u32 = new Uint32Array(ring);
  const ringEvents = ring.byteLength / EVENT_BYTES;
  const mask = ringEvents - 1;
  const now = performance.now.bind(performance);
  let w = 0; // events written (mirrors ctl[Write])
  let lastT = 0;
  // t = 0 is when the program's own code starts: the first instrumented module registering itself.
  let origin = -1;
  let nextSite = 1;
  let cur = 0; // the running task (0 = none: top-level code or the event loop)
  const act: number[] = [0];
  const promiseTask = new WeakMap<object, number>();
  const promiseGroup = new WeakMap<object, { code: number; ids: number[] }>();

  /** Appends one record. `t` < 0 means "same time as the previous record" (skips the clock read). */
  function rec(kind: number, task: number, arg: number, timed: boolean): void {
    if (w >= maxEvents) {
      if (w === maxEvents) {
        w++;
        Atomics.store(ctl, Ctl.Truncated, 1);
        sinks.truncated(maxEvents);
      }
      return;
    }
    if (w - ctl[Ctl.Read] >= ringEvents) sinks.waitForRoom();
    const slot = w & mask;
    if (timed) lastT = now() - origin;
    f64[slot * 2] = lastT;
    u32[slot * 4 + 2] = (kind << 28) | (task & TASK_MASK);
    u32[slot * 4 + 3] = arg;
    w++;
    Atomics.store(ctl, Ctl.Write, w);
  }

  function resume(t: number, threw: number): void {
    act[t] = cur;
    cur = t;
    rec(Ev.Resume, t, threw, true);
  }

  function waitOn(t: number, v: unknown): void {
    if (typeof v !== 'object' || v === null) return;
    const id = promiseTask.get(v);
    if (id !== undefined) {
      rec(Ev.WaitOn, t, id, false);
      return;
    }
    const group = promiseGroup.get(v);
    if (group !== undefined) {
      rec(Ev.WaitKind, t, group.code, false);
      for (const member of group.ids) rec(Ev.WaitOn, t, member, false);
    }
  }

  const api: TracerApi = {
    n: 0,

    /** Registers an instrumented file's site table; returns the id of its site 0. */
    file(path, entries) {
      if (origin < 0) {
        origin = now();
        sinks.started(origin);
      }
      const base = nextSite;
      nextSite += entries.length;
      sinks.sites(path, base, entries);
      return base;
    },

    /** A coroutine body starts: a new task, created by whoever is running. */
    e(site) {
      const t = ++api.n;
      rec(Ev.Create, cur, site, true);
      act[t] = cur;
      cur = t;
      return t;
    },

    /** Just before `await v`: record the suspension and what it waits on; hand back v itself. */
    y(t, site, v) {
      if (act[t] === SUSPENDED) resume(t, 0); // defensive: never leave the bookkeeping unbalanced
      rec(Ev.Yield, t, site, true);
      waitOn(t, v);
      cur = act[t];
      act[t] = SUSPENDED;
      return v;
    },

    /** Just after `await` returned normally (also at the top of a for-await body). */
    r(t, v) {
      if (act[t] === SUSPENDED) resume(t, 0);
      return v;
    },

    /** At the top of a catch/finally block inside a coroutine: an await may have resumed by throwing. */
    rc(t) {
      if (act[t] === SUSPENDED) resume(t, 1);
    },

    /** The coroutine body threw. */
    x(t) {
      if (act[t] === SETTLED) return;
      if (act[t] === SUSPENDED) resume(t, 1);
      rec(Ev.SettleErr, t, 0, true);
      cur = act[t];
      act[t] = SETTLED;
    },

    /** The coroutine body completed (finally of the wrapper; after `x` this is a no-op). */
    f(t) {
      if (act[t] === SETTLED) return;
      if (act[t] === SUSPENDED) resume(t, 0); // an async generator closed by return()
      rec(Ev.SettleOk, t, 0, true);
      cur = act[t];
      act[t] = SETTLED;
    },

    /**
     * Around every call: `c(n_before, call(), site)`. If the call created tasks, the first one was
     * created by this call; remember the site, and which task the returned promise belongs to.
     */
    c(n0, v, site) {
      if (api.n !== n0) {
        rec(Ev.CallSite, n0 + 1, site, false);
        if (v instanceof Promise && !promiseTask.has(v)) promiseTask.set(v, n0 + 1);
      }
      return v;
    },

    /** `Promise.all/allSettled/race/any(iterable)`: same call, and note which tasks it groups. */
    g(P, code, iterable) {
      const result = P[COMBINATOR_METHODS[code]](iterable);
      if (Array.isArray(iterable) && typeof result === 'object' && result !== null) {
        const ids: number[] = [];
        for (const member of iterable) {
          const id = typeof member === 'object' && member !== null ? promiseTask.get(member) : undefined;
          if (id !== undefined) ids.push(id);
        }
        if (ids.length > 0) promiseGroup.set(result, { code, ids });
      }
      return result;
    },

    /** `recv.then(a)` / `.catch(a)` / `.finally(a)` (kind 0/1/2). */
    t1(recv, kind, site, a) {
      const id = recv instanceof Promise ? promiseTask.get(recv) : undefined;
      if (id === undefined || typeof a !== 'function') {
        return kind === 0 ? recv.then(a) : kind === 1 ? recv.catch(a) : recv.finally(a);
      }
      const ev = CALLBACK_KINDS[kind];
      const fn = a as (...args: unknown[]) => unknown;
      const derived =
        kind === 2
          ? recv.finally(function () {
              rec(ev, id, site, true);
              return fn();
            })
          : recv[kind === 0 ? 'then' : 'catch'](function (value: unknown) {
              rec(ev, id, site, true);
              return fn(value);
            });
      if (derived instanceof Promise && !promiseTask.has(derived)) promiseTask.set(derived, id);
      return derived;
    },

    /** `recv.then(a, b)`. */
    t2(recv, site, a, b) {
      const id = recv instanceof Promise ? promiseTask.get(recv) : undefined;
      if (id === undefined) return recv.then(a, b);
      const wrap = (fn: unknown, ev: number) =>
        typeof fn === 'function'
          ? function (value: unknown) {
              rec(ev, id, site, true);
              return (fn as (v: unknown) => unknown)(value);
            }
          : fn;
      const derived = recv.then(wrap(a, Ev.CallbackThen), wrap(b, Ev.CallbackCatch));
      if (derived instanceof Promise && !promiseTask.has(derived)) promiseTask.set(derived, id);
      return derived;
    },

    /**
     * `for await (x of it)`: hand the loop an iterable whose iterator records a yield each time the
     * loop asks for the next value. The loop awaits exactly the promise the real iterator returned,
     * so no tick is added; for sync iterables the engine's own async-from-sync wrapper still applies.
     */
    fa(t, site, it) {
      if (it === null || it === undefined) return it;
      const asyncMethod = it[Symbol.asyncIterator];
      const useAsync = typeof asyncMethod === 'function';
      const method = useAsync ? asyncMethod : it[Symbol.iterator];
      if (typeof method !== 'function') return it;
      const open = () => {
        const inner = method.call(it);
        const next = inner.next;
        const iterator: any = {
          next() {
            // The iterator's own code (an async generator's body) runs synchronously inside next(),
            // still on behalf of this task; the task only suspends on the promise next() returned.
            const result = next.call(inner);
            api.y(t, site, result);
            return result;
          },
        };
        // The loop reads `return` / `throw` only when it closes early; forward them only if they exist.
        Object.defineProperty(iterator, 'return', { get: () => (typeof inner.return === 'function' ? inner.return.bind(inner) : inner.return) });
        Object.defineProperty(iterator, 'throw', { get: () => (typeof inner.throw === 'function' ? inner.throw.bind(inner) : inner.throw) });
        return iterator;
      };
      return useAsync ? { [Symbol.asyncIterator]: open } : { [Symbol.iterator]: open };
    },
  };
  return api;
}

/** A tracer that records nothing (worker threads, plain runs): same API, same values back. */
export function createNoopTracer(): TracerApi {
  const api: TracerApi = {
    n: 0,
    file: () => 1,
    e: () => 0,
    y: (_t, _s, v) => v,
    r: (_t, v) => v,
    rc: () => {},
    x: () => {},
    f: () => {},
    c: (_n, v) => v,
    g: (P, code, iterable) => P[COMBINATOR_METHODS[code]](iterable),
    t1: (recv, kind, _s, a) => (kind === 0 ? recv.then(a) : kind === 1 ? recv.catch(a) : recv.finally(a)),
    t2: (recv, _s, a, b) => recv.then(a, b),
    fa: (_t, _s, it) => it,
  };
  return api;
}
