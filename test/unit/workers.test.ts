/**
 * Worker threads (issue 9): they get the same loader hooks as the main thread (`.ts` workers, CommonJS
 * and ES modules) and are traced as their own groups of lanes, each thread's stream merged into one
 * trace. Plus the merge itself, on hand-made streams.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toChromeTrace, GROUP_PID_BASE, LANES_PID } from '../../src/core/chromeTrace';
import { renderTextTimeline, summarizeTrace } from '../../src/core/textTimeline';
import { TraceBuilder } from '../../src/core/traceBuilder';
import { Ev } from '../../src/protocol/events';
import type { TaskRecord, Trace, TraceGroup } from '../../src/protocol/trace';
import { startRun } from '../../src/runner/run';
import { records } from './helpers/eventRecords';
import { runPlain, runTraced } from './helpers/runBoth';

const POOL = path.resolve(__dirname, '../../../test/fixtures/projects/worker-pool');

const named = (trace: Trace, name: string): TaskRecord[] => trace.tasks.filter((t) => t.name === name);
const groupOf = (t: TaskRecord) => t.group ?? 0;
const groupsOf = (trace: Trace): TraceGroup[] => {
  assert.ok(trace.groups, 'the trace has groups');
  return trace.groups;
};

/** A throwaway project folder with these files. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-workers-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('worker threads', function () {
  this.timeout(120_000);

  it('worker-pool: the same output as with tsx as the loader, each worker its own group under main', async () => {
    // tsx's CLI does not reach worker threads on Node 20 (its hooks are registered on the main thread
    // only, the crash this issue reports for us): `--require tsx/cjs` is how tsx users run .ts workers.
    const plain = await runPlain(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], POOL);
    const traced = await runTraced({ entry: path.join(POOL, 'main.ts'), cwd: POOL });
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual([traced.stdout, traced.stderr, traced.code], [plain.stdout, plain.stderr, plain.code]);

    const trace = traced.trace!;
    const groups = groupsOf(trace);
    assert.deepEqual(
      groups.map((g) => [g.id, g.kind, g.label, g.parentGroup, g.entry]),
      [
        [0, 'main', 'main', null, 'main.ts'],
        [1, 'worker', 'worker 1 (pool-worker.ts)', 0, 'pool-worker.ts'],
        [2, 'worker', 'worker 2 (pool-worker.ts)', 0, 'pool-worker.ts'],
      ],
    );
    assert.ok(groups.every((g) => g.pid === groups[0].pid));
    assert.ok(groups[1].threadId > 0 && groups[2].threadId > 0 && groups[1].threadId !== groups[2].threadId);
    // The pool closed its workers by terminate(): their groups have no recorded end.
    assert.ok(groups[1].ended === null && groups[2].ended === null);

    // Main-thread coroutines are in group 0, the workers' in theirs; each job ran on one worker.
    for (const name of ['main', 'Pool.run', 'Pool.acquire'])
      assert.ok(
        named(trace, name).every((t) => groupOf(t) === 0),
        name,
      );
    const handles = named(trace, 'handle');
    assert.equal(handles.length, 4);
    assert.ok(handles.every((t) => groupOf(t) === 1 || groupOf(t) === 2));
    assert.equal(named(trace, 'fetchPart').length, 8);
    for (const part of named(trace, 'fetchPart')) {
      const parent = trace.tasks.find((t) => t.id === part.parentId)!;
      assert.equal(parent.name, 'handle');
      assert.equal(groupOf(parent), groupOf(part), 'a task and its parent run on the same thread');
    }
    // Task ids are unique across threads and every await edge points at a task of the trace.
    const ids = trace.tasks.map((t) => t.id);
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
    );
    for (const h of handles) {
      const wait = h.segments.find((s) => s.state === 'suspended');
      assert.ok(wait && wait.state === 'suspended');
      assert.deepEqual(
        wait.awaits.map((id) => trace.tasks[id - 1].name),
        ['fetchPart', 'fetchPart'],
      );
      assert.ok(wait.awaits.every((id) => groupOf(trace.tasks[id - 1]) === groupOf(h)));
    }
    // One clock: a worker's tasks happen inside the main thread's Pool.run that waited for them.
    for (const h of handles) {
      const facts = `handle #${h.id}: created ${h.created.t}, settled ${JSON.stringify(h.settled)}, run ${trace.durationMs} ms`;
      assert.ok(h.created.t > 0, facts);
      assert.ok(h.settled !== null, facts);
      assert.ok(h.settled.t <= trace.durationMs, facts);
      assert.ok(h.created.t >= groups[groupOf(h)].started);
    }
  });

  it('an ES-module .ts worker started by URL runs with the hooks, hides our flags, and is traced', async () => {
    const dir = project({
      'package.json': '{ "type": "module" }',
      'main.ts': [
        "import { Worker } from 'node:worker_threads';",
        'async function start(): Promise<string> {',
        "  const w = new Worker(new URL('./echo.ts', import.meta.url), { workerData: 21 });",
        "  return new Promise((resolve) => w.once('message', resolve));",
        '}',
        'console.log(await start());',
        '',
      ].join('\n'),
      'echo.ts': [
        "import { parentPort, workerData } from 'node:worker_threads';",
        'async function twice(n: number): Promise<number> {',
        '  await new Promise((r) => setTimeout(r, 2));',
        '  return n * 2;',
        '}',
        'const value: number = await twice(workerData);',
        'parentPort!.postMessage(`${value} ${JSON.stringify(process.execArgv)}`);',
        '',
      ].join('\n'),
    });
    const traced = await runTraced({ entry: path.join(dir, 'main.ts'), cwd: dir });
    assert.deepEqual([traced.stdout, traced.stderr, traced.code], ['42 []\n', '', 0]);
    const trace = traced.trace!;
    assert.deepEqual(
      groupsOf(trace).map((g) => [g.kind, g.label, g.parentGroup]),
      [
        ['main', 'main', null],
        ['worker', 'worker 1 (echo.ts)', 0],
      ],
    );
    const twice = named(trace, 'twice');
    assert.equal(twice.length, 1);
    assert.equal(groupOf(twice[0]), 1);
    assert.equal(twice[0].definition?.file, 'echo.ts');
  });

  it('a crashed worker keeps its events up to the crash; a plain .js worker is traced; an eval worker runs untraced', async () => {
    const dir = project({
      'main.js': [
        "const { Worker } = require('node:worker_threads');",
        'async function crash() {',
        "  const w = new Worker(require('node:path').join(__dirname, 'crash.js'));",
        "  return new Promise((resolve) => w.once('error', (e) => resolve(e.message)));",
        '}',
        'async function main() {',
        "  console.log('worker said:', await crash());",
        '  const e = new Worker(\'process.stdout.write("eval ran\\\\n")\', { eval: true });',
        "  await new Promise((r) => e.once('exit', r));",
        '}',
        'main();',
        '',
      ].join('\n'),
      'crash.js': [
        'async function step(n) {',
        '  await new Promise((r) => setTimeout(r, 1));',
        '  return n;',
        '}',
        'async function doomed() {',
        '  await step(1);',
        '  await step(2);',
        "  throw new Error('boom in worker');",
        '}',
        'doomed();',
        '',
      ].join('\n'),
    });
    const plain = await runPlain(process.execPath, ['main.js'], dir);
    const traced = await runTraced({ entry: path.join(dir, 'main.js'), cwd: dir });
    assert.deepEqual([traced.stdout, traced.stderr, traced.code], [plain.stdout, plain.stderr, plain.code]);
    assert.equal(traced.stdout, 'worker said: boom in worker\neval ran\n');
    const trace = traced.trace!;
    // The worker's uncaught error ended the worker, not the run.
    assert.equal(trace.exit?.reason, 'exited');
    const groups = groupsOf(trace);
    assert.deepEqual(
      groups.map((g) => [g.kind, g.label]),
      [
        ['main', 'main'],
        ['worker', 'worker 1 (crash.js)'],
      ],
    );
    assert.notEqual(groups[1].ended, null, 'a crashed worker still says goodbye');
    const doomed = named(trace, 'doomed');
    assert.equal(doomed.length, 1);
    assert.equal(groupOf(doomed[0]), 1);
    assert.equal(doomed[0].settled?.state, 'rejected');
    assert.equal(named(trace, 'step').length, 2);
  });
});

describe('stopping a run with threads', function () {
  this.timeout(120_000);

  it('Stop ships every stream: a worker stuck in a loop keeps what it recorded before it hung', async () => {
    const dir = project({
      'main.js': [
        "const { Worker } = require('node:worker_threads');",
        'async function main() {',
        "  const w = new Worker(require('node:path').join(__dirname, 'spin.js'));",
        "  await new Promise((resolve) => w.once('message', resolve));",
        "  console.log('worker is spinning');",
        '  await new Promise(() => {}); // wait for ever',
        '}',
        'main();',
        '',
      ].join('\n'),
      'spin.js': [
        "const { parentPort } = require('node:worker_threads');",
        'async function warmUp() {',
        '  await new Promise((r) => setTimeout(r, 1));',
        '}',
        'async function spin() {',
        '  await warmUp();',
        "  parentPort.postMessage('spinning');",
        '  for (;;);',
        '}',
        'spin();',
        '',
      ].join('\n'),
    });
    const handle = await startRun(
      { entry: path.join(dir, 'main.js'), cwd: dir },
      {
        onStdout: (text) => {
          if (text.includes('worker is spinning')) handle.stop();
        },
      },
    );
    const { trace, exit } = await handle.done;
    assert.equal(exit.reason, 'stopped');
    assert.deepEqual(
      groupsOf(trace).map((g) => g.label),
      ['main', 'worker 1 (spin.js)'],
    );
    const [warmUp] = named(trace, 'warmUp');
    const [spin] = named(trace, 'spin');
    assert.ok(warmUp && spin, trace.tasks.map((t) => t.name).join(', '));
    assert.deepEqual(
      [groupOf(warmUp), warmUp.settled?.state, groupOf(spin), spin.settled],
      [1, 'fulfilled', 1, null],
    );
    // spin resumed after warmUp and never yielded again: its last stretch is the loop, still running.
    const last = spin.segments[spin.segments.length - 1];
    assert.deepEqual([last.state, last.end], ['running', null]);
  });
});

describe('merging thread streams (TraceBuilder)', () => {
  const meta = {
    entry: 'main.js',
    cwd: '/w',
    language: 'javascript' as const,
    startedAt: '2026-01-01T00:00:00.000Z',
  };

  it('renumbers tasks across streams, maps parents and awaits per stream, and aligns clocks by epoch', () => {
    const b = new TraceBuilder(meta);
    b.handleMessage({
      type: 'sites',
      file: '/w/main.js',
      base: 1,
      entries: [
        ['function', 1, 1, 'main'],
        ['await', 2, 3],
      ],
    });
    b.handleMessage({
      type: 'start',
      pid: 7,
      epochMs: 1000,
      maxEvents: 100,
      threadId: 0,
      kind: 'main',
      parent: null,
      entry: '/w/main.js',
    });
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1],
        [1, Ev.Yield, 1, 2],
      ]),
    );
    // A worker whose t = 0 is 50 ms after main's, with its own site table (prepared on that thread).
    const w = '7-3';
    b.handleMessage(
      {
        type: 'sites',
        file: '/w/w.js',
        base: 1,
        entries: [
          ['function', 1, 1, 'job'],
          ['function', 5, 1, 'part'],
          ['await', 6, 3],
        ],
      },
      w,
    );
    b.handleMessage(
      {
        type: 'start',
        pid: 7,
        epochMs: 1050,
        maxEvents: 100,
        threadId: 3,
        kind: 'worker',
        parent: 'root',
        entry: 'file:///w/w.js',
        threadEpochMs: 1040,
      },
      w,
    );
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1],
        [1, Ev.Create, 1, 2],
        [2, Ev.Yield, 1, 3],
        [2, Ev.WaitOn, 1, 2],
        [3, Ev.SettleOk, 2, 0],
        [4, Ev.Resume, 1, 0],
        [5, Ev.SettleOk, 1, 0],
      ]),
      w,
    );
    b.handleMessage({ type: 'end', reason: 'exit', code: 0, events: 7, t: 6 }, w);
    const trace = b.snapshot();

    assert.deepEqual(
      trace.tasks.map((t) => [t.id, t.name, t.parentId, t.group ?? 0, t.created.t]),
      [
        [1, 'main', null, 0, 0],
        [2, 'job', null, 1, 50],
        [3, 'part', 2, 1, 51],
      ],
    );
    const wait = trace.tasks[1].segments[1];
    assert.ok(wait.state === 'suspended');
    assert.deepEqual(
      [wait.awaits, wait.resumedBy, wait.start, wait.end, wait.site?.file],
      [[3], 3, 52, 54, 'w.js'],
    );
    assert.deepEqual(trace.groups, [
      {
        id: 0,
        kind: 'main',
        pid: 7,
        threadId: 0,
        entry: 'main.js',
        label: 'main',
        parentGroup: null,
        started: 0,
        ended: null,
      },
      {
        id: 1,
        kind: 'worker',
        pid: 7,
        threadId: 3,
        entry: 'w.js',
        label: 'worker 1 (w.js)',
        parentGroup: 0,
        started: 40,
        ended: 56,
      },
    ]);
    // The main thread's sites are not the worker's: the same ids name other places there.
    assert.equal(
      trace.tasks[0].segments[1].state === 'suspended' && trace.tasks[0].segments[1].site?.file,
      'main.js',
    );
  });

  it('keeps groups out of a single-thread trace, and waits for every stream before a stop is acknowledged', () => {
    const b = new TraceBuilder(meta);
    b.handleMessage({ type: 'start', pid: 7, epochMs: 1000, maxEvents: 100 });
    b.handleEvents(records([[0, Ev.Create, 0, 0]]));
    assert.equal(b.snapshot().groups, undefined);
    b.handleMessage({ type: 'stopping', events: 1 });
    assert.equal(b.stopAcknowledged, true);
    b.handleMessage(
      { type: 'start', pid: 7, epochMs: 1001, maxEvents: 100, threadId: 2, kind: 'worker', parent: 'root' },
      '7-2',
    );
    assert.equal(b.stopAcknowledged, false, 'a worker stream has not shipped yet');
    b.handleMessage({ type: 'stopping', events: 0 }, '7-2');
    assert.equal(b.stopAcknowledged, true);
    assert.deepEqual(
      b.snapshot().groups?.map((g) => g.label),
      ['main', 'worker 1'],
    );
  });

  it('a process whose parent ran no traced code hangs under its nearest traced ancestor; only a run-owning error is a crash', () => {
    const b = new TraceBuilder(meta);
    // npm (root) never runs user code; mocha (pid 20, child of npm) does, and starts a worker.
    b.handleMessage({ type: 'stopping', events: 0 });
    b.handleMessage(
      {
        type: 'start',
        pid: 20,
        epochMs: 500,
        maxEvents: 9,
        threadId: 0,
        kind: 'process',
        parent: 'root',
        argv: ['/usr/bin/node', '/p/node_modules/.bin/mocha', 'test/a.test.ts'],
      },
      '20-0',
    );
    b.handleMessage(
      { type: 'start', pid: 20, epochMs: 600, maxEvents: 9, threadId: 1, kind: 'worker', parent: '20-0' },
      '20-1',
    );
    b.handleMessage(
      { type: 'error', kind: 'uncaughtException', message: 'Error: in worker', stack: '' },
      '20-1',
    );
    assert.equal(b.lastError, null);
    const groups = b.snapshot().groups!;
    assert.deepEqual(
      groups.map((g) => [g.id, g.kind, g.label, g.parentGroup, g.command ?? null]),
      [
        [0, 'process', 'node mocha (pid 20)', null, 'node /p/node_modules/.bin/mocha test/a.test.ts'],
        [1, 'worker', 'worker 1', 0, null],
      ],
    );
  });
});

describe('groups in the text timeline and the exports', () => {
  /** main (group 0) awaits a worker's result; the worker (group 1) ran two tasks of its own. */
  function twoThreads(): Trace {
    const b = new TraceBuilder({
      entry: 'main.ts',
      cwd: '/w',
      language: 'typescript',
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    b.handleMessage({
      type: 'sites',
      file: '/w/main.ts',
      base: 1,
      entries: [
        ['function', 3, 1, 'main'],
        ['await', 4, 3],
      ],
    });
    b.handleMessage({
      type: 'start',
      pid: 9,
      epochMs: 0,
      maxEvents: 99,
      threadId: 0,
      kind: 'main',
      parent: null,
      entry: '/w/main.ts',
    });
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1],
        [1, Ev.Yield, 1, 2],
        [90, Ev.Resume, 1, 0],
        [100, Ev.SettleOk, 1, 0],
      ]),
    );
    const w = '9-2';
    b.handleMessage(
      {
        type: 'sites',
        file: '/w/w.ts',
        base: 1,
        entries: [
          ['function', 1, 1, 'job'],
          ['function', 2, 1, 'step'],
          ['await', 3, 3],
        ],
      },
      w,
    );
    b.handleMessage(
      {
        type: 'start',
        pid: 9,
        epochMs: 20,
        maxEvents: 99,
        threadId: 2,
        kind: 'worker',
        parent: 'root',
        entry: '/w/w.ts',
        threadEpochMs: 10,
      },
      w,
    );
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 1],
        [1, Ev.Create, 1, 2],
        [2, Ev.Yield, 1, 3],
        [40, Ev.SettleOk, 2, 0],
        [41, Ev.Resume, 1, 0],
        [50, Ev.SettleOk, 1, 0],
      ]),
      w,
    );
    b.finish({ code: 0, signal: null, reason: 'exited' }, 100);
    return b.snapshot();
  }

  it("the text timeline heads each thread's section and keeps its tasks under it", () => {
    const text = renderTextTimeline(twoThreads(), { width: 100 });
    const lines = text.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    assert.ok(at('── main ─') === 0, text);
    assert.ok(at('main ') === 1, text);
    assert.ok(at('── worker 1 (w.ts) · thread 2 ─') === 2, text);
    assert.ok(at('job ') === 3 && at('  step ') === 4, text);
    assert.match(summarizeTrace(twoThreads()), /3 tasks, .*1 worker thread, /);
  });

  it('a single-thread trace has no headings', () => {
    const b = new TraceBuilder({
      entry: 'a.js',
      cwd: '/w',
      language: 'javascript',
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    b.handleMessage({ type: 'start', pid: 9, epochMs: 0, maxEvents: 99 });
    b.handleEvents(
      records([
        [0, Ev.Create, 0, 0],
        [1, Ev.SettleOk, 1, 0],
      ]),
    );
    b.finish({ code: 0, signal: null, reason: 'exited' }, 2);
    assert.ok(!renderTextTimeline(b.snapshot(), { width: 80 }).split('\n')[0].startsWith('──'));
  });

  it('the Chrome export puts each group in a process of its own, and the JSON carries the groups', () => {
    const trace = twoThreads();
    const chrome = toChromeTrace(trace);
    const names = chrome.traceEvents
      .filter((e) => e.ph === 'M' && e.name === 'process_name')
      .map((e) => [e.pid, (e.args as { name: string }).name]);
    assert.deepEqual(names.slice(0, 2), [
      [LANES_PID, 'Async Timeline: main.ts (lanes: main, pid 9)'],
      [GROUP_PID_BASE + 1, 'Async Timeline: worker 1 (w.ts), pid 9 thread 2'],
    ]);
    const slice = (name: string) =>
      chrome.traceEvents.find((e) => e.ph === 'X' && e.cat === 'task' && e.name === name)!;
    assert.equal(slice('main').pid, LANES_PID);
    assert.deepEqual([slice('job').pid, slice('step').pid], [GROUP_PID_BASE + 1, GROUP_PID_BASE + 1]);
    // The creation arrow from job to step stays inside the worker's process.
    const creates = chrome.traceEvents.filter((e) => e.cat === 'create');
    assert.deepEqual(
      creates.map((e) => e.pid),
      [GROUP_PID_BASE + 1, GROUP_PID_BASE + 1],
    );
    const json = JSON.parse(JSON.stringify(trace)) as Trace;
    assert.deepEqual(
      json.groups?.map((g) => g.label),
      ['main', 'worker 1 (w.ts)'],
    );
  });
});
