import assert from 'node:assert/strict';
import {
  computeFileHints,
  escapeMarkdown,
  filesWithHints,
  formatTime,
  showInTimelineLink,
} from '../../src/core/editorHints';
import { blockingTrace, workersTrace } from './helpers/sampleTraces';

const opts = { showCommand: 'asyncTimeline.showInTimeline' };

describe('core/editorHints', () => {
  it('formats times', () => {
    assert.equal(formatTime(0.2), '0.2 ms');
    assert.equal(formatTime(2001.0), '2001 ms');
  });

  it('labels the await lines of the worker example', () => {
    const h = computeFileHints(workersTrace(), 'examples/workers.ts', opts);
    const awaits = h.lines.filter((l) => l.kind === 'await').map((l) => [l.line, l.label]);
    assert.deepEqual(awaits, [
      [8, '⏸ 1× · waited 1.00 s'],
      [14, '⏸ 1× · waited 2.00 s'],
      [22, '⏸ 1× · waited 1.00 s'],
      [24, '⏸ 1× · waited 1.00 s'],
    ]);
  });

  it('labels task-creation lines with name, id, created and settled times', () => {
    const h = computeFileHints(workersTrace(), 'examples/workers.ts', opts);
    const creates = new Map(h.lines.filter((l) => l.kind === 'create').map((l) => [l.line, l.label]));
    assert.equal(creates.get(19), '→ worker1 #2 · 0.2 ms → 1001 ms');
    assert.equal(creates.get(20), '→ worker2 #3 · 0.3 ms → 2001 ms');
    assert.equal(creates.get(29), '→ main #1 · 0.1 ms → 2003 ms');
  });

  it('shows the max when it differs, pending suspensions, and blocking warnings with the delay', () => {
    const h = computeFileHints(blockingTrace(), 'src/app.ts', opts);
    const line3 = h.lines.find((l) => l.line === 3)!;
    assert.equal(line3.label, '⏸ 3× · waited 497 ms · max 208 ms · 1 never resumed');
    const warn = h.lines.find((l) => l.kind === 'blocking')!;
    assert.equal(warn.line, 11);
    assert.equal(warn.label, '⚠ ran 130 ms without yielding · delayed 1 task up to 131 ms');
    assert.deepEqual(warn.taskIds.sort(), [1, 2]);
    assert.match(warn.hover, /\| crunch #2 \| 160 ms \| 290 ms \| 130 ms \| poller #1 \|/);
    assert.equal(
      computeFileHints(blockingTrace(), 'src/app.ts', { ...opts, blockingThresholdMs: 500 }).lines.filter(
        (l) => l.kind === 'blocking',
      ).length,
      0,
    );
  });

  it('builds hover tables with what was awaited, who resumed, and a Show in timeline link', () => {
    const h = computeFileHints(workersTrace(), 'examples/workers.ts', opts);
    const l22 = h.lines.find((l) => l.line === 22 && l.kind === 'await')!;
    assert.match(l22.hover, /\| task \| suspended at \| resumed at \| waited \| waited on \| resumed by \|/);
    assert.match(l22.hover, /\| main #1 \| 0\.4 ms \| 1001 ms \| 1\.00 s \| worker1 #2 \| worker1 #2 \|/);
    assert.ok(
      l22.hover.includes(`[Show in timeline](${showInTimelineLink('asyncTimeline.showInTimeline', [1])})`),
    );
    assert.equal(decodeURIComponent(showInTimelineLink('x.y', [1, 2]).split('?')[1]!), '[{"taskIds":[1,2]}]');
  });

  it('summarises each function that ran in a lens title', () => {
    const h = computeFileHints(workersTrace(), 'examples/workers.ts', opts);
    assert.deepEqual(
      h.lenses.map((l) => [l.line, l.title]),
      [
        [
          6,
          '1 call · 1 yield · waited 1.00 s · ran 150 µs · 50.0 µs on the critical path — Show in timeline',
        ],
        [
          12,
          '1 call · 1 yield · waited 2.00 s · ran 150 µs · 2.00 s on the critical path — Show in timeline',
        ],
        [
          18,
          '1 call · 2 yields · waited 2.00 s · ran 600 µs · 2.25 ms on the critical path — Show in timeline',
        ],
      ],
    );
  });

  it('says how much of the critical path each function accounts for, and nothing for one off it', () => {
    const trace = workersTrace();
    // A path given by the caller (or stored in the trace) is the one used: here worker1 alone.
    const path = [
      {
        taskId: 2,
        start: 0,
        end: 1000,
        kind: 'waiting' as const,
        site: null,
        waitingOn: { kind: 'promise' as const, taskIds: [] },
      },
    ];
    const titles = computeFileHints(trace, 'examples/workers.ts', { ...opts, criticalPath: path }).lenses.map(
      (l) => l.title,
    );
    assert.match(titles[0], / · 1\.00 s on the critical path — Show in timeline$/);
    assert.ok(!titles[1].includes('critical path'), titles[1]);
    assert.ok(!titles[2].includes('critical path'), titles[2]);
  });

  it('says nothing about other files, and lists the files it knows', () => {
    assert.deepEqual(computeFileHints(workersTrace(), 'other.ts', opts), { lines: [], lenses: [] });
    assert.deepEqual(filesWithHints(workersTrace()), ['examples/workers.ts']);
  });

  it("names a task by asyncio's name too and says what a rejected one raised", () => {
    const t = workersTrace();
    const w1 = t.tasks.find((x) => x.id === 2)!;
    w1.taskName = 'fetch-a';
    w1.settled = { ...w1.settled!, state: 'rejected', error: 'ValueError: boom' };
    const h = computeFileHints(t, 'examples/workers.ts', opts);
    const create = h.lines.find((l) => l.kind === 'create' && l.line === 19)!;
    assert.equal(create.label, '→ worker1 #2 (fetch-a) · 0.2 ms → 1001 ms · rejected: ValueError: boom');
    assert.ok(create.hover.includes('| worker1 #2 \\(fetch-a\\) |'), create.hover);
    assert.ok(create.hover.includes('| rejected: ValueError: boom |'), create.hover);
    // Wherever the task is named (a hover of the line that awaited it), the asyncio name comes along.
    const awaited = h.lines.find((l) => l.kind === 'await' && l.line === 22)!;
    assert.ok(awaited.hover.includes('worker1 #2 \\(fetch-a\\)'), awaited.hover);
    // The function's summary lens says what its failed call raised.
    assert.match(
      h.lenses.find((l) => l.line === 6)!.title,
      / · 1 rejected: ValueError: boom — Show in timeline$/,
    );
  });

  it('escapes task names in Markdown', () => {
    assert.equal(escapeMarkdown('a|b<img>'), 'a\\|b\\<img\\>');
    const t = workersTrace();
    t.tasks[1]!.name = 'evil|[x](command:rm)';
    const h = computeFileHints(t, 'examples/workers.ts', opts);
    const hover = h.lines.find((l) => l.line === 22 && l.kind === 'await')!.hover;
    assert.ok(hover.includes('evil\\|\\[x\\]\\(command:rm\\)'));
    assert.ok(!hover.includes('](command:rm)'));
  });

  it('hovers name the thread or process of each task when the trace has several, and only then', () => {
    const single = computeFileHints(workersTrace(), 'examples/workers.ts', opts);
    const t = workersTrace();
    t.tasks[1]!.group = 1;
    t.groups = [
      {
        id: 0,
        kind: 'main',
        label: 'main',
        pid: 10,
        threadId: 0,
        parentGroup: null,
        started: 0,
        ended: null,
      },
      {
        id: 1,
        kind: 'worker',
        label: 'worker 1 (w.ts)',
        pid: 10,
        threadId: 1,
        parentGroup: 0,
        started: 0,
        ended: null,
      },
    ];
    const grouped = computeFileHints(t, 'examples/workers.ts', opts);
    const hover = (h: typeof single) => h.lines.find((l) => l.line === 22 && l.kind === 'await')!.hover;
    assert.ok(hover(grouped).includes('worker1 #2 · worker 1 \\(w.ts\\)'), hover(grouped));
    assert.ok(hover(grouped).includes('main #1 · main'), hover(grouped));
    assert.ok(!hover(single).includes(' · main'), hover(single));
    // Inline labels and lenses stay as they were: only the hovers say more.
    assert.deepEqual(
      grouped.lines.map((l) => l.label),
      single.lines.map((l) => l.label),
    );
    // (the critical-path share may differ: the grouped trace is another run's shape)
    const withoutPath = (h: typeof single) =>
      h.lenses.map((l) => ({ ...l, title: l.title.replace(/ · [^·]* on the critical path/, '') }));
    assert.deepEqual(withoutPath(grouped), withoutPath(single));
  });
});
