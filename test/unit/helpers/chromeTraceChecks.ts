import assert from 'node:assert/strict';
import { LANES_PID, type ChromeTraceEvent } from '../../../src/core/chromeTrace';

/**
 * Structural checks a viewer relies on: shared by the unit tests of the export and the
 * end-to-end CLI test, which runs them on the export of a real run.
 */
export function assertValidChromeTrace(taskIds: number[], events: ChromeTraceEvent[]): void {
  for (const e of events) {
    assert.ok(typeof e.name === 'string' && typeof e.ph === 'string', JSON.stringify(e));
    assert.ok(Number.isFinite(e.ts) && e.ts >= 0, JSON.stringify(e));
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), JSON.stringify(e));
    if (e.ph === 'X') assert.ok(Number.isFinite(e.dur) && e.dur! >= 0, JSON.stringify(e));
  }
  // Metadata first, then the rest in time order.
  const firstNonMeta = events.findIndex((e) => e.ph !== 'M');
  assert.ok(events.slice(firstNonMeta).every((e) => e.ph !== 'M'));
  // ts monotonic per track (pid, tid) and per async id.
  const last = new Map<string, number>();
  for (const e of events.slice(firstNonMeta)) {
    const key = e.ph === 'b' || e.ph === 'e' ? `async ${e.pid} ${e.id}` : `${e.pid}/${e.tid}`;
    assert.ok(e.ts >= (last.get(key) ?? 0), `ts goes back on ${key}: ${JSON.stringify(e)}`);
    last.set(key, e.ts);
  }
  // Every b has its e, properly nested (a stack per async id), names matching.
  const stacks = new Map<string, string[]>();
  for (const e of events) {
    if (e.ph !== 'b' && e.ph !== 'e') continue;
    assert.ok(e.cat && e.id !== undefined, JSON.stringify(e));
    const key = `${e.cat} ${e.id}`;
    const stack = stacks.get(key) ?? [];
    stacks.set(key, stack);
    if (e.ph === 'b') stack.push(e.name);
    else assert.equal(stack.pop(), e.name, `unbalanced e on ${key}`);
  }
  for (const [key, stack] of stacks)
    assert.equal(stack.length, 0, `unclosed b on ${key}: ${stack.join(', ')}`);
  // Flows pair up: exactly one s and one f per id, s not after f, each inside an X slice of its track.
  const flows = new Map<string, ChromeTraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 's' && e.ph !== 'f') continue;
    const key = `${e.cat} ${e.id}`;
    flows.set(key, [...(flows.get(key) ?? []), e]);
  }
  for (const [key, pair] of flows) {
    assert.deepEqual(
      pair.map((e) => e.ph),
      ['s', 'f'],
      key,
    );
    assert.ok(pair[0].ts <= pair[1].ts || pair[0].cat === 'create', key);
    for (const e of pair) {
      // Strictly inside a running/suspended slice, so the viewer binds it to that slice; a
      // zero-length slice cannot contain anything, and then the task's slice around it hosts it.
      const host = events.find(
        (x) =>
          x.ph === 'X' &&
          x.pid === e.pid &&
          x.tid === e.tid &&
          (x.dur! > 0 ? x.cat !== 'task' && x.ts < e.ts && e.ts < x.ts + x.dur! : x.ts === e.ts),
      );
      assert.ok(host, `flow ${key} ${e.ph} at ${e.ts} is not inside a slice of tid ${e.tid}`);
    }
  }
  // One thread per task, named.
  for (const id of taskIds) {
    assert.ok(
      events.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === id && e.pid === LANES_PID),
      `no thread_name for task ${id}`,
    );
  }
}
