/**
 * Stop like a terminal would (issue 9): Stop, --timeout and Ctrl-C interrupt the program with SIGINT
 * so its shutdown handlers run, escalate to SIGTERM and SIGKILL after the grace period, and keep every
 * event; --timeout counts from the start of the program's own code. The escalation and the deadline
 * are checked with a fake clock; the fixture servers (a TypeScript one and an asyncio one) under the
 * real runner and the CLI. No pass criterion is a time limit: the one timing assertion is a lower
 * bound (the program had at least its timeout).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskRecord, Trace } from '../../src/protocol/trace';
import { resolvePython } from '../../src/runner/pythonInterpreter';
import { RunDeadline, START_ALLOWANCE_MS } from '../../src/runner/runDeadline';
import { startRun } from '../../src/runner/run';
import { StopPolicy, type StopSignal, type StopTimers } from '../../src/runner/stopPolicy';
import type { RunOptions } from '../../src/runner/types';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SERVER = path.join(ROOT, 'test/fixtures/projects/server/server.ts');
const PYSERVER = path.join(ROOT, 'test/fixtures/projects/pyserver/server.py');
const IGNORES = path.join(ROOT, 'test/fixtures/runner/ignoresSignals.js');
/** How much earlier than the host's deadline the program may think its own code started (clocks, rounding). */
const SLACK_MS = 50;

/** A fake clock: timers run only when the test advances time. */
class FakeClock implements StopTimers {
  now = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
  get pending(): number {
    return this.timers.size;
  }
}

/** A fake program for the policy: records what it was sent, and when. */
function fakeTarget(clock: FakeClock) {
  const sent: Array<[StopSignal, number]> = [];
  let flushes = 0;
  let ack: (() => void) | null = null;
  return {
    sent,
    get flushes() {
      return flushes;
    },
    ack: () => ack?.(),
    target: {
      requestFlush(done: () => void) {
        flushes++;
        ack = done;
      },
      signal(signal: StopSignal) {
        sent.push([signal, clock.now]);
      },
    },
  };
}

describe('runner/stopPolicy: the escalation, on a fake clock', () => {
  it('flushes, then SIGINT once the runtime confirms, SIGTERM after the grace period, SIGKILL after as long again', () => {
    const clock = new FakeClock();
    const p = fakeTarget(clock);
    const policy = new StopPolicy(p.target, { graceMs: 2000, flushWaitMs: 3000 }, clock);
    policy.stop();
    assert.equal(p.flushes, 1);
    assert.equal(policy.stage, 'flushing');
    clock.advance(15);
    assert.deepEqual(p.sent, [], 'nothing is sent before the events are shipped');
    p.ack();
    assert.deepEqual(p.sent, [['SIGINT', 15]]);
    assert.equal(policy.stage, 'interrupted');
    clock.advance(1999);
    assert.equal(p.sent.length, 1);
    clock.advance(1);
    assert.deepEqual(p.sent[1], ['SIGTERM', 2015]);
    clock.advance(2000);
    assert.deepEqual(p.sent[2], ['SIGKILL', 4015]);
    assert.equal(policy.stage, 'killed');
    clock.advance(60_000);
    assert.equal(p.sent.length, 3, 'nothing after the kill');
    p.ack();
    assert.equal(p.sent.length, 3, 'a late flush confirmation sends nothing');
  });

  it('signals anyway when the runtime never confirms the flush (untraced, or too loaded)', () => {
    const clock = new FakeClock();
    const p = fakeTarget(clock);
    const policy = new StopPolicy(p.target, { graceMs: 100, flushWaitMs: 3000 }, clock);
    policy.stop();
    clock.advance(2999);
    assert.deepEqual(p.sent, []);
    clock.advance(1);
    assert.deepEqual(p.sent, [['SIGINT', 3000]]);
    p.ack();
    assert.equal(p.sent.length, 1, 'the confirmation arriving late does not interrupt twice');
  });

  it('stops escalating when the program exits on its own (its shutdown handlers ran)', () => {
    const clock = new FakeClock();
    const p = fakeTarget(clock);
    const policy = new StopPolicy(p.target, { graceMs: 2000 }, clock);
    policy.stop();
    p.ack();
    assert.equal(policy.stopping, true);
    clock.advance(500);
    policy.ended();
    assert.equal(policy.stopping, false);
    assert.equal(clock.pending, 0);
    clock.advance(10_000);
    assert.deepEqual(p.sent, [['SIGINT', 0]]);
    policy.stop();
    policy.kill();
    assert.deepEqual(
      p.sent,
      [['SIGINT', 0]],
      'an ended program is sent nothing (its group id may be reused)',
    );
  });

  it('a second stop while stopping kills at once, at any step', () => {
    for (const step of ['flushing', 'interrupted', 'terminated'] as const) {
      const clock = new FakeClock();
      const p = fakeTarget(clock);
      const policy = new StopPolicy(p.target, { graceMs: 1000 }, clock);
      policy.stop();
      if (step !== 'flushing') p.ack();
      if (step === 'terminated') clock.advance(1000);
      assert.equal(policy.stage, step);
      clock.advance(10);
      policy.stop();
      assert.deepEqual(p.sent.at(-1), ['SIGKILL', clock.now], step);
      assert.equal(policy.stage, 'killed');
      assert.equal(clock.pending, 0, `${step}: no timer left behind`);
      const count = p.sent.length;
      policy.stop();
      assert.equal(p.sent.length, count, 'a third stop sends nothing more');
    }
  });

  it('kill() skips the grace periods; a zero grace period escalates without waiting', () => {
    const clock = new FakeClock();
    const p = fakeTarget(clock);
    new StopPolicy(p.target, { graceMs: 2000 }, clock).kill();
    assert.deepEqual(p.sent, [['SIGKILL', 0]]);
    assert.equal(p.flushes, 0);

    const q = fakeTarget(clock);
    const policy = new StopPolicy(q.target, { graceMs: 0 }, clock);
    policy.stop();
    q.ack();
    clock.advance(0);
    assert.deepEqual(
      q.sent.map(([s]) => s),
      ['SIGINT', 'SIGTERM', 'SIGKILL'],
    );
  });
});

