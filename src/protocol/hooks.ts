/**
 * The hook interface between instrumented code and the runtime: the one definition both
 * instrumentation paths (`instrument/transform.ts`, `instrument/fastPath.ts`) emit calls to and the
 * runtime (`runtime/tracer.ts`) implements. Renaming a hook here renames it everywhere; a runtime
 * that lacks a hook, or gives it another shape, fails to compile.
 *
 * Instrumented code reaches the runtime through the global {@link HOOK_GLOBAL} (not a module
 * binding: in an ES module cycle a module's functions can run before its own body).
 */

/** The global the runtime installs and instrumented code calls. */
export const HOOK_GLOBAL = '__asyncTimeline';

/** Hook names, as instrumented code spells them (short: they appear at every await and call). */
export const Hook = {
  /** Counter of tasks created so far (read before a call, compared after it). */
  lastTask: 'n',
  /** The entry file starts: t = 0. */
  start: 's',
  /** A site table of a file instrumented inside the program. */
  file: 'file',
  /** An async function / method / arrow body (or a module with top-level await) starts: a new task. */
  enter: 'e',
  /** An async generator body starts (on its first `next()`): a new task whose "promise" is no promise. */
  enterGenerator: 'eg',
  /** Just before `await v`. */
  yield: 'y',
  /** Just before `await f(args)`: the yield and the call bookkeeping in one. */
  yieldCall: 'ya',
  /** Just after an await returned normally (and at the top of a `for await` body). */
  resume: 'r',
  /** At the top of a catch/finally block in a coroutine: an await may have resumed by throwing. */
  resumeCaught: 'rc',
  /** The coroutine body threw. */
  threw: 'x',
  /** The coroutine body completed (the wrapper's finally). */
  finished: 'f',
  /** `return E` in an async function: the task's promise may adopt E. */
  adopt: 'ad',
  /** Around every other call. */
  call: 'c',
  /** `Promise.all/allSettled/race/any(X)`. */
  combinator: 'g',
  /** `p.then/catch/finally(...)`. */
  callback: 't',
  /** `new Promise(executor)`: who calls resolve/reject. */
  newPromise: 'np',
  /** `for await (x of E)`. */
  forAwait: 'fa',
} as const;

export type HookKey = keyof typeof Hook;
export type HookName = (typeof Hook)[HookKey];

/** The `code` argument of {@link Hook.combinator}: which Promise static method. */
export const COMBINATOR_CODES = { all: 1, allSettled: 2, race: 3, any: 4 } as const;
/** The `kind` argument of {@link Hook.callback}: which Promise prototype method. */
export const CALLBACK_CODES = { then: 0, catch: 1, finally: 2 } as const;

/**
 * The runtime's side of the interface: what each hook takes and returns. The runtime's object is
 * typed with this, so a hook renamed in {@link Hook} or given another shape fails to compile.
 */
export interface HookApi {
  [Hook.lastTask]: number;
  [Hook.start](): void;
  [Hook.file](path: string, base: number, entries: unknown[]): void;
  [Hook.enter](site: number): number;
  [Hook.enterGenerator](site: number): number;
  [Hook.yield]<T>(t: number, site: number, v: T): T;
  [Hook.yieldCall]<T>(t: number, site: number, n0: number, v: T, callSite: number): T;
  [Hook.resume]<T>(t: number, v?: T): T | undefined;
  [Hook.resumeCaught](t: number): void;
  [Hook.threw](t: number): void;
  [Hook.finished](t: number): void;
  [Hook.adopt]<T>(t: number, site: number, v: T): T;
  [Hook.call]<T>(n0: number, v: T, site: number): T;
  [Hook.combinator](P: unknown, code: number, iterable: unknown): unknown;
  [Hook.callback](recv: unknown, kind: number, site: number, text: string): (...args: unknown[]) => unknown;
  [Hook.newPromise](P: unknown, text: string, executor: unknown): unknown;
  [Hook.forAwait](t: number, site: number, it: unknown, text: string, isCall: boolean): unknown;
}
