import assert from 'node:assert/strict';
import { TraceBuilder } from '../../src/core/traceBuilder';
import { Ev } from '../../src/protocol/events';
import { records } from './helpers/eventRecords';

function builder(): TraceBuilder {
  const b = new TraceBuilder({ entry: 'main.js', cwd: '/w', language: 'javascript', startedAt: '2026-01-01T00:00:00.000Z' });
  b.handleMessage({
    type: 'sites',
    file: '/w/main.js',
    base: 1,
    entries: [
      ['function', 1, 1, 'main'],
      ['function', 5, 1, 'child'],
      ['await', 3, 3],
    ],
  });
  return b;
}

describe('core/traceBuilder', () => {
  it('folds a Promise.all over thousands of tasks: every member once, in order, and the last to settle woke it', () => {
    const b = builder();
    const N = 5000;
    const ev: Array<[number, Ev, number, number]> = [[0, Ev.Create, 0, 1]];
    for (let i = 0; i < N; i++) ev.push([1 + i * 0.001, Ev.Create, 1, 2], [1 + i * 0.001, Ev.Yield, i + 2, 3]);
    ev.push([10, Ev.Yield, 1, 3], [10, Ev.WaitKind, 1, 1]);
    // Every member listed, some twice (the same promise twice in the array).
    for (let i = 0; i < N; i++) ev.push([10, Ev.WaitOn, 1, i + 2]);
    for (let i = 0; i < N; i += 7) ev.push([10, Ev.WaitOn, 1, i + 2]);
    for (let i = 0; i < N; i++) ev.push([20 + i * 0.001, Ev.Resume, i + 2, 0], [20 + i * 0.001, Ev.SettleOk, i + 2, 0]);
    ev.push([30, Ev.Resume, 1, 0], [31, Ev.SettleOk, 1, 0]);
    b.handleEvents(records(ev));
    b.finish({ code: 0, signal: null, reason: 'exited' }, 31);
    const main = b.snapshot().tasks[0];
    const wait = main.segments[1];
    assert.equal(wait.state, 'suspended');
    if (wait.state !== 'suspended') return;
    assert.equal(wait.combinator, 'all');
    assert.equal(wait.awaits.length, N);
    assert.deepEqual(wait.awaits.slice(0, 3), [2, 3, 4]);
    assert.equal(new Set(wait.awaits).size, N);
    assert.equal(wait.resumedBy, N + 1, 'the last member to settle');
    assert.deepEqual(
      main.segments.map((s) => [s.state, s.start, s.end]),
      [
        ['running', 0, 10],
        ['suspended', 10, 30],
        ['running', 30, 31],
      ],
    );
  });

  it('keeps small await lists exact too (a task awaited twice counts once)', () => {
    const b = builder();
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1],
        [1, Ev.Create, 1, 2],
        [2, Ev.Yield, 1, 3],
        [2, Ev.WaitOn, 1, 2],
        [2, Ev.WaitOn, 1, 2],
        [3, Ev.SettleOk, 2, 0],
        [4, Ev.Resume, 1, 0],
      ]),
    );
    const seg = b.snapshot().tasks[0].segments[1];
    assert.ok(seg.state === 'suspended');
    assert.deepEqual(seg.awaits, [2]);
    assert.equal(seg.resumedBy, 2);
  });

  it('resolves sites numbered far out (tables of modules prepared on the ES-module hooks thread)', () => {
    const b = builder();
    const base = (1 << 26) + 5;
    b.handleMessage({ type: 'sites', file: '/w/lazy.mjs', base, entries: [['function', 2, 1, 'lazy'], ['await', 3, 9]] });
    b.handleEvents(
      records([
        [0, Ev.Create, 0, base],
        [1, Ev.Yield, 1, base + 1],
        [2, Ev.Resume, 1, 0],
      ]),
    );
    const task = b.snapshot().tasks[0];
    assert.equal(task.name, 'lazy');
    assert.deepEqual(task.definition, { file: 'lazy.mjs', line: 2, column: 1 });
    const seg = task.segments[1];
    assert.ok(seg.state === 'suspended');
    assert.deepEqual(seg.site, { file: 'lazy.mjs', line: 3, column: 9 });
  });
});
