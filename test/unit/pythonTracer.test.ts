/**
 * The Python tracer (pyruntime/), run for real on every CPython ≥ 3.11 of this machine through the
 * launch contract of pyruntime/PROTOCOL.md, its events folded by the real FrameDecoder +
 * TraceBuilder. Needs 3.11 and a 3.12+: fails (does not skip) without them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';
import { findInterpreters, findOldInterpreter, PYDIFF, runPython, scaledCopy, SEED, type RunResult } from '../python/harness';

const interpreters = findInterpreters();
const suspended = (t: TaskRecord) => t.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
const byName = (trace: Trace, name: string) => trace.tasks.filter((t) => t.name === name);
const one = (trace: Trace, name: string): TaskRecord => {
  const list = byName(trace, name);
  assert.equal(list.length, 1, `one task ${name} in ${trace.tasks.map((t) => t.name).join(', ')}`);
  return list[0];
};
const types = (r: RunResult) => r.messages.map((m) => m.type);

function tmpScript(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-py-t-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Assertions on a workers.py trace whose sleeps were 1 s and 2 s divided by `scale`. */
function checkWorkers(r: RunResult, scale: number): void {
  assert.equal(r.status, 0, r.stderr);
  const trace = r.trace;
  const main = one(trace, 'main');
  const w1 = one(trace, 'worker_1');
  const w2 = one(trace, 'worker_2');
  assert.equal(main.parentId, null);
  assert.equal(w1.parentId, main.id);
  assert.equal(w2.parentId, main.id);
  assert.deepEqual(main.created.site && { line: main.created.site.line, column: main.created.site.column }, { line: 29, column: 1 });
  assert.deepEqual(w1.created.site && { line: w1.created.site.line, column: w1.created.site.column }, { line: 19, column: 13 });
  assert.deepEqual(w2.created.site && { line: w2.created.site.line, column: w2.created.site.column }, { line: 20, column: 13 });
  assert.deepEqual(w1.definition && [w1.definition.line, w1.definition.column], [6, 1]);
  assert.equal(main.taskName, 'Task-1');
  assert.equal(w1.taskName, 'Task-2');
  assert.equal(w2.taskName, 'Task-3');
  // Scheduled is not running: the first suspension of each worker is `scheduled` at its create_task.
  for (const w of [w1, w2]) {
    assert.equal(w.segments[0].state, 'running');
    const first = suspended(w)[0];
    assert.equal(first.kind, 'scheduled');
    assert.equal(first.site?.line, w.created.site?.line);
  }
  // main parks at `await task1` (L22) before either worker first runs.
  const mainSusp = suspended(main).filter((s) => s.kind !== 'scheduled');
  assert.deepEqual(
    mainSusp.map((s) => s.site?.line),
    [22, 24],
  );
  const [at1, at2] = mainSusp;
  const firstRun = (w: TaskRecord) => w.segments[2].start;
  assert.ok(firstRun(w1) >= at1.start, `worker_1 first ran at ${firstRun(w1)}, main parked at ${at1.start}`);
  assert.ok(firstRun(w2) >= at1.start);
  assert.ok(firstRun(w2) >= firstRun(w1));
  assert.deepEqual(at1.awaits, [w1.id]);
  assert.deepEqual(at2.awaits, [w2.id]);
  assert.equal(at1.resumedBy, w1.id);
  assert.equal(at2.resumedBy, w2.id);
  assert.equal(at1.site?.column, 5);
  const s = 1000 / scale;
  assert.ok(at1.end! - main.created.t >= 0.9 * s, `main resumed at ${at1.end}`);
  assert.ok(at2.end! - main.created.t >= 1.8 * s, `main resumed again at ${at2.end}`);
  // workers: sleep waits
  const sleep1 = suspended(w1).find((x) => x.kind === 'await')!;
  assert.equal(sleep1.waitsFor, 'sleep');
  assert.equal(sleep1.site?.line, 8);
  assert.ok(sleep1.end! - sleep1.start >= 0.9 * s);
  for (const t of [main, w1, w2]) assert.equal(t.settled?.state, 'fulfilled');
  assert.deepEqual(r.stdout.split('\n').slice(0, 7), [
    'before await',
    'worker_1 start',
    'worker_2 start',
    'worker_1 done',
    'awaited worker_1',
    'worker_2 done',
    'awaited worker_2',
  ]);
  assert.ok(types(r).includes('end'));
  const start = r.messages.find((m) => m.type === 'start');
  assert.ok(start && start.type === 'start' && /^cpython 3\.\d+\.\d+$/.test(start.runtime ?? ''));
}

