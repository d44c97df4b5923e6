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
import { types as utilTypes } from 'node:util';
import { promiseHooks } from 'node:v8';
import { Ev, EVENT_BYTES, TASK_MASK, type SiteEntry } from '../protocol/events';
import type { HookApi } from '../protocol/hooks';
import { derivedSettler, isPristinePromise, SettlerTags, Thenable, thenableKind, type Settler } from './promiseLinks';

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
  /** 1 once the thread wrote its goodbye (`end`): nothing more to ship, its lock stays held. */
  Ended = 6,
  /** Main thread at exit: 1 = writer, ship every thread's ring now; the writer sets 0 when done. */
  Flush = 7,
  Size = 8,
}

const SUSPENDED = -1;
const SETTLED = -2;
/** The body returned a thenable: the task waits for it to settle (no hook of its own runs again). */
const ADOPTING = -3;

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

/** The object installed as `globalThis.__asyncTimeline`; the instrumented code calls its methods (src/protocol/hooks.ts). */
export type TracerApi = HookApi;

const NativePromise = Promise;
const RETURNED_MAX = 8192;
const PromiseThen = Promise.prototype.then;
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
  /** > 0: the task's own promise; < 0: a promise that stands for task -#task (a `.then` derived from its promise). */
  #task = 0;
  private static readonly fallback = new WeakMap<object, number>();
  private static fallbackSize = 0;

  private constructor(target: object, task: number) {
    super(target);
    this.#task = task;
  }

  private static raw(v: unknown): number | undefined {
    if (typeof v !== 'object' || v === null) return undefined;
    if (#task in v) return (v as unknown as TaskTags).#task;
    return TaskTags.fallbackSize > 0 ? TaskTags.fallback.get(v) : undefined;
  }

  /** The task `v` belongs to or stands for, or undefined. */
  static get(v: unknown): number | undefined {
    const id = TaskTags.raw(v);
    return id === undefined ? undefined : id < 0 ? -id : id;
  }

  /** The task whose own promise `v` is, or undefined. */
  static own(v: unknown): number | undefined {
    const id = TaskTags.raw(v);
    return id !== undefined && id > 0 ? id : undefined;
  }

  /** Tags `v` with `task` unless it already belongs to one (the innermost call that made it wins). */
  static set(v: object, task: number): void {
    TaskTags.put(v, task);
  }

  /** Tags `v` as standing for `task` (not its own promise) unless it is tagged already. */
  static setDerived(v: object, task: number): void {
    TaskTags.put(v, -task);
  }

  private static put(v: object, tag: number): void {
    if (#task in v) return;
    if (Object.isExtensible(v)) {
      new TaskTags(v, tag);
    } else if (!TaskTags.fallback.has(v)) {
      TaskTags.fallback.set(v, tag);
      TaskTags.fallbackSize++;
    }
  }
}

/** The task-promise members of an array, read without calling getters (the combinator reads them itself). */
function taskMembers(arr: unknown[], others: object[]): number[] {
  const ids: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    const d = Object.getOwnPropertyDescriptor(arr, i);
    if (!d || !('value' in d)) continue;
    const id = TaskTags.get(d.value);
    if (id !== undefined) ids.push(id);
    else {
      if (utilTypes.isPromise(d.value)) others.push(d.value as object);
    }
  }
  return ids;
}

const SetValues = Set.prototype.values;
const SetIteratorNext = Object.getPrototypeOf(new Set().values()).next as (this: Iterator<unknown>) => IteratorResult<unknown>;

