import assert from 'node:assert/strict';
import { RunSession } from '../../src/extension/runSession';
import type { ResultsStore } from '../../src/extension/resultsStore';
import type { RunCallbacks, RunHandle, RunOptions, RunResult } from '../../src/runner/types';
import type { Trace } from '../../src/protocol/trace';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trace = { tasks: [], durationMs: 1, truncated: false } as unknown as Trace;

describe('extension/runSession: command runs', () => {
  it('hands the command to the runner and files live and final traces under the entry with its label', async () => {
    const stored: Array<[string, boolean, string | undefined]> = [];
    const store = {
      set: (entry: string, _t: Trace, live: boolean, _o: string, label?: string) =>
        stored.push([entry, live, label]),
    } as unknown as ResultsStore;
    let started: RunOptions | undefined;
    let cb!: RunCallbacks;
    let finish!: (r: RunResult) => void;
    const handle: RunHandle = {
      pid: 1,
      done: new Promise((r) => (finish = r)),
      snapshot: () => trace,
      stop: () => {},
      stopping: false,
      eventBytes: 0,
    };
    const options: RunOptions = {
      entry: '/w/math.test.ts',
      cwd: '/w',
      command: ['node', '--test', '--test-name-pattern=^adds$', '/w/math.test.ts'],
    };
    const session = new RunSession(
      '/w/math.test.ts',
      options,
      async (o, c) => ((started = o), (cb = c!), handle),
      store,
      { append() {}, appendLine() {} },
      'test "adds" (node:test)',
    );
    const outcome = session.run();
    await sleep(0);
    cb.onUpdate!();
    finish({ trace, exit: { code: 0, signal: null, reason: 'exited' } });
    assert.equal((await outcome).status, 'finished');
    assert.deepEqual(started?.command, options.command);
    assert.deepEqual(stored, [
      ['/w/math.test.ts', true, 'test "adds" (node:test)'],
      ['/w/math.test.ts', false, 'test "adds" (node:test)'],
    ]);
  });
});