function checkCrawl(r: RunResult, scale: number): void {
  assert.equal(r.status, 0, r.stderr);
  const trace = r.trace;
  const main = one(trace, 'main');
  const pages = byName(trace, 'crawl_page');
  assert.equal(pages.length, 4);
  const s = 1000 / scale;
  pages.forEach((p, i) => {
    assert.equal(p.parentId, main.id);
    assert.equal(p.created.site?.line, 14);
    const sleep = suspended(p).find((x) => x.kind === 'await')!;
    assert.equal(sleep.site?.line, 9);
    assert.equal(sleep.waitsFor, 'sleep');
    assert.ok(sleep.end! - sleep.start >= 0.9 * (i + 1) * s, `page ${i + 1} slept ${sleep.end! - sleep.start} ms`);
  });
  const gather = suspended(main).find((x) => x.site?.line === 17)!;
  assert.equal(gather.combinator, 'gather');
  assert.deepEqual([...gather.awaits].sort(), pages.map((p) => p.id).sort());
  const done = trace.callbacks.filter((c) => c.kind === 'done');
  assert.equal(done.length, 4);
  assert.deepEqual(
    done.map((c) => c.taskId),
    pages.map((p) => p.id),
  );
  for (const c of done) {
    assert.equal(c.site?.line, 16);
    const p = trace.tasks[c.taskId - 1];
    assert.ok(c.t >= p.settled!.t);
  }
  assert.equal((r.stdout.match(/^result: {2}OK url_\d$/gm) ?? []).length, 4);
}

