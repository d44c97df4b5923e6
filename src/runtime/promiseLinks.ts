/**
 * What the tracer knows about promises that are not simply "task N's promise": whether a value is a
 * thenable (found without reading any property the program could observe), and, for promises made
 * by `new Promise(executor)` or derived by `.then(...)` in instrumented code, who settled them.
 *
 * Everything here is invisible to the program: no property is read through a getter or a proxy
 * trap, and links live in a private field on the promise (as task tags do).
 */
import { types } from 'node:util';

/** Lets a constructor return an existing object, so a subclass can put a private field on it. */
class ReturnsTarget {
  constructor(target: object) {
    return target;
  }
}

/** Is `v` a thenable, decided without running program code? */
export const enum Thenable {
  No = 0,
  /** `then` is a function in a data property (own or inherited): the engine will call it. */
  Yes = 1,
  /** Cannot tell without running program code (a proxy, or `then` behind a getter). */
  Unknown = 2,
}

/**
 * Walks `v`'s prototype chain with property descriptors (which run no program code on ordinary
 * objects) to find `then`, the way the engine's `Get(v, "then")` would, without calling a getter.
 */
export function thenableKind(v: unknown): Thenable {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return Thenable.No;
  let o: object | null = v as object;
  for (let depth = 0; o !== null; depth++) {
    if (depth > 1000 || types.isProxy(o)) return Thenable.Unknown;
    const d = Reflect.getOwnPropertyDescriptor(o, 'then');
    if (d !== undefined) {
      if (!('value' in d)) return Thenable.Unknown;
      return typeof d.value === 'function' ? Thenable.Yes : Thenable.No;
    }
    o = Reflect.getPrototypeOf(o);
  }
  return Thenable.No;
}

const ORIGINAL = {
  then: Promise.prototype.then,
  catch: Promise.prototype.catch,
  finally: Promise.prototype.finally,
};

/**
 * Is `recv` a native promise whose `then` (and the method called) are the engine's own, so that
 * callbacks handed to it are seen by the engine only, never by program code? Decided from
 * descriptors: no getter runs.
 */
export function isPristinePromise(recv: unknown, method: unknown, kind: number): boolean {
  if (!types.isPromise(recv)) return false;
  if (method !== (kind === 0 ? ORIGINAL.then : kind === 1 ? ORIGINAL.catch : ORIGINAL.finally)) return false;
  if (kind === 0) return true;
  // catch/finally call `this.then(...)`: the callbacks reach whatever `then` that is.
  let o: object | null = recv as object;
  while (o !== null) {
    const d = Reflect.getOwnPropertyDescriptor(o, 'then');
    if (d !== undefined) return 'value' in d && d.value === ORIGINAL.then;
    o = Reflect.getPrototypeOf(o);
  }
  return false;
}

/** Who settled a promise, and which task's promise it took on (adoption), as far as the tracer saw. */
export interface Settler {
  /** The task whose code called resolve/reject (0: none seen yet, or top-level code / the event loop). */
  by: number;
  /** The task whose promise this one was resolved with (0: none). */
  adopted: number;
  /** The settler of the promise this one was derived from (`.then` chains): its adoption counts too. */
  from?: Settler;
}

/** How many `.then` links back a chain's adoptions are followed (a loop growing a chain stays bounded). */
export const CHAIN_LINKS = 8;

/** A settler for a promise derived from one whose settler is `from` (undefined past {@link CHAIN_LINKS}). */
export function derivedSettler(from: Settler | undefined): Settler {
  let depth = 0;
  for (let x = from; x !== undefined; x = x.from) if (++depth >= CHAIN_LINKS) return { by: 0, adopted: 0 };
  return { by: 0, adopted: 0, from };
}

/** The {@link Settler} of a promise, kept on the promise in a private field (objects that cannot take one are skipped). */
export class SettlerTags extends ReturnsTarget {
  #settler: Settler | undefined;

  private constructor(target: object, settler: Settler) {
    super(target);
    this.#settler = settler;
  }

  static get(v: unknown): Settler | undefined {
    if (typeof v !== 'object' || v === null) return undefined;
    return #settler in v ? (v as unknown as SettlerTags).#settler : undefined;
  }

  static set(v: object, settler: Settler): void {
    if (!(#settler in v) && Object.isExtensible(v)) new SettlerTags(v, settler);
  }
}
