/**
 * Differential corpus (test/fixtures/pydiff/*.py): every program run plain (python directly) and
 * under the tracer, on every CPython ≥ 3.11 of this machine: stdout, stderr and exit status must be
 * identical, and the traced run must have written a stream the host can fold.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findInterpreters, PYDIFF, runPython, type RunResult } from '../python/harness';

const interpreters = findInterpreters();
const programs = fs
  .readdirSync(PYDIFF)
  .filter((f) => f.endsWith('.py'))
  .sort();
/** Programs that end the process without atexit (no `end` frame expected). */
const NO_END = new Set<string>([]);
const CONCURRENCY = Math.max(2, Math.min(4, os.cpus().length));

async function pool<T>(jobs: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

describe('Python differential corpus (plain vs traced)', function () {
  this.timeout(900000);

  it('has at least 30 programs and Python 3.11 + a 3.12+ to run them with', () => {
    assert.ok(programs.length >= 30, `${programs.length} programs`);
    assert.ok(interpreters.some((i) => i.minor === 11), 'no Python 3.11 found');
    assert.ok(interpreters.some((i) => i.minor >= 12), 'no Python 3.12+ found');
  });

  for (const py of interpreters) {
    describe(`cpython ${py.version}`, () => {
      const results = new Map<string, { plain: RunResult; traced: RunResult }>();
      before(async function () {
        this.timeout(900000);
        const jobs = programs.map((p) => async () => {
          const script = path.join(PYDIFF, p);
          const opts = { args: ['x', 'y'], cwd: PYDIFF, userRoots: [PYDIFF] };
          const plain = await runPython(py.path, script, { ...opts, plain: true });
          const traced = await runPython(py.path, script, opts);
          results.set(p, { plain, traced });
        });
        await pool(jobs, CONCURRENCY);
      });

      for (const p of programs) {
        it(p, () => {
          const r = results.get(p);
          assert.ok(r, 'ran');
          assert.equal(r.traced.stdout, r.plain.stdout, 'stdout');
          assert.equal(r.traced.stderr, r.plain.stderr, 'stderr');
          assert.equal(r.traced.status, r.plain.status, 'exit status');
          assert.equal(r.traced.signal, r.plain.signal, 'signal');
          const types = r.traced.messages.map((m) => m.type);
          assert.equal(types[0], 'start', 'the stream starts with `start`');
          if (!NO_END.has(p)) assert.equal(types.at(-1), 'end', 'the stream ends with `end`');
          assert.ok(r.traced.trace.tasks.length >= 1, 'at least one lane');
          assert.ok(r.traced.trace.tasks.some((t) => t.name === 'main' || t.name === 'a'), 'the entry coroutine is a lane');
        });
      }
    });
  }
});
