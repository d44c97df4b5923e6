/**
 * Compares a trace with what the oracle preload (oraclePreload.ts) saw the engine do in the same run.
 *
 * Checks, per task of the trace whose promise the oracle identified:
 *   - settled: same state (pending / fulfilled / rejected) and, when settled, times within 1 ms
 *     (both clocks are performance.now() of the same process; the offset between the two origins
 *     is bounded from both sides by every e() call, typically to a few µs). One exception, listed
 *     in `sameInstant`: the trace's time lies inside our bracket of the body's last hook call and
 *     the engine settled the promise as the very next event — no code of the program ran between,
 *     only the OS or the garbage collector held the thread (up to ~80 ms seen on shared cores).
 *     And one more failure, an ordering fact with no clock in it: when the trace's time lies inside
 *     that bracket but the engine settled the promise only after more events (the body returned a
 *     thenable and the program went on), the trace's time is not the settle, however close.
 *     Generators are not checked (no promise of their own); nor are tasks whose promise could not
 *     be identified (module bodies, parameter defaults that run code): all listed in notChecked.
 *   - awaits: the k-th suspension of task T in the trace (await / for-await / yield, i.e. the k-th
 *     `y`/`ya` call for T) waited, per the engine, on promise A. Every id in the segment's `awaits`
 *     must be JUSTIFIED: A is that task's promise, or depends on it through the engine's own links
 *     (`depends` below). Ids the engine says A directly waited on and the trace does not list are
 *     MISSES (see `expected` below).
 *
 * Dependencies between promises, from the engine's events only:
 *   - `init` parent: a promise made by then/catch/finally (and await's and combinators' internal
 *     reactions) depends on the promise it hangs off;
 *   - combinator: a Promise.all/allSettled/race/any result depends on the promise of every member
 *     (the element reactions attached during the call);
 *   - adoption: a promise resolved with a thenable settles in a reaction on that thenable which was
 *     created inside its own resolve-thenable job (V8 runs that job between before/after hooks of
 *     the adopting promise): it depends on that reaction;
 *   - causation (justification only, and never for a task's own promise): a promise that settled
 *     while a reaction job ran depends on that job's promise (a `resolve` called from a callback).
 * A task's promise depends on nothing but what it adopted: that it settled after its body resumed
 * from some await is no dependency (`await outer()` does not wait on what outer awaited).
 * `expected` stops at the first task promise on every path and leaves causation out: the tasks
 * whose promises the awaited promise is, chains from, groups or adopts.
 */
import type { Segment, SuspendedSegment, Trace } from '../../src/protocol/trace';

/** Where the preload writes its log (the test sets it; the preload removes it from the program's environment). */
export const ORACLE_OUT_ENV = 'ASYNC_TIMELINE_ORACLE_OUT';

export interface OracleLog {
  origin: number;
  /** The tracer read its origin within this many ms after ours. */
  originBound: number;
  endT: number;
  promises: number;
  parent: number[];
  initJob: number[];
  settleT: (number | null)[];
  settleState: number[];
  settleJob: number[];
  tasks: [number, number][];
  /** [task, our clock right before its e(), right after]: bounds the tracer's clock reading inside. */
  entered: [number, number, number][];
  /** [task, promise]: generator requests (next/return/throw) that resumed that generator task. */
  requests: [number, number][];
  /** [task, our clock before its first f()/x(), after it, event serial of its last f()/x()]. */
  bodyEnd: [number, number, number, number][];
  /** Event serial at which each promise settled. */
  settleSerial: number[];
  unmapped: [number, string][];
  awaits: [number, number][];
  /** Promises the engine made for an awaited value that was no native promise (they adopt it). */
  wrappers: number[];
  combinators: [number, number, number[]][];
}

export interface OracleReport {
  tasks: number;
  tasksChecked: number;
  tasksEqual: number;
  edgesChecked: number;
  edgesJustified: number;
  /** How far the two clocks' alignment can be off (ms), from the e() brackets. */
  clockBoundMs: number;
  /** Settled state or time that differs from the engine's. */
  settleMismatches: string[];
  /** Trace `awaits` ids the engine does not justify. */
  unjustified: string[];
  /** Tasks the engine says a suspension waited on, missing from the trace's `awaits`. */
  misses: string[];
  /** The trace's suspensions of a task do not line up with the oracle's (mapping broken). */
  structure: string[];
  /** Settle times more than 1 ms apart that are provably one instant of the program (see compare). */
  sameInstant: string[];
  /** Not checked, and why (printed, never silent). */
  notChecked: string[];
}

const STATE = ['pending', 'fulfilled', 'rejected'] as const;
const TOLERANCE_MS = 1;

