import assert from 'node:assert/strict';
import { renderTextTimeline, summarizeTrace } from '../../src/core/textTimeline';
import type { Trace } from '../../src/protocol/trace';
import { edgeCaseTrace, workerTrace } from './helpers/exportTraces';

/** Strips ANSI colour codes. */
const ANSI_CODE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const plain = (s: string) => s.replace(ANSI_CODE, '');
const cols = (s: string) => [...s].length;

describe('core/textTimeline', () => {
  it('draws the worker example: one row per task, children indented under main, await lines', () => {
    const text = renderTextTimeline(workerTrace(), { width: 90 });
    const lines = text.split('\n');
    const main = lines.find((l) => l.startsWith('main'))!;
    const w1 = lines.find((l) => l.startsWith('  worker1'))!;
    const w2 = lines.find((l) => l.startsWith('  worker2'))!;
    assert.ok(main && w1 && w2, text);
    assert.ok(lines.indexOf(main) < lines.indexOf(w1) && lines.indexOf(w1) < lines.indexOf(w2), text);
    assert.match(main, /await L22 \(1\.00 s\), L24 \(1\.00 s\)/);
    assert.match(w1, /await L8 \(1\.00 s\)/);
    assert.match(w2, /await L14 \(2\.00 s\)/);
    // Each lane starts running, is mostly suspended, and worker1's lane ends about halfway.
    const lane = (l: string) => l.slice(10).split('  ')[0];
    assert.match(lane(main), /^█░+█░+█$/);
    const w1Lane = lane(w1);
    const w2Lane = lane(w2);
    assert.ok(w1Lane.trimEnd().length < w2Lane.trimEnd().length * 0.6, text);
    assert.ok(Math.abs(w1Lane.trimEnd().length - w2Lane.trimEnd().length / 2) <= 2, text);
  });

  it('keeps every line within the requested width (80 and 100 columns) and has a time axis with units', () => {
    for (const width of [80, 100]) {
      const text = renderTextTimeline(workerTrace(), { width });
      for (const line of text.split('\n'))
        assert.ok(cols(line) <= width, `${cols(line)} > ${width}: ${line}`);
      assert.match(text, /├[─┼]+/);
      assert.match(text, /^\s+0\s+.*1 s.*2 s$/m);
    }
  });

  it('shows callbacks in their own row', () => {
    const text = renderTextTimeline(workerTrace(), { width: 80 });
    assert.match(text, /^callbacks\s+•\s+then ×1$/m);
  });

  it('colours with ANSI only when asked, with the same layout', () => {
    const mono = renderTextTimeline(workerTrace(), { width: 80 });
    const color = renderTextTimeline(workerTrace(), { width: 80, color: true });
    assert.ok(!mono.includes('\x1b['));
    assert.ok(color.includes('\x1b[32m█'));
    assert.equal(plain(color), mono);
  });

  it('marks rejection, generator yields, pending tasks, other files and open segments', () => {
    const text = renderTextTimeline(edgeCaseTrace(), { width: 100 });
    const flaky = text.split('\n').find((l) => l.includes('flaky'))!;
    assert.match(flaky, /✗/);
    assert.match(flaky, /rejected/);
    assert.match(text, /·/);
    assert.match(text, /yield L22/);
    assert.match(text, /threw/);
    assert.match(text, /lib\.ts:7/);
    assert.match(text, /pending/);
    assert.match(text, /✗ rejected/);
    assert.match(text, /· yielded/);
    // The open running segment of `ticks` runs to the right end of the axis.
    const ticks = text.split('\n').find((l) => l.includes('ticks'))!;
    assert.match(ticks, /█ {2}/);
    for (const line of text.split('\n')) assert.ok(cols(line) <= 100, line);
  });

  it("ends a rejected task's row with what it raised when the trace knows", () => {
    const trace = edgeCaseTrace();
    const flakyTask = trace.tasks.find((t) => t.name === 'flaky')!;
    flakyTask.settled = { ...flakyTask.settled!, state: 'rejected', error: 'ValueError: boom\nmore' };
    const text = renderTextTimeline(trace, { width: 160 });
    const flaky = text.split('\n').find((l) => l.includes('flaky'))!;
    assert.match(flaky, /rejected: ValueError: boom$/);
    // Narrow: the await sites give way, the error stays.
    for (const width of [80, 100]) {
      const narrow = renderTextTimeline(trace, { width }).split('\n').find((l) => l.includes('flaky'))!;
      assert.match(narrow, /rejected: ValueError: boom$/, narrow);
      assert.ok(cols(narrow) <= width, narrow);
    }
  });

  it('tells tasks of the same name apart by their id', () => {
    const trace = workerTrace();
    trace.tasks[2].name = 'worker1';
    const text = renderTextTimeline(trace, { width: 90 });
    assert.match(text, /^ {2}worker1 #2 /m);
    assert.match(text, /^ {2}worker1 #3 /m);
    assert.match(text, /^main /m);
  });

  it('caps the rows and says how many tasks were left out', () => {
    const trace = workerTrace();
    const text = renderTextTimeline(trace, { width: 80, maxRows: 2 });
    assert.match(text, /… 1 more task\(s\) not shown/);
    assert.ok(!text.includes('worker2'));
  });

  it('survives an empty trace and a tiny width', () => {
    const empty: Trace = { ...workerTrace(), tasks: [], callbacks: [], durationMs: 0 };
    assert.match(renderTextTimeline(empty, { width: 10 }), /^no coroutines ran/);
    const tiny = renderTextTimeline(workerTrace(), { width: 10 });
    for (const line of tiny.split('\n')) assert.ok(cols(line) <= 40, line);
    assert.match(tiny, /main/);
    const many: Trace = { ...workerTrace(), tasks: [] };
    for (let i = 1; i <= 5000; i++) {
      many.tasks.push({ ...workerTrace().tasks[1], id: i, parentId: i > 1 ? i - 1 : null, name: `t${i}` });
    }
    // A 5000-deep creation chain renders without blowing the stack.
    assert.ok(renderTextTimeline(many, { width: 80 }).includes('more task'));
  });

  it('summarises a run in one line', () => {
    const line = summarizeTrace(workerTrace());
    assert.ok(!line.includes('\n'));
    assert.equal(line, 'examples/workers.ts: 3 tasks, 4 yields, 1 callback, 2.00 s, exited (code 0)');
    const edge = summarizeTrace(edgeCaseTrace());
    assert.match(edge, /stopped by timeout \(signal SIGKILL\)/);
    assert.match(edge, /TRUNCATED after 1000 events/);
    const crashed: Trace = {
      ...workerTrace(),
      exit: {
        code: 1,
        signal: null,
        reason: 'crashed',
        error: { message: 'Error: boom\n    at x', site: { file: 'a.ts', line: 3, column: 9 } },
      },
    };
    assert.match(summarizeTrace(crashed), /crashed \(code 1\): Error: boom at a\.ts:3:9$/);
    // A closed 300 ms running stretch is blocking; the open one a timeout cut short is not.
    const blocking = workerTrace();
    blocking.tasks[1].segments[0] = { state: 'running', start: 0.2, end: 300 };
    assert.match(summarizeTrace(blocking), /longest blocking run: worker1 300 ms$/);
    assert.ok(!summarizeTrace(edgeCaseTrace()).includes('blocking'));
  });
});
