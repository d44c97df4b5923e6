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
import { types } from 'node:util';
import { Ev, EVENT_BYTES, TASK_MASK, type SiteEntry } from '../protocol/events';

/** Control words shared with the writer thread (Int32Array over its own SharedArrayBuffer). */
export const enum Ctl {
  /** Events published by the program (monotonic count). */
  Write = 0,
  /** Events consumed by the writer (monotonic count). */
  Read = 1,
  /** 0 free / 1 held: who may write frames to the event file (writer thread or the exiting main thread). */
  Lock = 2,
  /** Wake-up word for the writer (notify to flush now). */
  Wake = 3,
  /** 1 once the cap was hit. */
  Truncated = 4,
  /** 1 once the writer thread is up (the program starts only then: its start-up must not compete with the program). */
  Ready = 5,
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
  /** The entry file starts: t = 0 (unless a coroutine already started it). */
  s(): void;
  /** A site table of a file instrumented inside the program (host-prepared files are registered by the host). */
  file(path: string, base: number, entries: SiteEntry[]): void;
  e(site: number): number;
  y<T>(t: number, site: number, v: T): T;
  ya<T>(t: number, site: number, n0: number, v: T, callSite: number): T;
  r<T>(t: number, v?: T): T | undefined;
  rc(t: number): void;
  x(t: number): void;
  f(t: number): void;
  c<T>(n0: number, v: T, site: number): T;
  g(P: any, code: number, iterable: unknown): unknown;
  t(recv: any, kind: number, site: number, text: string): (...args: unknown[]) => unknown;
  fa(t: number, site: number, it: any, text: string, isCall: boolean): any;
}

const COMBINATOR_METHODS = ['', 'all', 'allSettled', 'race', 'any'] as const;
const CALLBACK_KINDS = [Ev.CallbackThen, Ev.CallbackCatch, Ev.CallbackFinally];
const CALLBACK_METHODS = ['then', 'catch', 'finally'] as const;

/** Captured before the program runs: it may patch Function.prototype.call/apply/bind or Reflect. */
const apply = Reflect.apply;

/** An iterator's `return`/`throw` as the engine should see it: callable ones called on the inner iterator. */
function forwarded(inner: object, method: unknown): unknown {
  return typeof method === 'function' ? (...args: unknown[]) => apply(method, inner, args) : method;
}

/** Reads `recv[name]` the way a member call would, with the engine's own error for null/undefined. */
function readMethod(recv: any, name: string): unknown {
  if (recv === null || recv === undefined) throw new TypeError(`Cannot read properties of ${recv} (reading '${name}')`);
  return recv[name];
}

/** Lets a constructor return an existing object, so a subclass can put a private field on it. */
class ReturnsTarget {
  constructor(target: object) {
    return target;
  }
}

/**
 * Which task a promise belongs to, kept ON the promise in a private field: invisible to the program
 * (no key that Reflect.ownKeys, inspection or serialization can see) and, unlike a WeakMap entry with
 * one ephemeron per task, free for the garbage collector. Objects that cannot take a field (not
 * extensible) fall back to a WeakMap.
 */
export class TaskTags extends ReturnsTarget {
  #task = 0;
  private static readonly fallback = new WeakMap<object, number>();
  private static fallbackSize = 0;

  private constructor(target: object, task: number) {
    super(target);
    this.#task = task;
  }