describe('runner/runDeadline: --timeout counts from the program start', () => {
  it("expires timeoutMs after the start frame's epochMs, not after the spawn", () => {
    const clock = new FakeClock();
    clock.now = 10_000;
    let expired = 0;
    const d = new RunDeadline(
      1000,
      10_000,
      () => expired++,
      () => clock.now,
      clock,
    );
    clock.advance(700); // the interpreter starts, the preload and the writer thread come up
    d.programStarted(10_650); // the start frame, read 50 ms after it was written
    clock.advance(949);
    assert.equal(expired, 0, 'the program has had 999 ms of its own');
    clock.advance(1);
    assert.equal(expired, 1);
    clock.advance(60_000);
    assert.equal(expired, 1, 'once');
  });

  it('takes the start within [spawn, now]: a skewed clock neither ends the run early nor extends it', () => {
    const clock = new FakeClock();
    clock.now = 5000;
    let expiredAt = -1;
    const early = new RunDeadline(
      1000,
      5000,
      () => (expiredAt = clock.now),
      () => clock.now,
      clock,
    );
    clock.advance(100);
    early.programStarted(1000); // before the spawn: impossible, treated as the spawn
    clock.advance(10_000);
    assert.equal(expiredAt, 6000);

    const late = new RunDeadline(
      1000,
      clock.now,
      () => (expiredAt = clock.now),
      () => clock.now,
      clock,
    );
    const t0 = clock.now;
    clock.advance(100);
    late.programStarted(t0 + 99_999); // in the future: treated as now
    clock.advance(10_000);
    assert.equal(expiredAt, t0 + 1100);
  });

  it('without a start frame it falls back to the spawn plus a generous allowance; cancel() disarms it', () => {
    const clock = new FakeClock();
    let expiredAt = -1;
    new RunDeadline(
      1000,
      0,
      () => (expiredAt = clock.now),
      () => clock.now,
      clock,
    );
    clock.advance(60_000);
    assert.equal(expiredAt, 1000 + START_ALLOWANCE_MS);

    let fired = false;
    const d = new RunDeadline(
      1000,
      clock.now,
      () => (fired = true),
      () => clock.now,
      clock,
    );
    d.programStarted(clock.now);
    d.cancel();
    clock.advance(60_000);
    assert.equal(fired, false);
  });
});

/** A run of a fixture, with its output; `act` gets the handle once `ready` is on stdout. */
async function runFixture(
  entry: string,
  extra: Partial<RunOptions>,
  act?: (handle: { stop(): void }) => void,
  ready = 'listening',
) {
  let stdout = '';
  let stderr = '';
  let acted = false;
  const handle = await startRun(
    { entry, cwd: path.dirname(entry), ...extra },
    {
      onStdout: (t) => {
        stdout += t;
        if (act && !acted && stdout.includes(ready)) {
          acted = true;
          act(handle);
        }
      },
      onStderr: (t) => (stderr += t),
    },
  );
  const result = await handle.done;
  return { ...result, stdout, stderr };
}

