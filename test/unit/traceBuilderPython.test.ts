import assert from 'node:assert/strict';
import { TraceBuilder } from '../../src/core/traceBuilder';
import { CombinatorCode, Ev, SettleCode } from '../../src/protocol/events';
import { records } from './helpers/eventRecords';
import type { SuspendedSegment, TaskRecord } from '../../src/protocol/trace';

/** A builder that has seen a Python runtime's start frame and the site table of /w/app.py. */
function pythonBuilder(): TraceBuilder {
  const b = new TraceBuilder({ entry: 'app.py', cwd: '/w', language: 'python', startedAt: '2026-01-01T00:00:00.000Z' });
  b.handleMessage({ type: 'start', pid: 1, epochMs: 1000, runtime: 'cpython 3.11.7', maxEvents: 100 });
  b.handleMessage({
    type: 'sites',
    file: '/w/app.py',
    base: 1,
    entries: [
      ['function', 17, 1, 'main'], // 1
      ['function', 5, 1, 'worker_1'], // 2
      ['call', 18, 13], // 3  create_task(worker_1())
      ['scheduled', 18, 13], // 4
      ['await', 21, 5], // 5  await task1
      ['await', 7, 5], // 6  await asyncio.sleep(1)
      ['done', 20, 5], // 7  task.add_done_callback(...)
    ],
  });
  return b;
}

const suspended = (task: TaskRecord) => task.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');

