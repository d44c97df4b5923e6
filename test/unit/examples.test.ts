/**
 * Every teaching example under examples/ traced by the runner, checked against what its header
 * comment promises the timeline shows. (workers.ts and crawl.ts, the seed's two, are checked
 * through the CLI in cli.test.ts.) Times are checked with tolerances: timers never fire early,
 * but a busy machine makes them late, so lower bounds are tight and upper bounds generous.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';
import { startRun } from '../../src/runner/run';

const ROOT = path.resolve(__dirname, '..', '..', '..');
// Generous: on a loaded 2-core machine timers have been seen firing hundreds of ms late. An upper
// bound only has to catch a wrong unit or a hang; what the example shows is checked by structure.
const LATE = 5000;

async function trace(example: string): Promise<{ trace: Trace; stdout: string }> {
  let stdout = '';
  const handle = await startRun(
    { entry: path.join(ROOT, 'examples', example), cwd: ROOT, timeoutMs: 20_000 },
    { onStdout: (t) => (stdout += t) },
  );
  const { trace: t, exit } = await handle.done;
  assert.equal(exit.reason, 'exited', `${example}: ${JSON.stringify(exit)}\n${stdout}`);
  assert.equal(exit.code, 0);
  return { trace: t, stdout };
}

const named = (t: Trace, name: string) => t.tasks.filter((x) => x.name === name);
const one = (t: Trace, name: string) => {
  const found = named(t, name);
  assert.equal(found.length, 1, `one task named ${name}: ${t.tasks.map((x) => x.name).join(', ')}`);
  return found[0];
};
const waits = (task: TaskRecord) =>
  task.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
const lifetime = (task: TaskRecord) => task.settled!.t - task.created.t;
const between = (actual: number, lo: number, hi: number, what: string) =>
  assert.ok(actual >= lo && actual <= hi, `${what}: ${actual.toFixed(1)} ms, expected ${lo}..${hi}`);

describe('examples: each timeline shows what its header says', function () {
  this.timeout(60_000);

  it('blocking.ts: the cruncher runs ~200 ms without yielding and the ticker waits through it', async () => {
    const { trace: t } = await trace('blocking.ts');
    const cruncher = one(t, 'cruncher');
    const ticker = one(t, 'ticker');
    const longest = Math.max(
      ...cruncher.segments.filter((s) => s.state === 'running').map((s) => s.end! - s.start),
    );
    between(longest, 195, 200 + LATE, "cruncher's longest running stretch");
    // The ticker asked for 50 ms but its first wait spans the whole crunch.
    between(waits(ticker)[0].end! - waits(ticker)[0].start, 200, 250 + LATE, "ticker's first wait");
    assert.equal(waits(ticker).length, 6);
    assert.ok(waits(ticker).every((w) => w.site?.line === waits(ticker)[0].site?.line));
  });

  it('rejections.ts: main resumes by throwing when flaky rejects; allSettled waits for all three', async () => {
    const { trace: t, stdout } = await trace('rejections.ts');
    assert.match(stdout, /caught: flaky failed after 100 ms/);
    const main = one(t, 'main');
    const flakies = named(t, 'flaky');
    assert.equal(flakies.length, 2);
    assert.ok(flakies.every((f) => f.settled?.state === 'rejected'));
    const [first, settled] = waits(main);
    assert.deepEqual(first.awaits, [flakies[0].id]);
    assert.equal(first.threw, true);
    assert.equal(first.resumedBy, flakies[0].id);
    between(first.end! - first.start, 95, 100 + LATE, 'await flaky(100)');
    assert.equal(settled.combinator, 'allSettled');
    assert.equal(settled.awaits.length, 3);
    assert.ok(!settled.threw, 'allSettled never throws');
    between(settled.end! - settled.start, 145, 150 + LATE, 'allSettled waits for the slowest');
  });

  it('sequentialVsConcurrent.ts: ~900 ms one after the other, ~300 ms with Promise.all', async () => {
    const { trace: t } = await trace('sequentialVsConcurrent.ts');
    const seq = one(t, 'sequential');
    const con = one(t, 'concurrent');
    between(lifetime(seq), 895, 900 + LATE, 'sequential');
    between(lifetime(con), 295, 300 + LATE, 'concurrent');
    const kids = (p: TaskRecord) => t.tasks.filter((x) => x.parentId === p.id && x.name === 'fetchItem');
    const [a, b, c] = kids(seq);
    assert.equal(kids(seq).length, 3);
    // One after the other: each fetch starts after the previous settled.
    assert.ok(b.created.t >= a.settled!.t && c.created.t >= b.settled!.t);
    assert.equal(waits(seq).length, 3);
    const conKids = kids(con);
    assert.equal(conKids.length, 3);
    // Together: all three alive at once.
    assert.ok(Math.max(...conKids.map((k) => k.created.t)) < Math.min(...conKids.map((k) => k.settled!.t)));
    assert.equal(waits(con).length, 1);
    assert.equal(waits(con)[0].combinator, 'all');
    assert.deepEqual([...waits(con)[0].awaits].sort(), conKids.map((k) => k.id).sort());
  });

  it('race.ts: the timeout wins the first race, the query wins the second, the losers run on', async () => {
    const { trace: t } = await trace('race.ts');
    const main = one(t, 'main');
    const [first, second] = waits(main);
    const [slow, fast] = named(t, 'slowQuery');
    const [timeout1, timeout2] = named(t, 'timeout');
    assert.equal(first.combinator, 'race');
    assert.deepEqual([...first.awaits].sort(), [slow.id, timeout1.id].sort());
    assert.equal(first.threw, true);
    assert.equal(first.resumedBy, timeout1.id);
    between(first.end! - first.start, 195, 200 + LATE, 'first race');
    // The loser was still running when main moved on.
    assert.ok(slow.settled!.t > first.end!);
    assert.equal(second.combinator, 'race');
    assert.equal(second.resumedBy, fast.id);
    assert.ok(!second.threw);
    assert.ok(timeout2.settled!.t > second.end!);
    assert.equal(timeout2.settled!.state, 'rejected');
  });

  it('generators.ts: the generator alternates await and yield; main waits at for await', async () => {
    const { trace: t, stdout } = await trace('generators.ts');
    assert.match(stdout, /sum 15/);
    const ticks = one(t, 'ticks');
    const main = one(t, 'main');
    assert.equal(ticks.kind, 'generator');
    assert.equal(ticks.parentId, main.id);
    const kinds = waits(ticks).map((w) => w.kind);
    assert.equal(kinds.filter((k) => k === 'await').length, 5);
    assert.equal(kinds.filter((k) => k === 'yield').length, 5);
    assert.ok(waits(main).length >= 5 && waits(main).every((w) => w.kind === 'for-await'));
    between(lifetime(main), 495, 500 + LATE * 2, 'five values 100 ms apart');
  });

  it('multiFile/main.ts: coroutines of the imported lib.ts are traced, with sites in lib.ts', async () => {
    const { trace: t, stdout } = await trace('multiFile/main.ts');
    assert.match(stdout, /cached: user1 and user2/);
    const main = one(t, 'main');
    const users = named(t, 'loadUser');
    assert.equal(users.length, 2);
    const set = one(t, 'Cache.set');
    const get = one(t, 'Cache.get');
    for (const task of [...users, set, get]) {
      assert.equal(task.definition?.file, 'examples/multiFile/lib.ts');
      assert.equal(task.parentId, main.id);
      assert.equal(waits(task)[0].site?.file, 'examples/multiFile/lib.ts');
      assert.equal(task.created.site?.file, 'examples/multiFile/main.ts');
    }
    assert.equal(set.kind, 'method');
    assert.equal(waits(main)[0].combinator, 'all');
    assert.ok(get.created.t >= set.settled!.t, 'set, then get');
  });
});
