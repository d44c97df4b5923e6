import assert from 'node:assert/strict';
import { narrate } from '../../src/core/narration';
import { renderSteps } from '../../src/core/narration/render';
import { runPieces } from '../../src/core/runPieces';
import type { Step } from '../../src/protocol/trace';
import { fanOut, r, task, trace, w } from './helpers/explainTraces';
import { loadTrace } from './timelineFixtures';

/** Asserts that each pattern matches a step's text, in order (other steps may come between). */
function assertStory(steps: Step[], story: [string, RegExp][]): void {
  let i = 0;
  for (const [label, re] of story) {
    while (i < steps.length && !re.test(steps[i].text)) i++;
    assert.ok(
      i < steps.length,
      `article ${label} (${re}) not found in order in:\n${steps.map((s) => s.text).join('\n')}`,
    );
    i++;
  }
}

describe('core/narration', () => {
  it("the seed workers program in TypeScript tells the article's ten steps, with the eager start called out", () => {
    const steps = narrate(loadTrace('workers'));
    assertStory(steps, [
      ['1. main starts', /^main starts \(called at L29/],
      [
        '2+4. worker_1 is created and runs its first step at once (JS: before main goes on)',
        /^main calls worker1\(\) at L19: JavaScript runs it at once.*eager start.*parks at L8 awaiting a promise that is no task's/,
      ],
      ['2+5. worker_2 likewise', /^main calls worker2\(\) at L20: JavaScript runs it at once.*parks at L14/],
      [
        '2+3. main prints and hands control over at await task1',
        /^back in main, prints 1 line, and parks at L22 awaiting worker1\.$/,
      ],
      [
        '6. nothing runs',
        /^nothing runs for 1\.00 s: waiting on 2 promises that are no task's \(a timer, I\/O…\) \(worker1 at L8, worker2 at L14\); main awaits worker1\.$/,
      ],
      [
        '7. after 1 s worker_1 resumes and finishes',
        /^worker1 resumes at L8, woken by no task .*prints 1 line, and finishes \(fulfilled\)\.$/,
      ],
      [
        '8. await task1 done: main prints and waits on task2',
        /^main resumes at L22, woken by worker1 finishing, prints 1 line, and parks at L24 awaiting worker2\.$/,
      ],
      ['9. after 2 s worker_2 resumes and finishes', /^worker2 resumes at L14, .*finishes \(fulfilled\)/],
      [
        '10. main prints and finishes, the loop ends',
        /^main resumes at L24, woken by worker2 finishing, prints 1 line, and finishes \(fulfilled\)\.$/,
      ],
      ['(the .then on main)', /^the \.then callback attached at L29 to main \(main fulfilled\) runs/],
      ['end', /^the run ends at 2\.00 s: exited \(code 0\)/],
    ]);
    const back = steps.find((s) => s.text.startsWith('back in main'))!;
    assert.deepEqual(back.output, ['before await']);
    assert.deepEqual(back.taskIds, [1, 2]);
    assert.equal(back.site?.line, 22);
  });

  it('the seed workers program in Python: create_task only schedules; the loop runs each task later', () => {
    const steps = narrate(loadTrace('python-workers'));
    assertStory(steps, [
      [
        '1–3. main runs, creates (schedules) both tasks, parks at await task1',
        /^the loop runs main for the first time \(scheduled at L34.*\), schedules worker_1 \(L24\) and worker_2 \(L25\), and parks at L27 awaiting worker_1\.$/,
      ],
      [
        '4. the loop runs worker_1, which parks at its sleep',
        /^the loop runs worker_1 for the first time \(scheduled by main at L24, 37\.4 ms earlier\), and parks at L13 awaiting a sleep\.$/,
      ],
      [
        '5. then worker_2',
        /^the loop runs worker_2 for the first time \(scheduled by main at L25.*parks at L19 awaiting a sleep\.$/,
      ],
      [
        '6. nothing runs',
        /^nothing runs for 1\.00 s: waiting on 2 sleeps \(worker_1 at L13, worker_2 at L19\); main awaits worker_1\.$/,
      ],
      [
        '7. worker_1 resumes after its sleep and finishes',
        /^worker_1 resumes at L13, when its sleep was over \(no task woke it\), prints 2 lines, and finishes \(fulfilled\)\.$/,
      ],
      [
        '8. main resumes, waits on task2',
        /^main resumes at L27, woken by worker_1 finishing, and parks at L29 awaiting worker_2\.$/,
      ],
      ['9. worker_2 resumes and finishes', /^worker_2 resumes at L19, when its sleep was over/],
      [
        '10. main finishes',
        /^main resumes at L29, woken by worker_2 finishing, and finishes \(fulfilled\)\.$/,
      ],
    ]);
    assert.ok(!steps.some((s) => /JavaScript/.test(s.text)), 'no eager start in Python');
    // The host read "worker_1 done\nawaited worker_1\n" as one chunk, 0.03 ms before worker_1's resume
    // by its millisecond clock, at the end of the quiet: it goes with the step after the quiet (whole:
    // the host cannot split a chunk between the two tasks that wrote it), not 1 s back before it.
    assert.deepEqual(steps.find((s) => s.text.startsWith('worker_1 resumes'))!.output, [
      'worker_1 done',
      'awaited worker_1',
    ]);
    const first = steps[0];
    assert.equal(first.kind, 'start');
    assert.deepEqual(first.taskIds, [1, 2, 3]);
  });

  it('an idle gap says exactly how long and what everyone waits on', () => {
    const t = trace([
      task(1, 'main', null, [r(0, 1), w(1, 998.5, 5, { awaits: [2], resumedBy: 2 }), r(998.5, 999)], {
        t: 999,
        state: 'fulfilled',
      }),
      task(
        2,
        'tick',
        1,
        [r(0.5, 0.9), w(0.9, 998, 11, { waitsFor: 'sleep' }), r(998, 998.2)],
        { t: 998.2, state: 'fulfilled' },
        3,
      ),
    ]);
    const idle = narrate(t).filter((s) => s.kind === 'idle');
    assert.equal(idle.length, 1);
    assert.equal(idle[0].t, 1);
    assert.equal(idle[0].end, 998);
    assert.equal(
      idle[0].text,
      'nothing runs for 997 ms: waiting on 1 sleep (tick at L11); main awaits tick.',
    );
    assert.deepEqual(idle[0].taskIds.sort(), [1, 2]);
    // shorter gaps than the threshold are no idle step
    assert.equal(narrate(t, { idleMs: 1000 }).filter((s) => s.kind === 'idle').length, 0);
  });

  it('ties: both members of Promise.all settled at the same moment, and the step says so', () => {
    const text = narrate(fanOut(700, 700)).map((s) => s.text);
    assert.ok(
      text.some(
        (s) =>
          s ===
          'main resumes at L5, woken by a finishing; b settled at the same moment, and finishes (fulfilled).',
      ),
      text.join('\n'),
    );
  });

  it('rejections: the failing task rejects with its error; its awaiter resumes woken by it rejecting', () => {
    const t = trace([
      task(
        1,
        'main',
        null,
        [r(0, 1), w(1, 50.5, 5, { awaits: [2], resumedBy: 2, threw: true }), r(50.5, 51)],
        { t: 51, state: 'fulfilled' },
      ),
      task(
        2,
        'load',
        1,
        [r(0.2, 0.4), w(0.4, 50, 11, { threw: true }), r(50, 50.3)],
        { t: 50.3, state: 'rejected', error: 'Error: 404' },
        3,
      ),
    ]);
    const text = narrate(t).map((s) => s.text);
    assert.ok(
      text.includes(
        'load resumes at L11, woken by no task (a timer, I/O or a promise settled outside tasks: the trace does not say which) — it resumes by throwing (what it awaited failed), and rejects (Error: 404).',
      ),
      text.join('\n'),
    );
    assert.ok(
      text.includes('main resumes at L5, woken by load rejecting, and finishes (fulfilled).'),
      text.join('\n'),
    );
  });

  it('cancellation (Python): the cancelled task is said to be cancelled, its awaiter woken by it being cancelled', () => {
    const steps = narrate(loadTrace('python-taskgroup_failure'), { fold: false }).map((s) => s.text);
    assert.ok(
      steps.some((s) => /^slow #2 resumes at L11, .* and is cancelled\.$/.test(s)),
      steps.join('\n'),
    );
    assert.ok(
      steps.includes('main resumes at L22, woken by slow #2 being cancelled, and finishes (fulfilled).'),
      steps.join('\n'),
    );
    assert.ok(
      steps.some((s) =>
        /^fails resumes at L16, .* and rejects \(ValueError: fails: something went wrong\)\.$/.test(s),
      ),
    );
  });

  it('a task resumed right after a callback: no task woke it, and the callback that ran just before is named', () => {
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
    const steps = narrate(t);
    const cb = steps.findIndex((s) => s.kind === 'callback');
    assert.equal(steps[cb].text, 'the .then callback attached at L16 to job (job fulfilled) runs.');
    assert.equal(
      steps[cb + 1].text,
      'main resumes at L5, woken by no task (a timer, I/O or a promise settled outside tasks: the trace does not say which); right before, the .then callback on job (L16) ran, and finishes (fulfilled).',
    );
  });

  it('a truncated trace: a task with nothing recorded after its last stretch, and the end step says the trace is cut', () => {
    const t = trace([task(1, 'main', null, [r(0, 1), w(1, 40, 5), r(40, 41)], null)], {
      truncated: true,
      eventCount: 5,
      durationMs: 900,
    });
    const text = narrate(t).map((s) => s.text);
    assert.ok(
      text.includes(
        'main resumes at L5, woken by no task (a timer, I/O or a promise settled outside tasks: the trace does not say which), and stops here: nothing later is recorded (the trace ends).',
      ),
      text.join('\n'),
    );
    assert.match(text[text.length - 1], /the trace is truncated after 5 events/);
    assert.match(text[text.length - 1], /1 task never finished \(main\)/);
  });

  it('a task still running when the program ended, and a long stretch of its own code, are said', () => {
    const t = trace([task(1, 'main', null, [r(0, 1), w(1, 10, 5), r(10, null)], null)], { durationMs: 300 });
    const text = narrate(t).map((s) => s.text);
    assert.ok(
      text.some((s) => s.endsWith('and is still running when the run ends.')),
      text.join('\n'),
    );
    const t2 = trace([task(1, 'main', null, [r(0, 120)], { t: 120, state: 'fulfilled' })]);
    assert.equal(
      narrate(t2)[0].text,
      'main starts (called at L1 by top-level code), runs 120 ms without giving the loop back, and finishes (fulfilled).',
    );
  });

  it('folds repetition and keeps the members: crawlPage ×4 starting eagerly, then the resume/callback cycle', () => {
    const folded = narrate(loadTrace('crawl'));
    const starts = folded.find((s) => s.kind === 'repeat' && s.members![0].kind === 'start')!;
    assert.equal(starts.members!.length, 4);
    assert.deepEqual(
      starts.members!.map((m) => m.taskIds[0]),
      [2, 3, 4, 5],
    );
    assert.match(
      starts.text,
      /^4 steps alike \(crawlPage #2, crawlPage #3, crawlPage #4, crawlPage #5\); the first: main calls crawlPage\(\) at L14/,
    );
    assert.deepEqual(starts.output, ['crawling url_1', 'crawling url_2', 'crawling url_3', 'crawling url_4']);
    const unfolded = narrate(loadTrace('crawl'), { fold: false });
    assert.ok(!unfolded.some((s) => s.kind === 'repeat'));
    const count = (steps: Step[]): number =>
      steps.reduce((n, s) => n + (s.members ? s.members.length : 1), 0);
    assert.equal(count(folded), unfolded.length, 'folding keeps every step as a member');
    assert.ok(folded.length < unfolded.length / 2);
  });

  it('multi-group traces name the group of each step', () => {
    const t = trace(
      [
        task(1, 'main', null, [r(0, 1)], { t: 1, state: 'fulfilled' }),
        task(2, 'work', null, [r(0.5, 3)], { t: 3, state: 'fulfilled' }, 2, { group: 1 }),
      ],
      {
        groups: [
          {
            id: 0,
            kind: 'main',
            label: 'main',
            pid: 1,
            threadId: 0,
            parentGroup: null,
            started: 0,
            ended: 4,
          },
          {
            id: 1,
            kind: 'worker',
            label: 'worker 1 (pool.ts)',
            pid: 1,
            threadId: 1,
            parentGroup: 0,
            started: 0.4,
            ended: 3.5,
          },
        ],
      },
    );
    const steps = narrate(t);
    const work = steps.find((s) => s.taskIds[0] === 2)!;
    assert.equal(work.group, 1);
    assert.match(work.text, /^\[worker 1 \(pool\.ts\)\] work starts/);
    assert.match(steps[0].text, /^\[main\] main starts/);
  });

  it("cuts a caller's running stretch at the callees it ran at once (the pieces narration and the critical path share)", () => {
    const pieces = runPieces(fanOut(500, 900)).get(0)!;
    assert.deepEqual(
      pieces
        .filter((p) => p.start < 1)
        .map((p) => `${p.task.name} ${p.start}–${p.end}${p.first ? ' first' : ''}${p.last ? ' last' : ''}`),
      ['main 0–0.2 first', 'a 0.2–0.4 first last', 'main 0.4–0.5', 'b 0.5–0.7 first last', 'main 0.7–1 last'],
    );
  });

  it('output: a line split across chunks stays whole; a chunk arriving while nothing runs goes to the step before', () => {
    const t = trace(
      [task(1, 'main', null, [r(0, 1), w(1, 500, 5), r(500, 501)], { t: 501, state: 'fulfilled' })],
      {
        output: [
          { t: 0.5, stream: 'stdout', text: 'before ' },
          { t: 3, stream: 'stdout', text: 'await\nnext\n' },
          { t: 500.5, stream: 'stdout', text: 'done\n' },
        ],
      },
    );
    const steps = narrate(t);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['start', 'idle', 'resume', 'end'],
    );
    assert.deepEqual(steps[0].output, ['before await', 'next']);
    assert.match(steps[0].text, /prints 2 lines/);
    assert.deepEqual(steps[1].output, []);
    assert.deepEqual(steps[2].output, ['done']);
  });

  it('output: a chunk arriving at the end of a quiet (the host clock reads whole ms) goes to the step after it', () => {
    const t = trace(
      [task(1, 'main', null, [r(0, 1), w(1, 500.4, 5), r(500.4, 501)], { t: 501, state: 'fulfilled' })],
      {
        output: [
          { t: 1.8, stream: 'stdout', text: 'parked\n' },
          { t: 500, stream: 'stdout', text: 'woke\n' },
        ],
      },
    );
    const steps = narrate(t);
    assert.deepEqual(
      steps.map((s) => s.kind),
      ['start', 'idle', 'resume', 'end'],
    );
    assert.deepEqual(steps[0].output, ['parked'], 'arrived at the start of the quiet: written before it');
    assert.deepEqual(steps[2].output, ['woke'], 'arrived at its end: written when the loop woke');
  });

  it('renders numbered steps with their output under them', () => {
    const text = renderSteps(narrate(loadTrace('workers')));
    assert.match(text, /^ 1\. +50\.0 µs {2}main starts/);
    assert.match(
      text,
      /\n 4\. +330 µs {2}back in main, prints 1 line, and parks at L22 awaiting worker1\.\n +│ before await\n/,
    );
  });
});
