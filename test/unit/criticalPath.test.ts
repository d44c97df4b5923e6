import assert from 'node:assert/strict';
import { criticalPath, criticalPathLine, endTask } from '../../src/core/criticalPath';
import type { CriticalStep, Trace } from '../../src/protocol/trace';
import { fanOut, r, task, trace, w } from './helpers/explainTraces';
import { loadTrace } from './timelineFixtures';

/** `main run 0–0.2`, … : the path as short text, for whole-path comparisons. */
function brief(path: CriticalStep[], t: Trace): string[] {
  const name = (id: number) => t.tasks.find((x) => x.id === id)?.name ?? `#${id}`;
  return path.map(
    (s) =>
      `${name(s.taskId)} ${s.kind === 'running' ? 'run' : `wait:${s.waitingOn!.kind}`} ${+s.start.toFixed(2)}–${+s.end.toFixed(2)}`,
  );
}

/** Every stretch begins where the one before ended: the path tiles its span. */
function assertContiguous(path: CriticalStep[]): void {
  for (let i = 1; i < path.length; i++) assert.equal(path[i].start, path[i - 1].end, `gap before step ${i}`);
}

describe('core/criticalPath', () => {
  it("fan-out: goes through the slowest child only, cuts main's first stretch at the callees it ran at once, and tiles main's life", () => {
    const t = fanOut(500, 900);
    const path = criticalPath(t);
    assertContiguous(path);
    assert.deepEqual(brief(path, t), [
      'main run 0–0.2',
      'a run 0.2–0.4',
      'main run 0.4–0.5',
      'b run 0.5–0.7',
      'b wait:promise 0.7–900',
      'b run 900–900.1',
      'main wait:task 900.1–900.2',
      'main run 900.2–900.3',
    ]);
    // the slow child is on it, the fast one never waits on it
    assert.ok(path.some((s) => s.taskId === 3 && s.kind === 'waiting' && s.end === 900));
    assert.ok(!path.some((s) => s.taskId === 2 && s.kind === 'waiting'));
    const hand = path.find((s) => s.taskId === 1 && s.kind === 'waiting')!;
    assert.deepEqual(hand.waitingOn, { kind: 'task', taskIds: [3], combinator: 'all' });
    assert.equal(path[0].start, 0);
    assert.equal(path[path.length - 1].end, t.tasks[0].settled!.t);
  });

  it('a chain: main awaits b, b awaits c, c sleeps: the path goes down and back up', () => {
    const t = trace([
      task(1, 'main', null, [r(0, 1), w(1, 312, 5, { awaits: [2], resumedBy: 2 }), r(312, 313)], {
        t: 313,
        state: 'fulfilled',
      }),
      task(2, 'b', 1, [r(0.2, 0.6), w(0.6, 301, 6, { awaits: [3], resumedBy: 3 }), r(301, 311)], {
        t: 311,
        state: 'fulfilled',
      }),
      task(3, 'c', 2, [r(0.3, 0.5), w(0.5, 300, 7, { waitsFor: 'sleep' }), r(300, 300.5)], {
        t: 300.5,
        state: 'fulfilled',
      }),
    ]);
    const path = criticalPath(t);
    assertContiguous(path);
    assert.deepEqual(brief(path, t), [
      'main run 0–0.2',
      'b run 0.2–0.3',
      'c run 0.3–0.5',
      'c wait:target 0.5–300',
      'c run 300–300.5',
      'b wait:task 300.5–301',
      'b run 301–311',
      'main wait:task 311–312',
      'main run 312–313',
    ]);
    assert.equal(path[3].waitingOn!.target, 'sleep');
    assert.match(
      criticalPathLine(t, path)!,
      /^critical path: main → b → c \(sleep at L7, 300 ms\) → b → main \(\+1 short stretch\) — 313 ms of 314 ms$/,
    );
  });

  it('a tie: both members settled at the same moment; the recorded waker is followed and the other is named', () => {
    const t = fanOut(700, 700);
    const path = criticalPath(t);
    const hand = path.find((s) => s.taskId === 1 && s.kind === 'waiting')!;
    assert.deepEqual(hand.waitingOn, { kind: 'task', taskIds: [2], combinator: 'all', ties: [3] });
    assert.ok(path.some((s) => s.taskId === 2 && s.kind === 'waiting'));
    assert.match(criticalPathLine(t, path)!, /tied with b \(settled at the same moment\)/);
  });

  it('an unknown waker is said, and the wait stays whole on the path (nothing guessed from timing)', () => {
    const t = trace([
      task(
        1,
        'main',
        null,
        [r(0, 1), w(1, 500, 5, { awaits: [2, 3], combinator: 'race', resumedBy: null }), r(500, 501)],
        { t: 501, state: 'fulfilled' },
      ),
      task(2, 'a', 1, [r(0.2, 0.4), w(0.4, 499, 11), r(499, 499.5)], { t: 499.5, state: 'fulfilled' }),
      task(3, 'b', 1, [r(0.5, 0.7), w(0.7, null, 12)], null),
    ]);
    const path = criticalPath(t);
    assertContiguous(path);
    const wait = path.find((s) => s.kind === 'waiting')!;
    assert.deepEqual(wait.waitingOn, { kind: 'unknown', taskIds: [2, 3], combinator: 'race' });
    assert.equal(wait.start, 1);
    assert.equal(wait.end, 500);
    assert.ok(
      !path.some((s) => s.taskId === 2 && s.kind === 'waiting'),
      'a is not on it: nobody recorded that it woke main',
    );
    assert.match(criticalPathLine(t, path)!, /main \(await at L5, waker unknown, 499 ms\)/);
  });

  it('a task resumed by a callback: no task woke it, so its wait is a leaf (a promise), whole', () => {
    const t = trace(
      [
        task(1, 'main', null, [r(0, 1), w(1, 200.6, 5), r(200.6, 201)], { t: 201, state: 'fulfilled' }),
        task(
          2,
          'job',
          null,
          [r(1.5, 1.8), w(1.8, 200, 11), r(200, 200.3)],
          { t: 200.3, state: 'fulfilled' },
          2,
        ),
      ],
      { callbacks: [{ t: 200.5, kind: 'then', taskId: 2, site: { file: 'app.ts', line: 16, column: 4 } }] },
    );
    const path = criticalPath(t);
    assert.deepEqual(brief(path, t), ['main run 0–1', 'main wait:promise 1–200.6', 'main run 200.6–201']);
  });

  it('follows a waker that resolved the awaited promise without being awaited (a lock released in its code)', () => {
    const t = trace([
      task(1, 'main', null, [r(0, 1), w(1, 50.2, 5, { resumedBy: 2 }), r(50.2, 51)], {
        t: 51,
        state: 'fulfilled',
      }),
      task(
        2,
        'holder',
        null,
        [r(0.1, 0.3), w(0.3, 50, 9, { waitsFor: 'sleep' }), r(50, 60)],
        { t: 60, state: 'fulfilled' },
        2,
      ),
    ]);
    const path = criticalPath(t, { taskId: 1 });
    assertContiguous(path);
    // holder's code resolved what main awaited: main resumed at once (no hand-over left), and
    // before that the path is holder's; main's own start is not on it.
    assert.deepEqual(brief(path, t), [
      'holder run 0.1–0.3',
      'holder wait:target 0.3–50',
      'holder run 50–50.2',
      'main run 50.2–51',
    ]);
  });

  it('a rejection wakes its awaiter like a fulfilment does (the path goes through the task that failed)', () => {
    const t = loadTrace('edgeCases');
    const path = criticalPath(t);
    assertContiguous(path);
    const fetchUser = path.filter((s) => s.taskId === 2);
    assert.ok(fetchUser.some((s) => s.kind === 'waiting' && s.waitingOn!.kind === 'promise'));
    assert.equal(path[path.length - 1].end, 1200.5, 'ends where main rejected, not at the pending tasks');
  });

  it('a truncated trace: the path ends at the last recorded moment and the line says so', () => {
    const t = trace(
      [
        task(1, 'main', null, [r(0, 1), w(1, 40, 5, { awaits: [2], resumedBy: 2 }), r(40, 41)], null),
        task(2, 'a', 1, [r(0.2, 0.4), w(0.4, 39, 11), r(39, 39.5)], { t: 39.5, state: 'fulfilled' }),
      ],
      { truncated: true, durationMs: 900 },
    );
    const path = criticalPath(t);
    assert.equal(path[path.length - 1].end, 41);
    assert.match(
      criticalPathLine(t, path)!,
      /41.0 ms of 900 ms \(the trace is truncated: the path covers what was recorded\)$/,
    );
  });

  it('Python: a scheduled wait is on the path, and before it the path is in the creator', () => {
    const t = loadTrace('python-workers');
    const path = criticalPath(t);
    assertContiguous(path);
    assert.deepEqual(
      path.map((s) => `${s.taskId}:${s.kind}:${s.waitingOn?.kind ?? ''}`),
      [
        '1:waiting:scheduled',
        '1:running:',
        '3:waiting:scheduled',
        '3:running:',
        '3:waiting:target',
        '3:running:',
        '1:waiting:task',
        '1:running:',
      ],
    );
    assert.equal(
      criticalPathLine(t, path),
      'critical path: main → worker_2 (sleep at L19, 2.01 s) → main — 2.05 s of 2.33 s',
    );
  });

  it('the seed programs: worker2 (the 2 s sleep) and the slowest crawlPage are the path', () => {
    const workers = loadTrace('workers');
    assert.equal(
      criticalPathLine(workers, criticalPath(workers)),
      'critical path: main → worker2 (await at L14, 2.00 s) → main (+3 short stretches) — 2.00 s of 2.00 s',
    );
    const crawl = loadTrace('crawl');
    const line = criticalPathLine(crawl, criticalPath(crawl))!;
    assert.match(
      line,
      /^critical path: main → crawlPage #5 \(await at L9, 4\.00 s\) → main \(\+\d+ short stretches\) — 4\.00 s of 4\.00 s$/,
    );
  });

  it('picks the task whose life ends last as the end of the run, and returns nothing without tasks', () => {
    assert.equal(endTask(loadTrace('edgeCases'))!.name, 'main');
    assert.deepEqual(criticalPath(trace([])), []);
    assert.equal(criticalPathLine(trace([]), []), null);
  });
});