describe('core/traceBuilder (Python streams)', () => {
  it('a task created by create_task waits `scheduled` until the loop first runs it, after a zero-length running segment', () => {
    const b = pythonBuilder();
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1], // main (asyncio.run)
        [0, Ev.Yield, 1, 4],
        [0.1, Ev.Resume, 1, 0],
        [1, Ev.Create, 1, 2], // worker_1, created by main
        [1, Ev.CallSite, 2, 3],
        [1.2, Ev.Yield, 2, 4], // scheduled: recorded a moment after the Create, yet the task ran nothing in between
        [2, Ev.Yield, 1, 5], // main: await task1
        [2, Ev.WaitOn, 1, 2],
        [2.5, Ev.Resume, 2, 0], // worker_1 first step
        [3, Ev.Yield, 2, 6],
        [3, Ev.WaitKind, 2, CombinatorCode.Sleep],
        [1003, Ev.Resume, 2, 0],
        [1004, Ev.SettleOk, 2, 0],
        [1004.5, Ev.WokenBy, 1, 2],
        [1005, Ev.Resume, 1, 0],
        [1006, Ev.SettleOk, 1, 0],
      ]),
    );
    b.finish({ code: 0, signal: null, reason: 'exited' }, 1006);
    const trace = b.snapshot();
    assert.equal(trace.runtime, 'cpython 3.11.7');
    assert.equal(trace.language, 'python');
    const [main, worker] = trace.tasks;
    assert.deepEqual(
      worker.segments.map((s) => [s.state, s.state === 'suspended' ? s.kind : '', s.start, s.end]),
      [
        ['running', '', 1, 1],
        ['suspended', 'scheduled', 1, 2.5],
        ['running', '', 2.5, 3],
        ['suspended', 'await', 3, 1003],
        ['running', '', 1003, 1004],
      ],
    );
    assert.deepEqual(worker.created.site, { file: 'app.py', line: 18, column: 13 });
    assert.equal(worker.parentId, 1);
    const sleep = suspended(worker)[1];
    assert.equal(sleep.waitsFor, 'sleep');
    assert.equal(sleep.combinator, undefined);
    const awaitTask = suspended(main)[1];
    assert.deepEqual(awaitTask.awaits, [2]);
    assert.equal(awaitTask.resumedBy, 2);
  });

  it('the runtime names the waker even when it is no member of `awaits` (a queue fed by a producer)', () => {
    const b = pythonBuilder();
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1], // consumer
        [0, Ev.Create, 0, 2], // producer
        [1, Ev.Yield, 1, 5],
        [1, Ev.WaitKind, 1, CombinatorCode.Queue],
        [5, Ev.WokenBy, 1, 2],
        [6, Ev.Resume, 1, 0],
      ]),
    );
    const [consumer] = b.snapshot().tasks;
    const wait = suspended(consumer)[0];
    assert.equal(wait.waitsFor, 'queue');
    assert.deepEqual(wait.awaits, []);
    assert.equal(wait.resumedBy, 2);
  });

  it('SettleErr with the Cancelled code marks the task cancelled; code 0 stays rejected', () => {
    const b = pythonBuilder();
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 2],
        [0, Ev.Create, 0, 2],
        [1, Ev.SettleErr, 1, SettleCode.Cancelled],
        [2, Ev.SettleErr, 2, SettleCode.Rejected],
      ]),
    );
    const [a, c] = b.snapshot().tasks;
    assert.equal(a.settled?.state, 'cancelled');
    assert.equal(c.settled?.state, 'rejected');
  });

  it('Python groupings name their combinator and list their members', () => {
    const b = pythonBuilder();
    const ev: Array<[number, Ev, number, number]> = [[0, Ev.Create, 0, 1]];
    const codes = [CombinatorCode.Gather, CombinatorCode.Wait, CombinatorCode.TaskGroup];
    codes.forEach((code, k) => {
      ev.push([k * 10 + 1, Ev.Yield, 1, 5], [k * 10 + 1, Ev.WaitKind, 1, code], [k * 10 + 1, Ev.WaitOn, 1, 7], [k * 10 + 2, Ev.Resume, 1, 0]);
    });
    b.handleEvents(records(ev));
    const waits = suspended(b.snapshot().tasks[0]);
    assert.deepEqual(
      waits.map((s) => [s.combinator, s.awaits]),
      [
        ['gather', [7]],
        ['wait', [7]],
        ['taskGroup', [7]],
      ],
    );
  });

  it('every WaitKind code from 8 up names what was waited for; an unknown one is left out', () => {
    const b = pythonBuilder();
    const ev: Array<[number, Ev, number, number]> = [[0, Ev.Create, 0, 1]];
    for (let code = 8; code <= 19; code++) {
      ev.push([code, Ev.Yield, 1, 5], [code, Ev.WaitKind, 1, code], [code + 0.5, Ev.Resume, 1, 0]);
    }
    b.handleEvents(records(ev));
    const waits = suspended(b.snapshot().tasks[0]);
    assert.deepEqual(
      waits.map((s) => s.waitsFor ?? null),
      ['sleep', 'future', 'queue', 'lock', 'event', 'semaphore', 'condition', 'thread', 'timeout', 'subprocess', 'stream', null],
    );
    assert.ok(waits.every((s) => s.combinator === undefined));
  });

  it('done callbacks are recorded as `done` at their registration site', () => {
    const b = pythonBuilder();
    b.handleEvents(records([[0, Ev.Create, 0, 2], [5, Ev.SettleOk, 1, 0], [5.1, Ev.CallbackDone, 1, 7]]));
    assert.deepEqual(b.snapshot().callbacks, [{ t: 5.1, kind: 'done', taskId: 1, site: { file: 'app.py', line: 20, column: 5 } }]);
  });

  it('applies asyncio task names and settle errors sent after the batch that created/settled the lane', () => {
    const b = pythonBuilder();
    b.handleEvents(records([[0, Ev.Create, 0, 2], [0, Ev.Create, 0, 2]]));
    b.handleMessage({ type: 'taskinfo', task: 1, taskName: 'Task-2' });
    b.handleEvents(records([[3, Ev.SettleErr, 1, SettleCode.Rejected]]));
    b.handleMessage({ type: 'settle-error', task: 1, error: 'ValueError: boom' });
    // Info about a lane whose events have not arrived yet waits for them.
    b.handleMessage({ type: 'taskinfo', task: 3, taskName: 'fetcher' });
    const [first, second] = b.snapshot().tasks;
    assert.equal(first.taskName, 'Task-2');
    assert.deepEqual(first.settled, { t: 3, state: 'rejected', error: 'ValueError: boom' });
    assert.equal(second.taskName, undefined);
    b.handleEvents(records([[4, Ev.Create, 0, 2]]));
    assert.equal(b.snapshot().tasks[2].taskName, 'fetcher');
  });

  it("keeps the runtime's crash site (relative to cwd) and its warnings", () => {
    const b = pythonBuilder();
    b.handleMessage({
      type: 'error',
      kind: 'uncaughtException',
      message: 'ValueError: boom',
      stack: 'Traceback (most recent call last):\n  File "/w/app.py", line 9, in worker\nValueError: boom\n',
      site: { file: '/w/app.py', line: 9, column: 5 },
    });
    b.handleMessage({ type: 'warning', message: 'Task exception was never retrieved' });
    assert.deepEqual(b.lastError?.site, { file: 'app.py', line: 9, column: 5 });
    assert.deepEqual(b.warnings, ['Task exception was never retrieved']);
  });
});
