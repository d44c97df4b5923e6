/**
 * How the editor and the viewer name what a suspension waited on, in the program's own language:
 * `Promise.all`, `asyncio.gather`, `TaskGroup`; `a sleep`, `a queue` (Python wait targets).
 * Pure and tiny: the webview bundles it too.
 */
import type { CallbackKind, Combinator, SuspendKind, WaitTarget } from '../protocol/trace';

/** `Promise.all`, `asyncio.gather`, `asyncio.wait`, `TaskGroup`. */
export function combinatorLabel(c: Combinator): string {
  switch (c) {
    case 'gather':
      return 'asyncio.gather';
    case 'wait':
      return 'asyncio.wait';
    case 'taskGroup':
      return 'TaskGroup';
    default:
      return `Promise.${c}`;
  }
}

/** What a suspension waited on when that was no task: `a sleep`, `a queue`, `a thread (to_thread/executor)`. */
export function waitTargetLabel(w: WaitTarget): string {
  return w === 'thread' ? 'a thread (to_thread/executor)' : w === 'timeout' ? 'a timeout' : `a ${w}`;
}

/** `.then callback`, `done callback`. */
export function callbackLabel(kind: CallbackKind): string {
  return kind === 'done' ? 'done callback' : `.${kind} callback`;
}

/** How a suspension reads in prose: `await`, `yield`, `scheduled (waiting for the event loop)`. */
export function suspendLabel(kind: SuspendKind): string {
  return kind === 'scheduled' ? 'scheduled (waiting for the event loop to run it)' : kind;
}