/** The task-promise members of a Set, read with the engine's own iterator (no program code runs). */
function setMembers(set: Set<unknown>, others: object[]): number[] {
  const ids: number[] = [];
  const it = apply(SetValues, set, []) as Iterator<unknown>;
  for (let r = apply(SetIteratorNext, it, []) as IteratorResult<unknown>; !r.done; r = apply(SetIteratorNext, it, []) as IteratorResult<unknown>) {
    const id = TaskTags.get(r.value);
    if (id !== undefined) ids.push(id);
    else {
      if (utilTypes.isPromise(r.value)) others.push(r.value as object);
    }
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
  /** Combinator results: the code, the member tasks, and the settlers of members that are no task's. */
  const promiseGroup = new WeakMap<object, { code: number; ids: number[]; others: object[] }>();
  /**
   * Tasks still in their first synchronous run (ascending ids: runs nest). When one first suspends or
   * settles, the engine hands its promise to whoever called it: that task joins `returned`.
   */
  const fresh: number[] = [];
  /**
   * Tasks whose promise went back to their caller and that no call hook collected yet. A call hook takes
   * the ones its own call created (a suffix: ids above the call's n0); the others belong to calls below.
   */
  const returned: number[] = [];
  /**
   * resumedAt[t]: how many tasks existed when task t last resumed. A call in t's code whose arguments
   * awaited spans that suspension; tasks others started meanwhile are not the call's.
   */
  const resumedAt: number[] = [0];
  /** adoptsOwn[t]: the task whose own promise adopting task t adopted (0: none). */
  const adoptsOwn: number[] = [];
  /** awaited[t]: the unsettled task whose own promise t waits on directly (0: none). */
  const awaited: number[] = [];
  /** skip[i] = j: tasks i .. j-1 already have their creation site (claimed by an inner call). */
  const skip: number[] = [];
  /** What each suspended task awaits, when that promise has a settler we track (new Promise, .then); a list for a combinator's members. */
  const settlers: Array<object | object[] | undefined> = [];
  /** Tasks whose body returned a thenable: the adopt site and the value, until the body's wrapper ends. */
  const adopting = new Map<number, { site: number; v: unknown; own: number }>();
  /** Task id → tasks whose promises adopted its promise (they settle when it does). */
  const adopters = new Map<number, number[]>();
  /** Tasks that settled by rejection (for a task that adopts a promise of one already settled). */
  const failed = new Set<number>();

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

  /** Appends one record stamped `at` (ms since the origin), for a moment observed a job or two later. */
  function recAt(kind: number, task: number, arg: number, at: number): void {
    rec(kind, task, arg, false);
    if (w <= maxEvents) f64[((w - 1) & mask) * 2] = at;
  }

  /** What settled the promise `t` waited on, recorded just before `t` resumes (or ends its adoption). */
  function woken(t: number, threw: number): void {
    const o = settlers[t];
    if (o === undefined) return;
    settlers[t] = undefined;
    if (Array.isArray(o)) {
      // A combinator's members that are no task's own: the tasks their promises adopted.
      for (const m of o)
        for (let x: Settler | undefined = SettlerTags.get(m); x !== undefined; x = x.from) if (x.adopted !== 0) rec(Ev.WaitOn, t, x.adopted, false);
      return;
    }
    const s = SettlerTags.get(o);
    if (s === undefined) return;
    // Resolved with a task's promise: that task's settling woke it (whoever called resolve did so earlier).
    // A `.then` chain waits on what each link adopted.
    let adoptedAny = false;
    for (let x: Settler | undefined = s; x !== undefined; x = x.from) {
      if (x.adopted === 0) continue;
      adoptedAny = true;
      rec(Ev.WaitOn, t, x.adopted, false);
      if (x === s && act[x.adopted] === ADOPTING) adopted(x.adopted, threw === 0);
    }
    if (!adoptedAny && s.by !== 0 && s.by !== t) rec(Ev.WokenBy, t, s.by, false);
  }

  function resume(t: number, threw: number): void {
    // t resuming proves the promise it awaited settled: a task adopting a promise whose end we learn a job
    // later has ended by now, with the outcome t sees.
    const u = awaited[t];
    if (u !== 0 && u !== undefined) {
      awaited[t] = 0;
      if (act[u] === ADOPTING) {
        // u may adopt another task's own promise, which adopts another's…: the innermost one settled first,
        // and settling it settles its adopters in turn.
        let inner = u;
        for (let w = adoptsOwn[inner]; w !== undefined && w !== 0 && act[w] === ADOPTING; w = adoptsOwn[inner]) inner = w;
        adopted(inner, threw === 0);
      }
    }
    act[t] = cur;
    cur = t;
    resumedAt[t] = api.n;
    if (settlers[t] !== undefined) woken(t, threw);
    rec(Ev.Resume, t, threw, true);
  }

  /** `t` suspends or settles: if this ends its first run, its promise is what its caller gets back now. */
  function leaving(t: number): void {
    let k = fresh.length;
    if (k === 0 || fresh[k - 1] < t) return;
    while (k > 0 && fresh[k - 1] > t) k--; // runs abandoned without a hook (a stack overflow inside one)
    if (k > 0 && fresh[k - 1] === t) {
      fresh.length = k - 1;
      // Tasks the event loop started (a timer, I/O) have no call hook to collect them: drop the oldest
      // ones past a bound (a call consuming thousands of them at once is then not linked, never mislinked).
      if (returned.length >= RETURNED_MAX) returned.splice(0, RETURNED_MAX / 2);
      returned.push(t);
    } else fresh.length = k;
  }

  /** Gives every task created in (n0, n] that no inner call claimed the call site `site`. */
  function claim(n0: number, n: number, site: number): void {
    let i = n0 + 1;
    while (i <= n) {
      const j = skip[i];
      if (j !== undefined && j > i) {
        i = j;
        continue;
      }
      rec(Ev.CallSite, i, site, false);
      i++;
    }
    skip[n0 + 1] = n + 1;
  }

  /**
   * A call in the running task's code created tasks since n0 and returned `v`: they get its site and, when
   * `v` holds their promises, those are linked. A call whose arguments awaited spans the task's suspension:
   * tasks others started meanwhile (before its last resume) are not the call's.
   */
  function collect(n0: number, v: unknown, site: number): void {
    const r = resumedAt[cur];
    const lo = r !== undefined && r > n0 ? r : n0;
    if (api.n === lo) return;
    claim(lo, api.n, site);
    link(lo, v);
  }

  /**
   * A call that created tasks returned `v`. The tasks of that call whose promises went back to a caller
   * are in `returned` (in order); if the call handed back exactly those promises — one promise, or an
   * array holding them in creation order (`ids.map(load)`) — they are the tasks' own promises.
   */
  function link(n0: number, v: unknown): void {
    const k = returned.length;
    let first = k;
    while (first > 0 && returned[first - 1] > n0) first--;
    const mine = k - first;
    if (mine > 0 && typeof v === 'object' && v !== null) {
      if (mine === 1 && utilTypes.isPromise(v)) TaskTags.set(v, returned[first]);
      else if (Array.isArray(v)) tagElements(v, returned, first, k);
    }
    returned.length = first;
  }

  /** `arr`'s untagged promise elements, in index order, are the promises of tasks from[first..end). */
  function tagElements(arr: unknown[], ids: number[], first: number, end: number): void {
    const loose: object[] = [];
    for (let i = 0; i < arr.length; i++) {
      const d = Object.getOwnPropertyDescriptor(arr, i);
      if (d && 'value' in d && utilTypes.isPromise(d.value) && TaskTags.get(d.value) === undefined) loose.push(d.value as object);
    }
    if (loose.length !== end - first) return; // not the shape we can vouch for
    for (let i = 0; i < loose.length; i++) TaskTags.set(loose[i], ids[first + i]);
  }

  function waitOn(t: number, v: unknown): void {
    if (typeof v !== 'object' || v === null) return;
    const id = TaskTags.get(v);
    if (id !== undefined) {
      rec(Ev.WaitOn, t, id, false);
      const own = TaskTags.own(v);
      if (own !== undefined && act[own] !== SETTLED) awaited[t] = own;
    } else {
      const group = promiseGroup.get(v);
      if (group !== undefined) {
        rec(Ev.WaitKind, t, group.code, false);
        for (const member of group.ids) rec(Ev.WaitOn, t, member, false);
        if (group.others.length > 0) settlers[t] = group.others;
        return;
      }
    }
    // Who settles it is looked up when t resumes: a new Promise is tagged only once a task resolves it.
    if (utilTypes.isPromise(v) && TaskTags.own(v) === undefined) settlers[t] = v as object;
  }

  /** An adopting task's promise settled (its adopted thenable did): the task ends (at `at`, or now). */
  function adopted(t: number, ok: boolean, at = -1): void {
    if (act[t] !== ADOPTING) return;
    if (at < 0 && jobAt.size > 0) {
      // Seen late (its waiter resumed first): the job that settled it was stamped when it ran.
      const j = jobAt.get(t);
      if (j !== undefined) {
        at = j;
        jobAt.delete(t);
      }
    }
    if (settlers[t] !== undefined) woken(t, ok ? 0 : 1);
    if (at < 0) rec(ok ? Ev.SettleOk : Ev.SettleErr, t, 0, true);
    else recAt(ok ? Ev.SettleOk : Ev.SettleErr, t, 0, at);
    act[t] = SETTLED;
    settled(t, ok, at);
  }

  /** Task `t` settled (at `at`, or now): remember a failure, and end the tasks that adopted its promise. */
  function settled(t: number, ok: boolean, at = -1): void {
    if (!ok) failed.add(t);
    if (adopters.size === 0) return;
    const waiting = adopters.get(t);
    if (waiting === undefined) return;
    adopters.delete(t);
    for (const a of waiting) adopted(a, ok, at);
  }

  /**
   * In place of a native promise `v` that is no task's own: the engine reads `then` on this object when it
   * would have read `v.then`, and from its job ours calls `v.then(resolve, reject)` with the engine's own
   * resolving functions, exactly what the engine does for a native promise — so `v` keeps one reaction
   * and V8's async stack traces still walk through it. The task's end is read off the derived promise of
   * that call (it settles right after `v` did) and `v`'s outcome, both observed a job later, stamped then.
   */
  function nativeSubstitute(t: number, v: Promise<unknown>): object {
    return {
      get then() {
        const then = v.then;
        if (then !== PromiseThen) return thenFor(t, v, then, { done: false });
        return (resolve: (x: unknown) => void, reject: (e: unknown) => void) => {
          const d = apply(PromiseThen, v, [resolve, reject]) as Promise<unknown>;
          watchJob(d, t);
          apply(PromiseThen, d, [
            () => {
              const at = jobAt.get(t) ?? now() - origin;
              jobAt.delete(t);
              apply(PromiseThen, v, [() => adopted(t, true, at), () => adopted(t, false, at)]);
            },
          ]);
        };
      },
    };
  }

  /**
   * The job that runs `v`'s reaction (the engine's resolve of the task's promise) is when the task's promise
   * settles; V8's promise hooks name that job by the derived promise `d`. The hook is on only while such an
   * adoption waits (it slows every promise while on), and off again once the last one was seen.
   */
  const watchedJobs = new Map<object, number>();
  const jobAt = new Map<number, number>();
  let stopJobHook: (() => void) | undefined;
  function watchJob(d: object, t: number): void {
    watchedJobs.set(d, t);
    stopJobHook ??= promiseHooks.onBefore(jobStarts) as () => void;
  }
  function jobStarts(p: object): void {
    const t = watchedJobs.get(p);
    if (t === undefined) return;
    jobAt.set(t, now() - origin);
    watchedJobs.delete(p);
    if (watchedJobs.size === 0 && stopJobHook !== undefined) {
      const stop = stopJobHook;
      stopJobHook = undefined;
      stop();
    }
  }

  /**
   * What the body of task `t` returns in place of the thenable `v`: an object whose `then` the engine
   * reads at the very moment it would have read `v.then` (after every finally block), and which hands
   * the engine's resolving functions to `v.then` wrapped, so the task's end is seen when `v` settles.
   * Same reads of `v`, same calls, same number of jobs: the engine calls `then` of any thenable from a
   * job, and ours calls `v.then` right there.
   */
  function substitute(t: number, v: any, state: { done: boolean }): object {
    return {
      get then() {
        return thenFor(t, v, v.then, state);
      },
    };
  }

  /** The `then` the engine gets for thenable `v` whose own `then` (read once, by the engine's read) is `then`. */
  function thenFor(t: number, v: any, then: unknown, state: { done: boolean }): unknown {
    if (typeof then !== 'function') {
      // `then` changed between the return and the engine's read (only program code in a finally can
      // do that): fulfil with v, one job later than the engine would have.
      return (resolve: (x: unknown) => void) => {
        if (!state.done) {
          state.done = true;
          adopted(t, true);
        }
        resolve(v);
      };
    }
    return (resolve: (x: unknown) => void, reject: (e: unknown) => void) => {
      try {
        return apply(then, v, [
          (x: unknown) => {
            if (state.done) return resolve(x);
            if (thenableKind(x) === Thenable.Yes) return resolve(substitute(t, x, state));
            state.done = true;
            adopted(t, true);
            return resolve(x);
          },
          (e: unknown) => {
            if (!state.done) {
              state.done = true;
              adopted(t, false);
            }
            return reject(e);
          },
        ]);
      } catch (err) {
        if (!state.done) {
          state.done = true;
          adopted(t, false);
        }
        throw err;
      }
    };
  }

  /** Ends a coroutine body that completed: settles the task, or starts its adoption of what it returned. */
  function finish(t: number): void {
    const adopt = adopting.size > 0 ? adopting.get(t) : undefined;
    if (adopt !== undefined) {
      adopting.delete(t);
      rec(Ev.Yield, t, adopt.site, true);
      waitOn(t, adopt.v);
      cur = act[t];
      act[t] = ADOPTING;
      const own = adopt.own;
      if (own !== 0) {
        adoptsOwn[t] = own;
        // The promise of task `own`: this one settles with it, when it does (or now, if it has).
        if (act[own] === SETTLED) adopted(t, !failed.has(own));
        else {
          const list = adopters.get(own);
          if (list === undefined) adopters.set(own, [t]);
          else list.push(t);
        }
      }
      return;
    }
    rec(Ev.SettleOk, t, 0, true);
    cur = act[t];
    act[t] = SETTLED;
    if (adopters.size > 0) settled(t, true);
  }

  const api: TracerApi = {
    n: 0,

    s() {
      if (origin < 0) start();
    },

    file(path, base, entries) {
      sinks.sites(path, base, entries as SiteEntry[]);
    },

    /** A coroutine body starts: a new task, created by whoever is running. */
    e(site) {
      if (origin < 0) start();
      const t = ++api.n;
      rec(Ev.Create, cur, site, true);
      act[t] = cur;
      cur = t;
      fresh.push(t);
      return t;
    },

    /** An async generator's body starts (its first next()): a task, but no promise of its own goes to a caller. */
    eg(site) {
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
      leaving(t);
      rec(Ev.Yield, t, site, true);
      waitOn(t, v);
      cur = act[t];
      act[t] = SUSPENDED;
      return v;
    },

    /** `await f(args)`, the commonest shape, in one hook: `ya(t, site, n_before, f(args), callSite)`. */
    ya(t, site, n0, v, callSite) {
      if (api.n !== n0) collect(n0, v, callSite);
      if (act[t] === SUSPENDED) resume(t, 0);
      leaving(t);
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
      if (adopting.size > 0) adopting.delete(t); // a finally threw after `return thenable`
      if (act[t] === SUSPENDED) resume(t, 1);
      leaving(t);
      rec(Ev.SettleErr, t, 0, true);
      cur = act[t];
      act[t] = SETTLED;
      settled(t, false);
    },

    /** The coroutine body completed (finally of the wrapper; after `x` this is a no-op). */
    f(t) {
      if (act[t] === SETTLED || act[t] === ADOPTING) return;
      if (act[t] === SUSPENDED) resume(t, 0); // an async generator closed by return()
      leaving(t);
      finish(t);
    },

    /**
     * `return v` in an async function: when v is a thenable the task's promise adopts it, so the task
     * settles when v does. Values that are not thenables (or cannot be told apart from one without
     * running program code: a proxy, a `then` getter) go back unchanged and the task settles at once.
     */
    ad(t, site, v) {
      if (thenableKind(v) !== Thenable.Yes) {
        if (adopting.size > 0) adopting.delete(t); // `return thenable` overridden by a later `return`
        return v;
      }
      if (utilTypes.isPromise(v) && isPristinePromise(v, PromiseThen, 0)) {
        const own = TaskTags.own(v);
        // A task's own promise still pending: its settle is recorded anyway, the body returns it untouched.
        // Settled already: the engine still takes its jobs to pass the outcome on; watch those.
        if (own !== undefined && act[own] !== SETTLED) {
          adopting.set(t, { site, v, own });
          return v;
        }
        adopting.set(t, { site, v, own: 0 });
        return nativeSubstitute(t, v) as typeof v;
      }
      adopting.set(t, { site, v, own: 0 });
      return substitute(t, v, { done: false }) as typeof v;
    },

    /**
     * Around every call: `c(n_before, call(), site)`. Tasks the call created get this call site unless an
     * inner call claimed them; the returned promise is a task's only when that task handed it back.
     */
    c(n0, v, site) {
      if (api.n !== n0) collect(n0, v, site);
      return v;
    },

    /** `Promise.all/allSettled/race/any(iterable)`: same call, and note which tasks it groups. */
    g(P: any, code, iterable) {
      const result = P[COMBINATOR_METHODS[code]](iterable);
      // Not a Proxy of an array: reading its length and elements would run the program's traps.
      if (typeof result === 'object' && result !== null && (Array.isArray(iterable) || utilTypes.isSet(iterable)) && !utilTypes.isProxy(iterable)) {
        const others: object[] = [];
        const ids = Array.isArray(iterable) ? taskMembers(iterable, others) : setMembers(iterable as Set<unknown>, others);
        if (ids.length > 0 || others.length > 0) promiseGroup.set(result, { code, ids, others });
      }
      return result;
    },

    /**
     * `new Promise(executor)`: the same construction, with resolve/reject wrapped to note which task
     * called them (and whether they adopted a task's promise): that task woke whoever awaits it.
     */
    np(P: any, text, executor) {
      if (P !== NativePromise || typeof executor !== 'function') {
        if (typeof P !== 'function') throw new TypeError(`${text} is not a constructor`);
        return new P(executor);
      }
      let done = false;
      let resolve!: (x: unknown) => void;
      let reject!: (e: unknown) => void;
      // The engine's resolving functions, taken here; the executor is called right below, from this frame,
      // which the stack formatter shows as the engine's own "new Promise" frame: V8 counts the same frames.
      const p = new NativePromise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Tagged only when a task settles it or it takes on a task's promise (a timer's resolve costs nothing more).
      const settledBy = (x: unknown, adopts: boolean): void => {
        done = true;
        const by = cur;
        const adopted = adopts ? (TaskTags.get(x) ?? 0) : 0;
        if (by !== 0 || adopted !== 0) SettlerTags.set(p, { by, adopted });
      };
      try {
        (executor as (a: unknown, b: unknown) => void)(
          (x: unknown) => {
            if (!done) settledBy(x, true);
            return resolve(x);
          },
          (e: unknown) => {
            if (!done) settledBy(e, false);
            return reject(e);
          },
        );
      } catch (err) {
        reject(err); // what the engine does when an executor throws (ignored once resolved)
      }
      return p;
    },

    /**
     * `recv.then(...)` / `.catch(...)` / `.finally(...)` as `t(recv, kind, site, text)(...)`: the method is read
     * now (before the arguments are evaluated, as in the original), then called with the same arguments.
     * On the engine's own promises, callbacks are wrapped (only the engine sees them) to record callbacks on
     * task promises, to give tasks a callback starts the `.then(` site, and to note a task promise the
     * callback returns (the derived promise adopts it).
     */
    t(recv: any, kind, site, text) {
      const name = CALLBACK_METHODS[kind];
      const method = readMethod(recv, name);
      return function (...args: unknown[]) {
        if (typeof method !== 'function') throw new TypeError(`${text}.${name} is not a function`);
        const id = TaskTags.get(recv); // only promises are tagged (no instanceof: a Proxy's trap would see it)
        const pristine = isPristinePromise(recv, method, kind);
        let settler: Settler | undefined;
        if (pristine || id !== undefined) {
          for (let i = 0; i < args.length && i < 2; i++) {
            const fn = args[i];
            if (typeof fn !== 'function') continue;
            const ev = kind === 0 && i === 1 ? Ev.CallbackCatch : CALLBACK_KINDS[kind];
            if (!pristine) {
              // A then of the program's own sees what it is given: keep the old, minimal wrapper.
              args[i] = function (value: unknown) {
                rec(ev, id!, site, true);
                return (fn as (v: unknown) => unknown)(value);
              };
              continue;
            }
            const s = (settler ??= derivedSettler(SettlerTags.get(recv)));
            args[i] = function (value: unknown) {
              if (id !== undefined) rec(ev, id, site, true);
              const n0 = api.n;
              const r = kind === 2 ? (fn as () => unknown)() : (fn as (v: unknown) => unknown)(value);
              if (api.n !== n0) {
                claim(n0, api.n, site);
                link(n0, r);
              }
              const rid = kind === 2 ? undefined : TaskTags.get(r);
              if (rid !== undefined) s.adopted = rid;
              return r;
            };
          }
        }
        const derived = apply(method as (...a: unknown[]) => unknown, recv, args);
        if (typeof derived === 'object' && derived !== null && utilTypes.isPromise(derived)) {
          if (id !== undefined) TaskTags.setDerived(derived, id);
          if (settler !== undefined) SettlerTags.set(derived, settler);
          else if (pristine) {
            const from = SettlerTags.get(recv);
            if (from !== undefined) SettlerTags.set(derived, derivedSettler(from));
          }
        }
        return derived;
      };
    },

    /**
     * `for await (x of it)`: hand the loop an iterable whose iterator records a yield each time the
     * loop asks for the next value. The loop awaits exactly the promise the real iterator returned,
     * so no tick is added; for sync iterables the engine's own async-from-sync wrapper still applies.
     */
    fa(t, site, it: any, text, isCall) {
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
                  const n0 = api.n;
                  const result = apply(next, inner, []);
                  // An async `next()` method is a task the engine's loop starts: this loop is its call.
                  if (api.n !== n0) {
                    claim(n0, api.n, site);
                    link(n0, result);
                  }
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
    g: (P: any, code, iterable) => P[COMBINATOR_METHODS[code]](iterable),
    eg: () => 0,
    ad: (_t, _s, v) => v,
    np(P: any, text, executor) {
      if (typeof P !== 'function') throw new TypeError(`${text} is not a constructor`);
      return new P(executor);
    },
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