export function compareWithOracle(trace: Trace, log: OracleLog): OracleReport {
  const report: OracleReport = {
    tasks: trace.tasks.length,
    tasksChecked: 0,
    tasksEqual: 0,
    edgesChecked: 0,
    edgesJustified: 0,
    clockBoundMs: 0,
    settleMismatches: [],
    unjustified: [],
    misses: [],
    structure: [],
    sameInstant: [],
    notChecked: [],
  };
  const byId = new Map(trace.tasks.map((t) => [t.id, t]));
  const label = (id: number) => `${byId.get(id)?.name ?? '?'}#${id}`;
  // An async generator has no promise of its own: the promise made right before its body first ran
  // is the request of the first next(), not the task's.
  const mapped = log.tasks.filter(([t]) => byId.get(t)?.kind !== 'generator');
  const promiseOf = new Map<number, number>(mapped);
  // A generator's requests: an await on one waits on the generator's own code (justifies an edge to
  // it; not expected, the documented `awaits` lists tasks' promises).
  const requestOf = new Map<number, number>(
    [...log.tasks.filter(([t]) => byId.get(t)?.kind === 'generator'), ...log.requests].map(([t, p]) => [
      p,
      t,
    ]),
  );
  const taskOfPromise = new Map<number, number>(mapped.map(([t, p]) => [p, t]));

  // The clocks: both are performance.now() of the same process, ours read from just before the
  // tracer took its origin. Each e() call bounds the difference from both sides: the trace's
  // created.t was read between our two readings around that call.
  let lo = 0;
  let hi = Math.max(0, log.originBound);
  for (const [t, before, after] of log.entered) {
    const created = byId.get(t)?.created.t;
    if (created === undefined) continue;
    lo = Math.max(lo, before - created);
    hi = Math.min(hi, after - created);
  }
  if (lo > hi + 1e-6)
    report.structure.push(
      `clocks do not line up: origin offset between ${lo.toFixed(4)} and ${hi.toFixed(4)} ms`,
    );
  const shift = (lo + hi) / 2;
  report.clockBoundMs = Math.max(0, hi - lo) / 2;
  const members = new Map<number, number[]>();
  for (const [result, , ms] of log.combinators) members.set(result, [...(members.get(result) ?? []), ...ms]);
  const unmapped = new Map<number, string>(log.unmapped);

  const bodyEnds = new Map(
    log.bodyEnd.map(([t, before, after, serial]) => [t, [before, after, serial] as const]),
  );

  /** Adoption: q settled in a reaction made inside q's own resolve-thenable job. */
  const adopted = (q: number): number => {
    const x = log.settleJob[q] ?? 0;
    return x !== 0 && x !== q && log.initJob[x] === q ? x : 0;
  };

  /** Tasks whose promises `start` depends on; `direct`: the `expected` reading (see header). */
  const depends = (start: number, direct: boolean): Set<number> => {
    const found = new Set<number>();
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      const q = stack.pop()!;
      if (q === 0 || seen.has(q)) continue;
      seen.add(q);
      const request = requestOf.get(q);
      if (request !== undefined && !direct) found.add(request);
      const task = taskOfPromise.get(q);
      if (task !== undefined) {
        found.add(task);
        if (direct) continue;
        stack.push(adopted(q));
        continue;
      }
      stack.push(log.parent[q] ?? 0);
      for (const m of members.get(q) ?? []) stack.push(m);
      const a = adopted(q);
      if (a !== 0) stack.push(a);
      else if (!direct) stack.push(log.settleJob[q] ?? 0);
    }
    return found;
  };

  // Oracle suspensions per task, in order.
  const oracleAwaits = new Map<number, number[]>();
  for (const [task, promise] of log.awaits) {
    const list = oracleAwaits.get(task) ?? [];
    list.push(promise);
    oracleAwaits.set(task, list);
  }

  for (const task of trace.tasks) {
    const why = unmapped.get(task.id);
    const promise = promiseOf.get(task.id);
    if (task.kind === 'generator') {
      report.notChecked.push(
        `${label(task.id)}: settled not checked, an async generator has no promise of its own (each next() has one)`,
      );
    } else if (promise === undefined && task.kind === 'module') {
      report.notChecked.push(
        `${label(task.id)}: settled not checked, a module body's evaluation promise is not made right before its body runs`,
      );
    } else if (promise === undefined) {
      report.notChecked.push(`${label(task.id)}: settled not checked, ${why ?? 'no promise seen for it'}`);
    } else {
      report.tasksChecked++;
      const raw = log.settleT[promise] ?? null;
      const t = raw === null ? null : raw - shift;
      const state = t === null ? 'pending' : STATE[log.settleState[promise]];
      const ours = task.settled === null ? 'pending' : task.settled.state;
      const ourT = task.settled?.t ?? null;
      let ok = state === ours && (t === null || (ourT !== null && Math.abs(t - ourT) <= TOLERANCE_MS));
      // More than 1 ms apart, yet the same instant of the program: the trace read its clock inside
      // the body's last hook call (within our readings around it) and the engine settled the
      // promise as the very next event, no code of the program in between. The wall time between
      // is the OS or the garbage collector holding the thread (seen up to ~80 ms on shared cores).
      const end = bodyEnds.get(task.id);
      if (
        !ok &&
        state === ours &&
        t !== null &&
        ourT !== null &&
        end &&
        log.settleSerial[promise] === end[2] + 1
      ) {
        const inside = ourT >= end[0] - shift - 1e-6 && ourT <= end[1] - shift + 1e-6;
        if (inside) {
          ok = true;
          report.sameInstant.push(
            `${label(task.id)}: ${(t - ourT).toFixed(3)} ms apart with nothing in between`,
          );
        }
      }
      // Within 1 ms, yet provably not the settle's instant: the trace took its time inside the
      // body's last hook call while the promise stayed pending (it adopted what the body returned)
      // and the program went on before the engine settled it. An ordering fact, no clock involved:
      // a body that returns anything but a thenable settles its promise as the very next event.
      let pendingAtEnd = '';
      if (ok && t !== null && ourT !== null && end) {
        const inside = ourT >= end[0] - shift - 1e-6 && ourT <= end[1] - shift + 1e-6;
        const between = log.settleSerial[promise] - end[2] - 1;
        if (inside && between > 0) {
          ok = false;
          pendingAtEnd = ` (the trace's time is the body's end; the promise settled ${between} engine events later)`;
        }
      }
      if (ok) report.tasksEqual++;
      else
        report.settleMismatches.push(
          `${label(task.id)}: trace ${ours}${ourT === null ? '' : ` at ${ourT.toFixed(3)}`}, engine ${state}${t === null ? '' : ` at ${t.toFixed(3)}`} ms${pendingAtEnd}`,
        );
    }

    const suspensions = task.segments.filter((s: Segment): s is SuspendedSegment => s.state === 'suspended');
    const awaited = oracleAwaits.get(task.id) ?? [];
    const ordinary = suspensions.filter((s) => s.kind !== 'adopt');
    if (ordinary.length !== awaited.length) {
      report.structure.push(
        `${label(task.id)}: ${ordinary.length} suspensions in the trace, ${awaited.length} y/ya calls seen`,
      );
      continue;
    }
    ordinary.forEach((seg, k) => {
      const where = `${label(task.id)} ${seg.kind} ${seg.site ? `${seg.site.file}:${seg.site.line}` : '?'} (#${k + 1})`;
      checkEdges(seg, awaited[k], where);
    });
    // A runtime that records adoption as a suspension: what the task's own promise adopted.
    for (const seg of suspensions.filter((s) => s.kind === 'adopt')) {
      const where = `${label(task.id)} adopt ${seg.site ? `${seg.site.file}:${seg.site.line}` : '?'}`;
      if (promise === undefined) report.notChecked.push(`${where}: task promise unknown`);
      else checkEdges(seg, adopted(promise), where);
    }
  }

  function checkEdges(seg: SuspendedSegment, awaitedPromise: number, where: string): void {
    if (awaitedPromise === 0) {
      if (seg.awaits.length > 0) report.structure.push(`${where}: the engine saw no awaited promise`);
      return;
    }
    const justified = depends(awaitedPromise, false);
    const expected = depends(awaitedPromise, true);
    for (const id of seg.awaits) {
      if (!justified.has(id) && !promiseOf.has(id)) {
        // The oracle could not tell which promise is that task's (code ran between its entry and its body):
        // it can neither justify nor refute an edge to it.
        report.notChecked.push(
          `${where}: edge to ${label(id)} not checked, its promise is unknown to the oracle`,
        );
        continue;
      }
      report.edgesChecked++;
      if (justified.has(id)) report.edgesJustified++;
      else
        report.unjustified.push(
          `${where}: trace awaits ${label(id)}, engine: waited on ${expected.size > 0 ? [...expected].map(label).join(', ') : 'no task'}`,
        );
    }
    for (const id of expected) {
      if (!seg.awaits.includes(id))
        report.misses.push(
          `${where}: engine waited on ${label(id)}, trace awaits [${seg.awaits.map(label).join(', ')}]`,
        );
    }
  }

  return report;
}
