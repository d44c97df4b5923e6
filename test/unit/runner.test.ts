import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crashSite, startRun } from '../../src/runner/run';
import { SourceError } from '../../src/instrument/errors';
import type { RunOptions } from '../../src/runner/types';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';

const FIX = path.resolve(__dirname, '../../../test/fixtures/runner');
/** How late a timer may fire on a loaded CI machine: generous, only a wrong unit or a hang exceeds it. */
const LATE = 5000;

async function run(file: string, extra: Partial<RunOptions> = {}) {
  let stdout = '';
  let stderr = '';
  const handle = await startRun(
    { entry: path.join(FIX, file), cwd: FIX, ...extra },
    { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) },
  );
  const result = await handle.done;
  return { ...result, stdout, stderr, handle };
}

const task = (trace: Trace, name: string): TaskRecord => {
  const found = trace.tasks.find((t) => t.name === name);
  assert.ok(found, `no task named ${name} in ${trace.tasks.map((t) => t.name).join(', ')}`);
  return found;
};
const suspensions = (t: TaskRecord) => t.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');

describe('runner: crashSite never blames the tool', function () {
  it("skips the tool's own frames (its dist folder, loader hooks) and names the user's line", function () {
    const own = '/opt/ext/dist';
    const stack = [
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/w/nope.mjs' imported from /w/main.mjs",
      '    at finalizeResolution (node:internal/modules/esm/resolve:283:11)',
      `    at resolve (file://${own}/runtime/hooks.mjs:94:18)`,
      `    at Object.t (${own}/runtime/preload.js:410:9)`,
      `    at Object.g (${own}/instrument.js:12:3)`,
      '    at run (/w/src/app.mjs:7:5)',
    ].join('\n');
    assert.deepEqual(crashSite(stack, '/w', own), { file: 'src/app.mjs', line: 7, column: 5 });
    assert.equal(crashSite(stack.split('\n').slice(0, 5).join('\n'), '/w', own), null);
  });
});