  /** The task `v` belongs to, or undefined. */
  static get(v: unknown): number | undefined {
    if (typeof v !== 'object' || v === null) return undefined;
    if (#task in v) return (v as unknown as TaskTags).#task;
    return TaskTags.fallbackSize > 0 ? TaskTags.fallback.get(v) : undefined;
  }

  /** Tags `v` with `task` unless it already belongs to one (the innermost call that made it wins). */
  static set(v: object, task: number): void {
    if (#task in v) return;
    if (Object.isExtensible(v)) {
      new TaskTags(v, task);
    } else if (!TaskTags.fallback.has(v)) {
      TaskTags.fallback.set(v, task);
      TaskTags.fallbackSize++;
    }
  }
}

/** The task-promise members of an array, read without calling getters (the combinator reads them itself). */
function taskMembers(arr: unknown[]): number[] {
  const ids: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    const d = Object.getOwnPropertyDescriptor(arr, i);
    const id = d && 'value' in d ? TaskTags.get(d.value) : undefined;
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

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
  // t = 0 is when the program's own code starts: the entry's first statement, or the first coroutine
  // if one runs before it (ES modules evaluate the entry's imports first).
  let origin = -1;
  const start = () => {
    origin = now();
    sinks.started(origin);
  };
  let cur = 0; // the running task (0 = none: top-level code or the event loop)
  const act: number[] = [0];
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
    // Times go straight into the ring: a double kept in a closure variable would be a heap allocation per event.
    f64[slot * 2] = timed ? now() - origin : f64[((w - 1) & mask) * 2];
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
    const id = TaskTags.get(v);
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

    s() {
      if (origin < 0) start();
    },

    file(path, base, entries) {
      sinks.sites(path, base, entries);
    },

    /** A coroutine body starts: a new task, created by whoever is running. */
    e(site) {
      if (origin < 0) start();
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

    /**
     * `await f(args)`, the commonest shape, in one hook: `ya(t, site, n_before, f(args), callSite)`.
     * The promise goes straight to the await, so there is no need to remember it in the WeakMap.
     */
    ya(t, site, n0, v, callSite) {
      const created = api.n !== n0;
      if (created) rec(Ev.CallSite, n0 + 1, callSite, false);
      if (act[t] === SUSPENDED) resume(t, 0);
      rec(Ev.Yield, t, site, true);
      if (created && v instanceof Promise) rec(Ev.WaitOn, t, n0 + 1, false);
      else waitOn(t, v);
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
        if (v instanceof Promise) TaskTags.set(v, n0 + 1);
      }
      return v;
    },

    /** `Promise.all/allSettled/race/any(iterable)`: same call, and note which tasks it groups. */
    g(P, code, iterable) {
      const result = P[COMBINATOR_METHODS[code]](iterable);
      // Not a Proxy of an array: reading its length and elements would run the program's traps.
      if (Array.isArray(iterable) && !types.isProxy(iterable) && typeof result === 'object' && result !== null) {
        const ids = taskMembers(iterable);
        if (ids.length > 0) promiseGroup.set(result, { code, ids });
      }
      return result;
    },

    /**
     * `recv.then(...)` / `.catch(...)` / `.finally(...)` as `t(recv, kind, site, text)(...)`: the method is read
     * now (before the arguments are evaluated, as in the original), then called with the same arguments;
     * callbacks on a task's promise are wrapped to record when they run.
     */
    t(recv, kind, site, text) {
      const name = CALLBACK_METHODS[kind];
      const method = readMethod(recv, name);
      return function (...args: unknown[]) {
        if (typeof method !== 'function') throw new TypeError(`${text}.${name} is not a function`);
        const id = TaskTags.get(recv); // only promises are tagged (no instanceof: a Proxy's trap would see it)
        if (id !== undefined) {
          for (let i = 0; i < args.length && i < 2; i++) {
            const fn = args[i];
            if (typeof fn !== 'function') continue;
            const ev = kind === 0 && i === 1 ? Ev.CallbackCatch : CALLBACK_KINDS[kind];
            args[i] =
              kind === 2
                ? function () {
                    rec(ev, id, site, true);
                    return (fn as () => unknown)();
                  }
                : function (value: unknown) {
                    rec(ev, id, site, true);
                    return (fn as (v: unknown) => unknown)(value);
                  };
          }
        }
        const derived = apply(method as (...a: unknown[]) => unknown, recv, args);
        if (id !== undefined && derived instanceof Promise) TaskTags.set(derived, id);
        return derived;
      };
    },

    /**
     * `for await (x of it)`: hand the loop an iterable whose iterator records a yield each time the
     * loop asks for the next value. The loop awaits exactly the promise the real iterator returned,
     * so no tick is added; for sync iterables the engine's own async-from-sync wrapper still applies.
     */
    fa(t, site, it, text, isCall) {
      // Reads exactly what the engine's GetIterator reads, once each: @@asyncIterator, then (when that is
      // null/undefined) @@iterator, then the iterator's `next`; `return`/`throw` only when the loop asks.
      if (it === null || it === undefined) return it; // the engine's own "Cannot read properties of …" follows
      const asyncMethod = it[Symbol.asyncIterator];
      const useAsync = asyncMethod !== undefined && asyncMethod !== null;
      const method = useAsync ? asyncMethod : it[Symbol.iterator];
      if (typeof method !== 'function') {
        // What the engine says about the loop's own expression (it would name our call instead).
        throw new TypeError(isCall ? `${text} is not a function or its return value is not async iterable` : `${text} is not async iterable`);
      }
      const open = () => {
        const inner: any = apply(method, it, []);
        // Not an object: hand it on, the engine throws its own "Result of the Symbol.… method is not an object".
        if ((typeof inner !== 'object' && typeof inner !== 'function') || inner === null) return inner;
        const next = inner.next;
        const iterator: any = {
          __proto__: null,
          // Not callable: the engine calls it and says so itself ("undefined is not a function").
          next:
            typeof next !== 'function'
              ? next
              : () => {
                  // The iterator's own code (an async generator's body) runs synchronously inside next(),
                  // still on behalf of this task; the task only suspends on the promise next() returned.
                  const result = apply(next, inner, []);
                  api.y(t, site, result);
                  return result;
                },
          // The loop reads `return` / `throw` only when it closes early: read the inner one then, once.
          get return() {
            return forwarded(inner, inner.return);
          },
          get throw() {
            return forwarded(inner, inner.throw);
          },
        };
        return iterator;
      };
      return useAsync ? { __proto__: null, [Symbol.asyncIterator]: open } : { __proto__: null, [Symbol.iterator]: open };
    },
  };
  return api;
}

/** A tracer that records nothing (worker threads, plain runs): same API, same values back. */
export function createNoopTracer(): TracerApi {
  const api: TracerApi = {
    n: 0,
    s: () => {},
    file: () => {},
    e: () => 0,
    y: (_t, _s, v) => v,
    ya: (_t, _s, _n, v) => v,
    r: (_t, v) => v,
    rc: () => {},
    x: () => {},
    f: () => {},
    c: (_n, v) => v,
    g: (P, code, iterable) => P[COMBINATOR_METHODS[code]](iterable),
    t(recv, kind, _s, text) {
      const name = CALLBACK_METHODS[kind];
      const method = readMethod(recv, name);
      return (...args: unknown[]) => {
        if (typeof method !== 'function') throw new TypeError(`${text}.${name} is not a function`);
        return apply(method as (...a: unknown[]) => unknown, recv, args);
      };
    },
    fa: (_t, _s, it) => it,
  };
  return api;
}