describe('Python tracer (pyruntime)', function () {
  this.timeout(120000);

  it('finds Python 3.11 and a 3.12+ to test with (pyenv versions / PATH)', () => {
    const versions = interpreters.map((i) => i.version);
    assert.ok(
      interpreters.some((i) => i.minor === 11),
      `no Python 3.11 found (found: ${versions.join(', ') || 'none'})`,
    );
    assert.ok(
      interpreters.some((i) => i.minor >= 12),
      `no Python 3.12+ found (found: ${versions.join(', ') || 'none'})`,
    );
  });

  for (const py of interpreters) {
    describe(`cpython ${py.version}`, () => {
      it('workers.py (sleeps / 10): main creates worker_1/2 at the create_task lines, scheduled first, awaits each', async () => {
        checkWorkers(await runPython(py.path, scaledCopy(path.join(SEED, 'workers.py'), 10)), 10);
      });

      it('crawl.py (sleeps / 10): four lanes waiting 1–4 units, four done callbacks, gather on all four', async () => {
        checkCrawl(await runPython(py.path, scaledCopy(path.join(SEED, 'crawl.py'), 10)), 10);
      });

      it('nested awaits are lanes under their awaiter; awaits/resumedBy point at the child', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '02_nested_await.py'));
        assert.equal(r.status, 0, r.stderr);
        const main = one(r.trace, 'main');
        const middle = one(r.trace, 'middle');
        const leaves = byName(r.trace, 'leaf');
        const quick = one(r.trace, 'quick');
        assert.equal(middle.parentId, main.id);
        assert.deepEqual(
          leaves.map((l) => l.parentId),
          [middle.id, middle.id],
        );
        assert.equal(middle.created.site?.line, 20);
        const mainAwait = suspended(main).find((s) => s.site?.line === 20)!;
        assert.deepEqual(mainAwait.awaits, [middle.id]);
        assert.equal(mainAwait.resumedBy, middle.id);
        assert.deepEqual(
          suspended(middle).map((s) => [s.site?.line, s.awaits[0]]),
          leaves.map((l, i) => [10 + i, l.id]),
        );
        // a coroutine that never suspends does not suspend its awaiter
        assert.equal(suspended(quick).length, 0);
        assert.equal(suspended(main).filter((s) => s.site?.line === 21).length, 0);
        assert.equal(quick.settled?.state, 'fulfilled');
      });

      it('cancellation, TaskGroup failure and rejection: cancelled / rejected with the message, threw', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '06_taskgroup_fail.py'));
        assert.equal(r.status, 0, r.stderr);
        const main = one(r.trace, 'main');
        const oks = byName(r.trace, 'ok');
        const bad = one(r.trace, 'bad');
        assert.equal(bad.settled?.state, 'rejected');
        assert.equal(bad.settled?.error, "KeyError: 'bad key'");
        for (const o of oks) {
          assert.equal(o.settled?.state, 'cancelled');
          assert.equal(suspended(o).at(-1)?.threw, true);
        }
        const exit = suspended(main).find((s) => s.combinator === 'taskGroup')!;
        assert.ok(exit, 'main waits at the TaskGroup exit');
        assert.deepEqual([...exit.awaits].sort(), [...oks.map((o) => o.id), bad.id].sort());
        const r2 = await runPython(py.path, path.join(PYDIFF, '28_cancel_nested.py'));
        assert.equal(one(r2.trace, 'deep').settled?.state, 'cancelled');
        assert.equal(one(r2.trace, 'mid').settled?.state, 'cancelled');
      });

      it('gather / wait / queue / lock / thread / subprocess / stream waits say what they waited for', async () => {
        const kinds = async (file: string) => {
          const r = await runPython(py.path, path.join(PYDIFF, file));
          assert.equal(r.status, 0, r.stderr);
          return r.trace;
        };
        const w = await kinds('08_wait_first.py');
        const waits = suspended(one(w, 'main')).filter((s) => s.combinator === 'wait');
        assert.equal(waits.length, 2);
        assert.equal(waits[0].awaits.length, 3);
        const q = await kinds('10_queue.py');
        assert.ok(suspended(one(q, 'consumer')).some((s) => s.waitsFor === 'queue'));
        const l = await kinds('11_lock_semaphore.py');
        assert.ok(byName(l, 'locked').some((t) => suspended(t).some((s) => s.waitsFor === 'lock')));
        assert.ok(byName(l, 'limited').some((t) => suspended(t).some((s) => s.waitsFor === 'semaphore')));
        const th = await kinds('12_to_thread.py');
        assert.deepEqual(
          suspended(one(th, 'main'))
            .filter((s) => s.kind === 'await')
            .map((s) => s.waitsFor),
          ['thread', 'thread'],
        );
        const sp = await kinds('19_subprocess.py');
        assert.ok(suspended(one(sp, 'main')).some((s) => s.waitsFor === 'subprocess'));
        const tcp = await kinds('18_tcp.py');
        assert.ok(suspended(one(tcp, 'main')).some((s) => s.waitsFor === 'stream'));
        const ev = await kinds('20_event_condition.py');
        assert.ok(byName(ev, 'waiter').every((t) => suspended(t).some((s) => s.waitsFor === 'event')));
        assert.ok(suspended(one(ev, 'cond_consumer')).some((s) => s.waitsFor === 'condition'));
      });

      it('async generators are generator lanes with yield suspensions; async for waits on them', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '13_async_gen.py'));
        assert.equal(r.status, 0, r.stderr);
        const gens = byName(r.trace, 'ticker');
        assert.equal(gens.length, 3);
        assert.ok(gens.every((g) => g.kind === 'generator'));
        assert.equal(suspended(gens[0]).filter((s) => s.kind === 'yield').length, 3);
        const forAwait = suspended(one(r.trace, 'main')).filter((s) => s.kind === 'for-await' && s.site?.line === 11);
        assert.ok(forAwait.length >= 3);
        assert.ok(forAwait.every((s) => s.awaits[0] === gens[0].id));
      });

      it('done callbacks: recorded when they run; remove_done_callback still works', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '16_done_callbacks.py'));
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!r.stdout.includes('never printed'));
        assert.ok(r.stdout.includes('removed 1'));
        const done = r.trace.callbacks.filter((c) => c.kind === 'done');
        assert.deepEqual(
          done.map((c) => c.site?.line),
          [20, 22],
        );
      });

      it('columns are 1-based UTF-16 columns (non-ASCII text before the await)', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '26_unicode_cols.py'));
        const t = one(r.trace, 'ünïcødé');
        const s = suspended(t).find((x) => x.kind === 'await')!;
        assert.deepEqual([s.site?.line, s.site?.column], [5, 14]);
      });

      it('methods are named by co_qualname', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '25_methods.py'));
        assert.equal(byName(r.trace, 'Crawler.fetch').length, 3);
        assert.equal(one(r.trace, 'Crawler.fetch'.replace('fetch', 'run')).kind, 'method');
      });

      it('ends: normal exit writes end', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '01_basic_tasks.py'));
        assert.equal(r.status, 0);
        assert.deepEqual(types(r).slice(-1), ['end']);
        assert.ok(r.builder.ended);
        assert.equal(one(r.trace, 'main').settled?.state, 'fulfilled');
      });

      it('ends: sys.exit(3) keeps the trace, end says 3', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '03_exit_code.py'));
        assert.equal(r.status, 3);
        const end = r.messages.find((m) => m.type === 'end');
        assert.ok(end && end.type === 'end');
        if (py.minor >= 12) assert.equal(end.code, 3);
        assert.ok(one(r.trace, 'main').segments.length >= 3);
      });

      it('ends: an uncaught exception writes error with the user frame, then end', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '04_uncaught.py'));
        assert.equal(r.status, 1);
        const err = r.messages.find((m) => m.type === 'error');
        assert.ok(err && err.type === 'error');
        assert.equal(err.message, 'ValueError: boom');
        assert.equal(err.site?.line, 6);
        assert.equal(err.site?.column, 5);
        assert.ok(err.stack.includes('Traceback'));
        assert.equal(one(r.trace, 'fail').settled?.state, 'rejected');
        // 3.11's profile hook cannot see the exception of a coroutine that is no Task's (PROTOCOL.md)
        if (py.minor >= 12) assert.equal(one(r.trace, 'fail').settled?.error, 'ValueError: boom');
        assert.equal(types(r).at(-1), 'end');
      });

      it('who woke it: the task that released a Lock/Semaphore, set an Event, put into a Queue, notified a Condition', async () => {
        const script = tmpScript(
          'wakers.py',
          [
            'import asyncio',
            '',
            'async def holder(lock, ev, q, sem, cond):',
            '    async with lock:',
            '        await asyncio.sleep(0.02)',
            '    await asyncio.sleep(0.01)',
            '    ev.set()',
            '    await asyncio.sleep(0.01)',
            '    await q.put(42)',
            '    await asyncio.sleep(0.01)',
            '    sem.release()',
            '    await asyncio.sleep(0.01)',
            '    async with cond:',
            '        cond.notify_all()',
            '',
            'async def lock_waiter(lock):',
            '    await asyncio.sleep(0)  # holder took the lock in its first step, before this task ran',
            '    async with lock:',
            '        pass',
            '',
            'async def ev_waiter(ev):',
            '    await ev.wait()',
            '',
            'async def q_getter(q):',
            '    return await q.get()',
            '',
            'async def sem_waiter(sem):',
            '    await sem.acquire()',
            '',
            'async def cond_waiter(cond):',
            '    async with cond:',
            '        await cond.wait()',
            '',
            'async def timer_waiter(ev):',
            '    await ev.wait()',
            '',
            'async def main():',
            '    lock, ev, q = asyncio.Lock(), asyncio.Event(), asyncio.Queue()',
            '    sem, cond, ev2 = asyncio.Semaphore(0), asyncio.Condition(), asyncio.Event()',
            '    asyncio.get_running_loop().call_later(0.01, ev2.set)',
            '    r = await asyncio.gather(holder(lock, ev, q, sem, cond), lock_waiter(lock), ev_waiter(ev),',
            '                             q_getter(q), sem_waiter(sem), cond_waiter(cond), timer_waiter(ev2))',
            '    print(r[3], lock.locked(), ev.is_set(), q.qsize(), sem.locked())',
            '',
            'asyncio.run(main())',
            '',
          ].join('\n'),
        );
        const r = await runPython(py.path, script);
        assert.equal(r.status, 0, r.stderr);
        // Behaviour unchanged: what the program computes is what it computes untraced.
        assert.equal(r.stdout.trim(), '42 False True 0 True');
        const holder = one(r.trace, 'holder');
        const wokeAt = (name: string, line: number) => {
          const seg = suspended(one(r.trace, name)).find((s) => s.site?.line === line);
          assert.ok(seg, `${name} suspends at L${line}`);
          return seg.resumedBy;
        };
        assert.equal(wokeAt('lock_waiter', 18), holder.id, 'lock hand-over');
        assert.equal(wokeAt('ev_waiter', 22), holder.id, 'event set');
        assert.equal(wokeAt('q_getter', 25), holder.id, 'queue put');
        assert.equal(wokeAt('sem_waiter', 28), holder.id, 'semaphore release');
        assert.equal(wokeAt('cond_waiter', 32), holder.id, 'condition notify');
        // Set from a loop callback (no task): nobody to name.
        assert.equal(wokeAt('timer_waiter', 35) ?? null, null, 'woken from a timer callback');
        // A task never wakes itself (holder's own sleeps have no waker).
        assert.ok(suspended(holder).every((x) => x.resumedBy == null));
      });

      it('who woke it: the task that completed a future from loop.create_future() (result, exception, cancel)', async () => {
        const script = tmpScript(
          'futures.py',
          [
            'import asyncio',
            '',
            'async def waiter(fut):',
            '    try:',
            '        return await fut',
            '    except BaseException as e:',
            '        return type(e).__name__',
            '',
            'async def resolver(a, b, c):',
            '    await asyncio.sleep(0.01)',
            '    a.set_result(42)',
            '    b.set_exception(ValueError("no"))',
            '    c.cancel()',
            '',
            'async def main():',
            '    loop = asyncio.get_running_loop()',
            '    a, b, c, d = (loop.create_future() for _ in range(4))',
            '    print(type(a).__name__, isinstance(a, asyncio.Future), repr(a))',
            '    loop.call_later(0.01, d.set_result, 7)',
            '    r = await asyncio.gather(waiter(a), waiter(b), waiter(c), waiter(d), resolver(a, b, c))',
            '    print(r[:4])',
            '',
            'asyncio.run(main())',
            '',
          ].join('\n'),
        );
        const r = await runPython(py.path, script);
        assert.equal(r.status, 0, r.stderr);
        // Behaviour unchanged: the class name, isinstance, repr and results are asyncio's own.
        assert.deepEqual(r.stdout.trim().split('\n'), ['Future True <Future pending>', "[42, 'ValueError', 'CancelledError', 7]"]);
        const resolver = one(r.trace, 'resolver');
        const waiters = r.trace.tasks.filter((t) => t.name === 'waiter');
        assert.equal(waiters.length, 4);
        const wokeBy = waiters.map((w) => suspended(w).find((s) => s.site?.line === 5)?.resumedBy ?? null);
        // Three completed by the resolver task; the fourth from a loop timer (no task to name).
        assert.deepEqual(wokeBy, [resolver.id, resolver.id, resolver.id, null]);
      });

      it('ends: Ctrl-C (SIGINT from outside) keeps the trace, error says KeyboardInterrupt', async () => {
        const script = tmpScript(
          'sigint.py',
          'import asyncio\n\nasync def main():\n    print("ready", flush=True)\n    await asyncio.sleep(30)\n\nasyncio.run(main())\n',
        );
        const r = await runPython(py.path, script, { onStdout: { text: 'ready', action: 'SIGINT' } });
        assert.equal(r.signal ?? r.status, r.signal ? 'SIGINT' : 130);
        const err = r.messages.find((m) => m.type === 'error');
        assert.ok(err && err.type === 'error' && err.message === 'KeyboardInterrupt');
        assert.equal(types(r).at(-1), 'end');
        assert.equal(one(r.trace, 'main').settled?.state, 'cancelled');
      });

      it('ends: stop file then kill keeps everything up to `stopping`', async () => {
        const script = tmpScript(
          'forever.py',
          // "ready" only once both lanes exist and have suspended (the stop may be answered within 10 ms)
          'import asyncio\n\nasync def tick(n):\n    k = 0\n    while True:\n        await asyncio.sleep(0.01)\n        k += 1\n        if n == 2 and k == 2:\n            print("ready", flush=True)\n\nasync def main():\n    await asyncio.gather(tick(1), tick(2))\n\nasyncio.run(main())\n',
        );
        const r = await runPython(py.path, script, { onStdout: { text: 'ready', action: 'stop' } });
        assert.equal(r.signal, 'SIGKILL');
        assert.ok(types(r).includes('stopping'));
        assert.ok(!types(r).includes('end'));
        assert.ok(r.builder.stopAcknowledged);
        assert.equal(byName(r.trace, 'tick').length, 2);
        assert.equal(one(r.trace, 'main').settled, null);
      });

      it('ends: os._exit(5) flushes first and says 5', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '22_os_exit.py'));
        assert.equal(r.status, 5);
        const end = r.messages.find((m) => m.type === 'end');
        assert.ok(end && end.type === 'end' && end.code === 5);
        assert.ok(suspended(one(r.trace, 'main')).length >= 2);
      });

      it('the event cap: truncated, recording stops, the program runs on', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '30_many_tasks.py'), { maxEvents: 100 });
        assert.equal(r.status, 0);
        assert.equal(r.stdout.trim(), '44850');
        assert.ok(types(r).includes('truncated'));
        assert.equal(r.trace.truncated, true);
        assert.ok(r.trace.eventCount <= 100);
      });

      it('"Task exception was never retrieved" is a warning frame, the program goes on', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '23_never_retrieved.py'));
        assert.equal(r.status, 0);
        const w = r.messages.find((m) => m.type === 'warning');
        assert.ok(w && w.type === 'warning');
        assert.equal(w.message, 'Task exception was never retrieved: RuntimeError: nobody looks');
        assert.equal(one(r.trace, 'bad').settled?.state, 'rejected');
      });

      it('trace:false runs through the boot file and records nothing', async () => {
        const r = await runPython(py.path, path.join(PYDIFF, '01_basic_tasks.py'), { trace: false });
        assert.equal(r.status, 0);
        assert.equal(r.messages.length, 0);
      });
    });
  }

  const newest = interpreters.filter((i) => i.minor >= 12).at(-1) ?? interpreters.at(-1);
  it('the real seed workers.py (1 s / 2 s) on the newest Python', async function () {
    if (!newest) throw new Error('no Python ≥ 3.11 found');
    checkWorkers(await runPython(newest.path, path.join(SEED, 'workers.py')), 1);
  });

  it('the real seed crawl.py (1–4 s) on Python 3.11', async function () {
    const py311 = interpreters.find((i) => i.minor === 11);
    if (!py311) throw new Error('no Python 3.11 found');
    checkCrawl(await runPython(py311.path, path.join(SEED, 'crawl.py')), 1);
  });

  it('Python < 3.11: one clear line on stderr, the program runs untraced, same exit status', async function () {
    const old = findOldInterpreter();
    if (!old) this.skip();
    const script = tmpScript('old.py', 'import sys\nprint("hi")\nsys.exit(4)\n');
    const r = await runPython(old!, script);
    assert.equal(r.status, 4);
    assert.equal(r.stdout, 'hi\n');
    assert.match(r.stderr, /^async-timeline: Python 3\.11 or newer is needed to trace \(this is 3\.\d+\.\d+\)\n$/);
    assert.equal(r.messages.length, 0);
  });
});