describe('runner: a traced run end to end', function () {
  // A run is a process start plus the program's own time; a loaded 2-core machine can take seconds.
  this.timeout(60_000);

  it('traces the seed worker example: main creates both workers and parks on each', async () => {
    const { trace, exit, stdout } = await run('workers.ts');
    assert.equal(exit.reason, 'exited');
    assert.equal(exit.code, 0);
    assert.equal(
      stdout,
      'worker_1 start\nworker_2 start\nbefore await\nworker_1 done\nawaited worker_1\nworker_2 done\nawaited worker_2\n',
    );
    const main = task(trace, 'main');
    const w1 = task(trace, 'worker1');
    const w2 = task(trace, 'worker2');
    assert.equal(main.parentId, null);
    assert.equal(w1.parentId, main.id);
    assert.equal(w2.parentId, main.id);
    assert.deepEqual(main.created.site, { file: 'workers.ts', line: 26, column: 1 });
    assert.deepEqual(w1.created.site, { file: 'workers.ts', line: 17, column: 17 });
    assert.deepEqual(w1.definition, { file: 'workers.ts', line: 4, column: 1 });
    const [s1, s2] = suspensions(main);
    assert.equal(suspensions(main).length, 2);
    assert.equal(s1.site?.line, 20);
    assert.deepEqual(s1.awaits, [w1.id]);
    assert.equal(s1.resumedBy, w1.id);
    assert.equal(s2.site?.line, 22);
    assert.deepEqual(s2.awaits, [w2.id]);
    assert.equal(s2.resumedBy, w2.id);
    // times: ~100 ms and ~200 ms. Timers never fire early, but a loaded machine makes them late
    // (by hundreds of ms): tight lower bounds, upper bounds that only catch a wrong unit or a hang.
    assert.ok(s1.end! >= 95 && s1.end! < 100 + LATE, `first resume at ${s1.end}`);
    assert.ok(s2.end! >= 195 && s2.end! < 200 + LATE, `second resume at ${s2.end}`);
    assert.ok(w1.settled && w1.settled.t <= s1.end!);
    // Both workers sleep at the same time: worker2 was waiting before worker1 finished.
    assert.ok(w2.created.t < w1.settled.t, 'worker2 started before worker1 settled');
    assert.equal(main.settled?.state, 'fulfilled');
    // segments alternate and never go back in time
    for (const t of trace.tasks) {
      t.segments.forEach((s, i) => {
        assert.equal(s.state, i % 2 === 0 ? 'running' : 'suspended');
        if (i > 0) assert.equal(s.start, t.segments[i - 1].end);
        if (s.end !== null) assert.ok(s.end >= s.start);
      });
    }
  });

  it('links .then callbacks and Promise.all to the tasks they hang on (crawl)', async () => {
    const { trace, stdout } = await run('crawl.ts');
    assert.equal(stdout, 'result: OK url_1\nresult: OK url_2\nresult: OK url_3\nresult: OK url_4\n');
    const pages = trace.tasks.filter((t) => t.name === 'crawlPage');
    assert.equal(pages.length, 4);
    const main = task(trace, 'main');
    assert.ok(pages.every((p) => p.parentId === main.id));
    const [wait] = suspensions(main);
    assert.equal(wait.combinator, 'all');
    assert.deepEqual(wait.awaits, pages.map((p) => p.id));
    assert.equal(wait.resumedBy, pages[3].id);
    assert.equal(trace.callbacks.length, 4);
    assert.deepEqual(trace.callbacks.map((c) => c.taskId), pages.map((p) => p.id));
    assert.ok(trace.callbacks.every((c) => c.kind === 'then' && c.site?.line === 12));
    pages.forEach((p, i) => {
      const waited = suspensions(p)[0];
      const ms = waited.end! - waited.start;
      // libuv starts a timer at its cached loop time, which can lag performance.now() by the time the current
      // tick has run (milliseconds on a loaded machine): a 50 ms step per page is what must show.
      assert.ok(ms >= (i + 1) * 50 - 25, `page ${i + 1} waited ${ms}`);
      if (i > 0) assert.ok(waited.end! > suspensions(pages[i - 1])[0].end!, `page ${i + 1} woke before page ${i}`);
    });
  });

  it('records rejections: resumed by a throw, rejected tasks, allSettled groups', async () => {
    const { trace, stdout } = await run('rejections.ts');
    assert.equal(stdout, 'caught nope\nrejected fulfilled\n');
    const main = task(trace, 'main');
    const fails = trace.tasks.filter((t) => t.name === 'fail');
    assert.equal(fails.length, 2);
    assert.ok(fails.every((f) => f.settled?.state === 'rejected'));
    const [first, second] = suspensions(main);
    assert.equal(first.threw, true);
    assert.deepEqual(first.awaits, [fails[0].id]);
    assert.equal(second.combinator, 'allSettled');
    assert.deepEqual(second.awaits, [fails[1].id]);
    assert.notEqual(second.threw, true);
  });

  it('instruments local modules but not node_modules', async () => {
    const { trace, stdout } = await run('multi/main.ts');
    assert.equal(stdout, '[user7]\n');
    const fetchUser = task(trace, 'fetchUser');
    assert.equal(fetchUser.definition?.file, 'multi/lib.ts');
    assert.equal(fetchUser.parentId, task(trace, 'main').id);
    assert.ok(!trace.tasks.some((t) => t.name === 'pad'), 'dependency code was instrumented');
  });

  it('runs ES modules with top-level await as a module task', async () => {
    const { trace, stdout, exit } = await run('esm/main.ts');
    assert.equal(exit.code, 0);
    assert.equal(stdout, '10,20\n');
    const mod = task(trace, '<module esm/main.ts>');
    assert.equal(mod.kind, 'module');
    const helpers = trace.tasks.filter((t) => t.name === 'helper');
    assert.ok(helpers.every((h) => h.parentId === mod.id));
    assert.deepEqual(suspensions(mod)[0].awaits, helpers.map((h) => h.id));
  });

  it('keeps the exit code of process.exit and every event before it', async () => {
    const { trace, exit, stdout } = await run('exit3.js');
    assert.equal(stdout, 'bye\n');
    assert.deepEqual([exit.code, exit.reason], [3, 'exited']);
    const quit = task(trace, 'quit');
    assert.equal(suspensions(quit).length, 1);
    assert.equal(quit.settled, null, 'the process ended inside the task');
  });

  it('reports an uncaught exception as a crash at its original source line', async () => {
    const { trace, exit, stderr } = await run('throws.ts');
    assert.deepEqual([exit.code, exit.reason], [1, 'crashed']);
    assert.match(exit.error!.message, /boom/);
    assert.deepEqual(exit.error!.site, { file: 'throws.ts', line: 3, column: 9 });
    assert.match(stderr, /Error: boom/);
    assert.equal(task(trace, 'boom').settled?.state, 'rejected');
  });

  it('reports an unhandled rejection as a crash', async () => {
    const { exit, stdout } = await run('unhandled.js');
    assert.equal(exit.reason, 'crashed');
    assert.equal(exit.code, 1);
    assert.equal(stdout, '');
    assert.match(exit.error!.message, /nobody catches me/);
    assert.equal(exit.error!.site?.line, 3);
  });

  it('stops a program that blocks the event loop at the timeout, keeping its events', async () => {
    // The timeout counts from the start of the program's own code (its start frame), not from the spawn.
    const { trace, exit, stdout } = await run('spin.js', { timeoutMs: 3000 });
    assert.equal(exit.reason, 'timeout');
    assert.equal(stdout, 'spinning\n');
    const spin = task(trace, 'spin');
    assert.equal(suspensions(spin).length, 1);
    assert.equal(spin.segments.at(-1)!.state, 'running');
    assert.equal(spin.segments.at(-1)!.end, null, 'still running when stopped');
  });

  it('stop() ends a hanging program and keeps the trace up to that point', async () => {
    let stdout = '';
    const handle = await startRun({ entry: path.join(FIX, 'waitForever.js'), cwd: FIX }, { onStdout: (t) => (stdout += t) });
    while (!stdout.includes('waiting')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    handle.stop();
    const { trace, exit } = await handle.done;
    assert.equal(exit.reason, 'stopped');
    const t = task(trace, 'waitForever');
    assert.equal(suspensions(t).length, 1);
    assert.equal(suspensions(t)[0].end, null);
  });

  it('caps events: the trace is truncated and the program runs to its end', async () => {
    const { trace, stdout, exit } = await run('many.js', { maxEvents: 1000 });
    assert.equal(stdout, 'sum 12497500\n');
    assert.equal(exit.code, 0);
    assert.equal(trace.truncated, true);
    assert.equal(trace.eventCount, 1000);
    const full = await run('many.js');
    assert.equal(full.trace.truncated, false);
    assert.ok(full.trace.eventCount > 20_000);
  });

  it('gives live snapshots while the program runs', async () => {
    let updates = 0;
    const release = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atl-live-')), 'go');
    const handle = await startRun(
      { entry: path.join(FIX, 'live.js'), cwd: FIX, updateIntervalMs: 20, env: { RELEASE_FILE: release } },
      { onUpdate: () => updates++ },
    );
    // Poll like a live view does until the sleepers show up (the writer thread ships every ~10 ms)
    // and an update has been announced: the program waits for us, so both come however slow the machine.
    let mid: Trace = handle.snapshot();
    const deadline = Date.now() + 20_000;
    while ((mid.tasks.length < 4 || updates < 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      mid = handle.snapshot();
    }
    assert.equal(mid.exit, null, 'still running');
    assert.deepEqual(mid.tasks.map((t) => t.name), ['main', 'sleeper', 'sleeper', 'sleeper']);
    assert.ok(mid.tasks.every((t) => t.settled === null), 'nobody has finished yet');
    assert.ok(updates >= 1, `updates while running: ${updates}`);
    // Nothing is recorded while the sleepers wait, yet time goes on: the live trace reaches to now
    // (so their open suspensions grow) and live views keep being told.
    const before = { updates, events: mid.eventCount, duration: mid.durationMs };
    await new Promise((r) => setTimeout(r, 1300));
    const later = handle.snapshot();
    assert.equal(later.eventCount, before.events, 'no events while waiting');
    assert.ok(later.durationMs >= before.duration + 1200, `${before.duration} -> ${later.durationMs}`);
    assert.ok(updates > before.updates, 'updates keep coming without events');
    fs.writeFileSync(release, 'go');
    const { trace } = await handle.done;
    assert.ok(trace.tasks.every((t) => t.settled?.state === 'fulfilled'));
  });

  it('works from a symlinked dist/ (modules prepared inside the program never include our own runtime)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-link-'));
    const link = path.join(dir, 'dist');
    fs.symlinkSync(path.resolve(__dirname, '../../../dist'), link, 'dir');
    try {
      const diff = path.resolve(__dirname, '../../../test/fixtures/diff/62-dynamic-paths');
      const outputs: string[] = [];
      for (const instrument of [false, true]) {
        let stdout = '';
        const handle = await startRun(
          { entry: path.join(diff, 'main.mjs'), cwd: diff, distDir: link, instrument },
          { onStdout: (t) => (stdout += t) },
        );
        const { exit, trace } = await handle.done;
        assert.equal(exit.code, 0, stdout);
        if (instrument) assert.ok(trace.tasks.length > 1, 'computed imports were traced too');
        outputs.push(stdout);
      }
      assert.equal(outputs[1], outputs[0]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs an unsaved buffer instead of the file on disk', async () => {
    const source = 'async function fromBuffer() { await null; console.log("buffer"); }\nfromBuffer();\n';
    const { trace, stdout } = await run('workers.ts', { entrySource: source });
    assert.equal(stdout, 'buffer\n');
    assert.deepEqual(trace.tasks.map((t) => t.name), ['fromBuffer']);
  });

  it('rejects with file:line:col for a syntax error, before running anything', async () => {
    await assert.rejects(
      startRun({ entry: path.join(FIX, 'syntaxError.ts'), cwd: FIX }),
      (err: unknown) => err instanceof SourceError && err.message === 'syntaxError.ts:5:17: Expression expected.',
    );
  });

  it('explains a missing node executable', async () => {
    await assert.rejects(
      startRun({ entry: path.join(FIX, 'workers.ts'), cwd: FIX, nodePath: '/nonexistent/node' }),
      /Cannot start node: "\/nonexistent\/node" was not found/,
    );
  });

  it('runs the same program untraced with instrument: false', async () => {
    const { trace, stdout } = await run('workers.ts', { instrument: false });
    assert.match(stdout, /awaited worker_2/);
    assert.equal(trace.tasks.length, 0);
    assert.equal(trace.eventCount, 0);
  });
});
