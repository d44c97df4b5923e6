/**
 * The trace tells the truth (issue 7): a task settles when its promise settles (adoption), await
 * edges come from the awaited object (never from "some call started a task"), tasks started by
 * builtins get their creation site and parent, and who resolved a promise wakes its waiter.
 * Each program runs under the real runner; timers give lower bounds only (they never fire early).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startRun } from '../../src/runner/run';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';

const FIX = path.resolve(__dirname, '../../../test/fixtures/truth');
/**
 * libuv starts a timer at its cached loop time, which can lag performance.now() by what the current tick
 * has run (milliseconds on a loaded machine): lower bounds from timers keep this much slack.
 */
const TIMER_SLACK = 25;

async function run(file: string): Promise<{ trace: Trace; stdout: string }> {
  let stdout = '';
  const handle = await startRun(
    { entry: path.join(FIX, file), cwd: FIX },
    { onStdout: (t) => (stdout += t) },
  );
  const { trace, exit } = await handle.done;
  assert.equal(exit.reason, 'exited', JSON.stringify(exit));
  return { trace, stdout };
}

const all = (trace: Trace, name: string): TaskRecord[] => trace.tasks.filter((t) => t.name === name);
const one = (trace: Trace, name: string): TaskRecord => {
  const found = all(trace, name);
  assert.equal(
    found.length,
    1,
    `${found.length} tasks named ${name} in ${trace.tasks.map((t) => t.name).join(', ')}`,
  );
  return found[0];
};
const suspensions = (t: TaskRecord) =>
  t.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
const lastSuspension = (t: TaskRecord) => suspensions(t).at(-1)!;
/** The suspension of `t` at `line`. */
const at = (t: TaskRecord, line: number): SuspendedSegment => {
  const s = suspensions(t).find((x) => x.site?.line === line);
  assert.ok(
    s,
    `${t.name} has no suspension at line ${line}: ${JSON.stringify(suspensions(t).map((x) => x.site?.line))}`,
  );
  return s;
};