const task = (trace: Trace, name: string): TaskRecord => {
  const found = trace.tasks.find((t) => t.name === name);
  assert.ok(found, `no task named ${name} in ${trace.tasks.map((t) => t.name).join(', ')}`);
  return found;
};

/** The cleanup lanes ran to their end: the shutdown handler's awaits are all in the trace. */
function assertCleanupTraced(trace: Trace, names: string[]): void {
  for (const name of names) assert.equal(task(trace, name).settled?.state, 'fulfilled', name);
}

/** "SIGINT after N ms" from the fixture's handler: how long its own code had, by its own clock. */
function ownMs(stderr: string): number {
  const m = /SIGINT after (\d+) ms/.exec(stderr);
  assert.ok(m, `no elapsed time in ${JSON.stringify(stderr)}`);
  return Number(m[1]);
}

describe('stop: the TypeScript server fixture under the tool', function () {
  this.timeout(60_000);

  it('Stop reaches its SIGINT handler: it closes the server, awaits its cleanup, says goodbye, exit reason stopped', async () => {
    const r = await runFixture(SERVER, {}, (h) => h.stop());
    assert.equal(r.stdout, 'listening\ngoodbye\n', r.stderr);
    assert.equal(r.exit.reason, 'stopped');
    assert.equal(r.exit.code, 0, 'it ended on its own, after its handler');
    assert.equal(r.exit.signal, null);
    assertCleanupTraced(r.trace, ['shutdown', 'closeServer', 'flushLogs']);
  });

  it('--timeout interrupts it the same way, exit reason timeout, after at least the timeout of its own code', async () => {
    const r = await runFixture(SERVER, { timeoutMs: 1000 });
    assert.equal(r.stdout, 'listening\ngoodbye\n', r.stderr);
    assert.equal(r.exit.reason, 'timeout');
    assert.equal(r.exit.code, 0);
    assertCleanupTraced(r.trace, ['shutdown', 'closeServer', 'flushLogs']);
    const own = ownMs(r.stderr);
    assert.ok(own >= 1000 - SLACK_MS, `the program's own code had ${own} ms of a 1000 ms timeout`);
  });

  it('prints the same stdout as under tsx sent the same SIGINT', async () => {
    const tool = await runFixture(SERVER, {}, (h) => h.stop());
    const tsx = await underTsx(SERVER);
    assert.equal(tool.stdout, tsx.stdout);
    assert.equal(tsx.stdout, 'listening\ngoodbye\n', 'the fixture says goodbye under tsx too');
  });
});

/** Runs `file` under node_modules/.bin/tsx in its own process group, SIGINTs the group once it listens. */
function underTsx(file: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [file], {
      cwd: path.dirname(file),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.includes('listening')) {
        sent = true;
        process.kill(-child.pid!, 'SIGINT'); // as a terminal's Ctrl-C: the whole foreground group
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}

describe('stop: the asyncio server fixture under the tool', function () {
  this.timeout(60_000);
  /** Every Python 3.11+ this machine has (the tests skip without one). */
  let pythons: string[] = [];

  before(async function () {
    this.timeout(30_000);
    const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
    const candidates = ['3.11.7/bin/python3.11', '3.12.1/bin/python3.12', '3.13.0/bin/python3.13']
      .map((v) => path.join(pyenvRoot, 'versions', v))
      .filter((p) => fs.existsSync(p));
    if (!candidates.length) {
      try {
        const p = await resolvePython({ cwd: ROOT });
        if (p.traced) candidates.push(p.path);
      } catch {
        // no Python: skipped
      }
    }
    pythons = candidates;
  });

  it('Stop gives KeyboardInterrupt through asyncio.run: the finally cleanup runs and is traced, exit reason stopped', async function () {
    if (!pythons.length) this.skip();
    for (const pythonPath of pythons) {
      const r = await runFixture(PYSERVER, { pythonPath }, (h) => h.stop());
      assert.equal(r.stdout, 'listening\ngoodbye\n', `${pythonPath}: ${r.stderr}`);
      assert.equal(r.exit.reason, 'stopped');
      assert.equal(r.exit.code, 0, pythonPath);
      assertCleanupTraced(r.trace, ['close_server', 'flush_logs']);
      assert.equal(
        task(r.trace, 'main').settled?.state,
        'cancelled',
        'asyncio.run cancelled main, as on Ctrl-C',
      );
    }
  });

  it('--timeout: the same goodbye, exit reason timeout, after at least the timeout of its own code', async function () {
    if (!pythons.length) this.skip();
    const r = await runFixture(PYSERVER, { pythonPath: pythons.at(-1), timeoutMs: 1000 });
    assert.equal(r.stdout, 'listening\ngoodbye\n', r.stderr);
    assert.equal(r.exit.reason, 'timeout');
    assertCleanupTraced(r.trace, ['close_server', 'flush_logs']);
    const own = ownMs(r.stderr);
    assert.ok(own >= 1000 - SLACK_MS, `the program's own code had ${own} ms of a 1000 ms timeout`);
  });

  it("a program without a handler ends as plain Python's Ctrl-C ends it (KeyboardInterrupt, killed by SIGINT), trace closed", async function () {
    if (!pythons.length) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-stop-'));
    const file = path.join(dir, 'tick.py');
    fs.writeFileSync(
      file,
      "import asyncio\n\nasync def tick():\n    print('ticking', flush=True)\n    while True:\n        await asyncio.sleep(0.02)\n\nasyncio.run(tick())\n",
    );
    const plain = await plainPythonInterrupted(pythons.at(-1)!, file);
    const r = await runFixture(file, { pythonPath: pythons.at(-1) }, (h) => h.stop(), 'ticking');
    assert.equal(r.exit.reason, 'stopped');
    assert.deepEqual(
      { code: r.exit.code, signal: r.exit.signal },
      plain.exit,
      'the same ending as without the tool',
    );
    assert.match(r.stderr, /KeyboardInterrupt/);
    assert.match(plain.stderr, /KeyboardInterrupt/);
    assert.equal(task(r.trace, 'tick').settled?.state, 'cancelled', 'the end of the run is in the trace');
  });
});

/** Runs `file` with plain `python` (no tool) in its own group and interrupts it once it ticks. */
function plainPythonInterrupted(python: string, file: string) {
  return new Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(python, [file], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout === 'ticking\n') process.kill(-child.pid!, 'SIGINT');
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ exit: { code, signal }, stderr }));
    },
  );
}

