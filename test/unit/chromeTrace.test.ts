import assert from 'node:assert/strict';
import { ASYNC_PID, toChromeTrace } from '../../src/core/chromeTrace';
import { assertValidChromeTrace } from './helpers/chromeTraceChecks';
import { edgeCaseTrace, workerTrace } from './helpers/exportTraces';

describe('core/chromeTrace', () => {
  it('exports the worker example: metadata, ms display unit, µs times', () => {
    const out = toChromeTrace(workerTrace());
    assert.equal(out.displayTimeUnit, 'ms');
    assert.equal(out.otherData.entry, 'examples/workers.ts');
    assertValidChromeTrace([1, 2, 3], out.traceEvents);
    const names = out.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!.name);
    assert.deepEqual(names, ['main #1', 'worker1 #2', 'worker2 #3', 'output']);
    assert.ok(out.traceEvents.some((e) => e.name === 'process_name' && e.pid === ASYNC_PID));
    // main's task slice: 0.1 ms → 2002.9 ms, in µs.
    const mainX = out.traceEvents.find((e) => e.ph === 'X' && e.cat === 'task' && e.tid === 1)!;
    assert.equal(mainX.ts, 100);
    assert.equal(mainX.dur, 2002800);
    const await22 = out.traceEvents.find((e) => e.ph === 'X' && e.name === 'await L22')!;
    assert.equal(await22.ts, 600);
    assert.equal(await22.dur, 1000600);
    assert.deepEqual(await22.args!.awaits, [2]);
    assert.equal(await22.args!.site, 'examples/workers.ts:22:3');
  });

  it('has async slices per task with nested running / suspended slices', () => {
    const out = toChromeTrace(workerTrace());
    const mainAsync = out.traceEvents.filter(
      (e) => e.pid === ASYNC_PID && e.id === 1 && (e.ph === 'b' || e.ph === 'e'),
    );
    assert.deepEqual(
      mainAsync.map((e) => `${e.ph} ${e.name}`),
      [
        'b main',
        'b running',
        'e running',
        'b await L22',
        'e await L22',
        'b running',
        'e running',
        'b await L24',
        'e await L24',
        'b running',
        'e running',
        'e main',
      ],
    );
  });

  it('draws flow arrows for creation and for wake-ups', () => {
    const out = toChromeTrace(workerTrace());
    const starts = out.traceEvents.filter((e) => e.ph === 's');
    const creates = starts.filter((e) => e.cat === 'create');
    assert.equal(creates.length, 2);
    assert.ok(creates.every((e) => e.tid === 1));
    const wakes = starts.filter((e) => e.cat === 'await');
    assert.deepEqual(
      wakes.map((e) => [e.name, e.tid]),
      [
        ['wakes', 2],
        ['wakes', 3],
      ],
    );
    const ends = out.traceEvents.filter((e) => e.ph === 'f' && e.cat === 'await');
    // worker1 settles at 1001.1 ms; main resumes at 1001.2 ms.
    assert.ok(
      Math.abs(wakes[0].ts - 1001100) < 1 && Math.abs(ends[0].ts - 1001200) < 1,
      JSON.stringify([wakes[0], ends[0]]),
    );
    assert.ok(ends.every((e) => e.tid === 1 && e.bp === 'e'));
  });

  it('marks callbacks and program output as instant events', () => {
    const out = toChromeTrace(workerTrace());
    const cb = out.traceEvents.find((e) => e.cat === 'callback')!;
    assert.equal(cb.ph, 'i');
    assert.equal(cb.ts, 2003000);
    assert.equal(cb.tid, 1);
    const o = out.traceEvents.find((e) => e.cat === 'output')!;
    assert.equal(o.name, 'stdout: worker_1 start');
  });

  it('stays well formed on open segments, rejections, unknown parents and zero-length slices', () => {
    const trace = edgeCaseTrace();
    const out = toChromeTrace(trace);
    assertValidChromeTrace([1, 2, 3, 4], out.traceEvents);
    assert.equal(out.otherData.exitReason, 'timeout');
    assert.equal(out.otherData.truncated, true);
    const flakyEnd = out.traceEvents.find((e) => e.ph === 'e' && e.name === 'flaky')!;
    assert.equal(flakyEnd.args!.state, 'rejected');
    // The pending task's open slices are closed at the end of the trace.
    const pending = out.traceEvents.find((e) => e.ph === 'X' && e.cat === 'task' && e.tid === 4)!;
    assert.equal(pending.ts + pending.dur!, 500000);
    assert.equal(pending.args!.state, 'pending');
    // The rejection woke main by throwing: an arrow flaky → main.
    const wake = out.traceEvents.find((e) => e.ph === 's' && e.cat === 'await')!;
    assert.equal(wake.tid, 2);
  });

  it('survives segments that disagree with the lifetime by rounding', () => {
    const trace = workerTrace();
    trace.tasks[1].segments[0] = { state: 'running', start: 0.19, end: 0.31 };
    trace.tasks[1].segments[2] = { state: 'running', start: 1001.0, end: 1001.2 };
    assertValidChromeTrace([1, 2, 3], toChromeTrace(trace).traceEvents);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(toChromeTrace(trace))));
  });
});