describe('trace truth: adoption, await edges, builtin-started tasks', function () {
  this.timeout(60_000);

  describe('a task settles when its promise settles', () => {
    let trace: Trace;
    let stdout: string;
    before(async () => ({ trace, stdout } = await run('adoption.ts')));

    it('the program behaves as without the tool', () => {
      assert.equal(
        stdout,
        [
          'proxy rejected: late',
          'concise: slow',
          'thenable: 7',
          'overridden: 5',
          'finally runs before the adoption ends',
          'withFinally: slow',
          'getterThen: 9 reads 1',
          'subclass: 3',
          '',
        ].join('\n'),
      );
    });

    it('`return fetchLate()` settles rejected when fetchLate rejects, waiting on it in an adopt suspension', () => {
      const proxy = one(trace, 'proxy');
      const late = all(trace, 'fetchLate')[0];
      assert.equal(late.parentId, proxy.id);
      assert.equal(proxy.settled?.state, 'rejected');
      assert.equal(late.settled?.state, 'rejected');
      // fetchLate sleeps 150 ms before it throws: the proxy cannot have settled earlier.
      assert.ok(
        proxy.settled!.t - proxy.created.t >= 150 - TIMER_SLACK,
        `settled after ${proxy.settled!.t - proxy.created.t} ms`,
      );
      assert.ok(proxy.settled!.t >= late.settled!.t);
      const adopt = lastSuspension(proxy);
      assert.equal(adopt.kind, 'adopt');
      assert.equal(adopt.site?.line, 9);
      assert.deepEqual(adopt.awaits, [late.id]);
      assert.equal(adopt.resumedBy, late.id);
      assert.equal(adopt.end, proxy.settled!.t);
      // main's await of the proxy threw because the proxy's promise rejected, woken by the proxy.
      const main = one(trace, 'main');
      const s = at(main, 46);
      assert.deepEqual(s.awaits, [proxy.id]);
      assert.equal(s.threw, true);
      assert.equal(s.resumedBy, proxy.id);
    });

    it('a concise async arrow adopts the promise of the call it returns', () => {
      const concise = one(trace, 'concise');
      const slow = all(trace, 'slowValue').find((t) => t.parentId === concise.id)!;
      assert.equal(concise.settled?.state, 'fulfilled');
      assert.ok(concise.settled!.t >= slow.settled!.t);
      assert.ok(concise.settled!.t - concise.created.t >= 80 - TIMER_SLACK);
      assert.equal(lastSuspension(concise).kind, 'adopt');
      assert.deepEqual(lastSuspension(concise).awaits, [slow.id]);
    });

    it('a returned thenable object settles the task when it calls resolve', () => {
      const t = one(trace, 'thenable');
      assert.equal(t.settled?.state, 'fulfilled');
      assert.ok(t.settled!.t - t.created.t >= 40 - TIMER_SLACK);
      assert.equal(lastSuspension(t).kind, 'adopt');
      assert.deepEqual(lastSuspension(t).awaits, []);
    });

    it('`return` in a finally overrides the adoption: settles at once with the plain value', () => {
      const t = one(trace, 'overridden');
      assert.equal(t.settled?.state, 'fulfilled');
      assert.ok(suspensions(t).every((s) => s.kind !== 'adopt'));
      assert.equal(t.segments.at(-1)!.state, 'running');
    });

    it('a finally block runs before the adoption starts; the task ends with the adopted promise', () => {
      const t = one(trace, 'withFinally');
      assert.equal(lastSuspension(t).kind, 'adopt');
      assert.equal(t.settled?.state, 'fulfilled');
      assert.ok(t.settled!.t - t.created.t >= 80 - TIMER_SLACK);
    });

    it('a `then` getter is read exactly once, as by the engine (the value is treated as plain)', () => {
      const t = one(trace, 'getterThen');
      assert.equal(t.settled?.state, 'fulfilled');
    });

    it('a Promise subclass is adopted like any thenable', () => {
      const t = one(trace, 'subclass');
      assert.equal(lastSuspension(t).kind, 'adopt');
      assert.ok(t.settled!.t - t.created.t >= 30 - TIMER_SLACK);
    });
  });

  describe('await edges and tasks started by builtins', () => {
    let trace: Trace;
    let stdout: string;
    before(async () => ({ trace, stdout } = await run('edges.mjs')));

    it('the program behaves as without the tool', () => {
      assert.equal(stdout, 'users 1,2,3\nthen 2\nhandled 1\nslept undefined\n');
    });

    it('`await startup()` does not claim to wait on the task startup merely started', () => {
      const main = one(trace, 'main');
      const hk = one(trace, 'housekeeping');
      assert.equal(hk.parentId, main.id);
      assert.deepEqual(hk.created.site, { file: 'edges.mjs', line: 7, column: 3 });
      const s = at(main, 25);
      assert.deepEqual(s.awaits, []);
      assert.equal(s.resumedBy, null);
    });

    it('a plain function returning a task promise passes that task on', () => {
      const main = one(trace, 'main');
      const w = one(trace, 'worker');
      assert.deepEqual(w.created.site, { file: 'edges.mjs', line: 11, column: 30 });
      assert.deepEqual(at(main, 26).awaits, [w.id]);
      assert.equal(at(main, 26).resumedBy, w.id);
    });

    it('Promise.all(ids.map(loadUser)) lists every task map started, each with the map line as its site', () => {
      const main = one(trace, 'main');
      const users = all(trace, 'loadUser').filter((t) => t.created.site?.line === 27);
      assert.equal(users.length, 3);
      for (const u of users) {
        assert.equal(u.parentId, main.id);
        assert.deepEqual(u.created.site, { file: 'edges.mjs', line: 27, column: 35 });
      }
      const s = at(main, 27);
      assert.equal(s.combinator, 'all');
      assert.deepEqual(
        [...s.awaits].sort((a, b) => a - b),
        users.map((u) => u.id),
      );
      assert.equal(s.resumedBy, users[2].id); // loadUser(3) sleeps longest
    });

    it('.then(loadUser): the task the callback starts has the .then site, no parent, and is awaited', () => {
      const main = one(trace, 'main');
      const viaThen = all(trace, 'loadUser').find((t) => t.created.site?.line === 29)!;
      assert.ok(viaThen, 'a loadUser task created at the .then line');
      assert.equal(viaThen.parentId, null);
      assert.equal(viaThen.created.site?.column, 44);
      assert.deepEqual(at(main, 29).awaits, [viaThen.id]);
      assert.equal(at(main, 29).resumedBy, viaThen.id);
    });

    it('a promise resolved by a task is woken by that task (resumedBy), without an await edge', () => {
      const main = one(trace, 'main');
      const op = one(trace, 'opener');
      const s = at(main, 33);
      assert.deepEqual(s.awaits, []);
      assert.equal(s.resumedBy, op.id);
    });

    it('an emitter handler is created at the emit() call; loop-started tasks have no parent and no site (not the call main was suspended in)', () => {
      const main = one(trace, 'main');
      const handler = one(trace, 'onData');
      assert.equal(handler.parentId, main.id);
      assert.deepEqual(handler.created.site, { file: 'edges.mjs', line: 36, column: 3 });
      const tick = one(trace, 'tick');
      assert.equal(tick.parentId, null);
      assert.equal(tick.created.site, null);
      const micro = one(trace, 'micro');
      assert.equal(micro.parentId, null);
      assert.equal(micro.created.site, null);
    });
  });
});

describe('trace truth: adoption keeps what the program sees', function () {
  this.timeout(60_000);

  it("V8's async stack frames survive `return promise` (the adopted promise keeps its single engine reaction)", async () => {
    const file = path.join(FIX, 'asyncStack.mjs');
    const plain = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    assert.match(plain, /at async main/);
    const { stdout, trace } = await run('asyncStack.mjs');
    assert.equal(stdout, plain);
    assert.equal(one(trace, 'proxy').settled?.state, 'rejected');
    assert.equal(one(trace, 'lib').settled?.state, 'rejected');
    assert.equal(lastSuspension(one(trace, 'lib')).kind, 'adopt');
  });
});