describe('stop: a program that ignores SIGINT and SIGTERM', function () {
  this.timeout(60_000);

  it('gets both, then is killed after the grace periods, its trace kept', async () => {
    const r = await runFixture(IGNORES, { stopGraceMs: 300 }, (h) => h.stop(), 'ticking');
    assert.equal(r.stdout, 'ticking\nignoring SIGINT\nignoring SIGTERM\n', r.stderr);
    assert.equal(r.exit.reason, 'stopped');
    assert.equal(r.exit.signal, 'SIGKILL');
    const tick = task(r.trace, 'tick');
    assert.equal(tick.settled, null, 'still running when killed');
    assert.ok(
      tick.segments.filter((s) => s.state === 'suspended').length >= 3,
      'its awaits before the kill are kept',
    );
  });
});

describe('stop: the CLI', function () {
  this.timeout(60_000);

  /** Runs the CLI; `onStdout` may interrupt it. */
  function cli(args: string[], onStdout?: (stdout: string, child: ReturnType<typeof spawn>) => void) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        onStdout?.(stdout, child);
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('--timeout: the server says goodbye, exit status 124, the trace says timeout', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'at-stop-')), 'server.json');
    const r = await cli(['run', SERVER, '--timeout', '1', '--out', out, '--no-timeline']);
    assert.equal(r.stdout, 'listening\ngoodbye\n', r.stderr);
    assert.equal(r.code, 124, r.stderr);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as Trace;
    assert.equal(trace.exit?.reason, 'timeout');
    assertCleanupTraced(trace, ['shutdown', 'closeServer', 'flushLogs']);
  });

  it('the first Ctrl-C is forwarded as SIGINT; the second kills at once (no SIGTERM waited for)', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'at-stop-')), 'ignores.json');
    let interrupts = 0;
    const r = await cli(
      ['run', IGNORES, '--grace', '600', '--out', out, '--no-timeline'],
      (stdout, child) => {
        if (interrupts === 0 && stdout.includes('ticking')) {
          interrupts++;
          child.kill('SIGINT');
        } else if (interrupts === 1 && stdout.includes('ignoring SIGINT')) {
          interrupts++;
          child.kill('SIGINT');
        }
      },
    );
    assert.equal(r.stdout, 'ticking\nignoring SIGINT\n', r.stderr);
    assert.match(r.stderr, /Ctrl-C again to kill/);
    assert.equal(r.code, 130, r.stderr);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as Trace;
    assert.equal(trace.exit?.reason, 'stopped');
    assert.equal(trace.exit?.signal, 'SIGKILL');
    assert.ok(task(trace, 'tick'));
  });
});
