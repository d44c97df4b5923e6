/**
 * `async-timeline run -- <command…>` (issue 9): the command runs as given, every Node process it starts
 * that runs the user's code is traced as its own group, output and exit code are the command's. Each
 * command is also run with tsx as the loader, and the two must print the same.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseCliArgs, runName, UsageError } from '../../src/cli/args';
import type { TaskRecord, Trace } from '../../src/protocol/trace';
import { BIN, runPlain, runTraced } from './helpers/runBoth';
import type { Outcome } from './helpers/runNode';

const PROJECTS = path.resolve(__dirname, '../../../test/fixtures/projects');
const MOCHA = path.join(PROJECTS, 'mocha-suite');
const NODE_TEST = path.join(PROJECTS, 'node-test');

/**
 * The only normalisation: durations the test runners print themselves (mocha's `passing (12ms)`, and its
 * `(80ms)` mark, which it prints only after a test slower than half its `slow` setting: traced code runs
 * slower, so whether the mark shows differs too; node:test's `duration_ms`). Everything else must match
 * byte for byte.
 */
function withoutRunnerTimings(text: string): string {
  return text.replace(/ \(\d+ms\)/g, '').replace(/duration_ms:? [\d.]+/g, 'duration_ms …');
}

function sameOutput(traced: Outcome, plain: Outcome): void {
  assert.deepEqual(
    [withoutRunnerTimings(traced.stdout), withoutRunnerTimings(traced.stderr), traced.code],
    [withoutRunnerTimings(plain.stdout), withoutRunnerTimings(plain.stderr), plain.code],
  );
}

const named = (trace: Trace, name: string): TaskRecord[] => trace.tasks.filter((t) => t.name === name);

describe('run -- <command>', function () {
  this.timeout(180_000);

  it('npx-style mocha on a TypeScript test file: same output as mocha --require tsx/cjs; the test lanes are in the mocha process', async () => {
    const plain = await runPlain(path.join(BIN, 'mocha'), ['--require', 'tsx/cjs', 'test/queue.test.ts'], MOCHA);
    const traced = await runTraced({ entry: path.join(MOCHA, 'test/queue.test.ts'), cwd: MOCHA, command: [path.join(BIN, 'mocha'), 'test/queue.test.ts'] });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    sameOutput(traced, plain);

    const trace = traced.trace!;
    assert.equal(trace.entry, 'test/queue.test.ts');
    const groups = trace.groups!;
    assert.equal(groups.length, 1);
    assert.deepEqual([groups[0].kind, groups[0].label, groups[0].parentGroup], ['process', `node mocha (pid ${groups[0].pid})`, null]);
    assert.match(groups[0].command!, /^node \S*mocha test\/queue\.test\.ts$/);
    // The test's own async function, and what it awaited, are lanes (all in the one traced process).
    const test = named(trace, 'drainsInOrder');
    assert.equal(test.length, 1);
    const drain = named(trace, 'Queue.drain');
    assert.equal(drain.length, 1);
    assert.equal(drain[0].parentId, test[0].id);
    const adds = named(trace, 'Queue.add');
    assert.equal(adds.filter((t) => t.parentId === drain[0].id).length, 3);
    assert.equal(adds.length, 4);
    assert.equal(trace.exit?.code, 0);
  });

  it("a failing mocha file: the command's exit code is the run's, the output is mocha's", async () => {
    const plain = await runPlain(path.join(BIN, 'mocha'), ['--require', 'tsx/cjs', 'test/failing.test.ts'], MOCHA);
    const traced = await runTraced({ entry: path.join(MOCHA, 'test/failing.test.ts'), cwd: MOCHA, command: [path.join(BIN, 'mocha'), 'test/failing.test.ts'] });
    assert.equal(plain.code, 1);
    sameOutput(traced, plain);
    assert.deepEqual([traced.result.exit.code, traced.result.exit.reason], [1, 'exited']);
    assert.match(traced.stdout, /at Context\.wrongOrder \(test\/failing\.test\.ts:12:\d+\)/, 'stack frames point at the TypeScript source');
    assert.equal(named(traced.trace!, 'wrongOrder').length, 1);
  });

  it('npm test: npm itself is not a group, the mocha process it starts is; same output as with tsx through NODE_OPTIONS', async () => {
    const plain = await runPlain('npm', ['test'], MOCHA, { NODE_OPTIONS: '--require tsx/cjs' });
    const traced = await runTraced({ entry: path.join(MOCHA, 'package.json'), cwd: MOCHA, command: ['npm', 'test'] });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    sameOutput(traced, plain);
    const groups = traced.trace!.groups!;
    assert.deepEqual(
      groups.map((g) => [g.kind, g.label.replace(/\d+/, 'N'), g.parentGroup]),
      [['process', 'node mocha (pid N)', null]],
    );
    assert.equal(named(traced.trace!, 'drainsInOrder').length, 1);
  });

  it('node --test on a TypeScript file: same output as node --import tsx --test; lanes in the per-file process', async () => {
    const plain = await runPlain(process.execPath, ['--import', 'tsx', '--test', 'test/cache.test.ts'], NODE_TEST);
    const traced = await runTraced({ entry: path.join(NODE_TEST, 'test/cache.test.ts'), cwd: NODE_TEST, command: [process.execPath, '--test', 'test/cache.test.ts'] });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    sameOutput(traced, plain);
    const trace = traced.trace!;
    const groups = trace.groups!;
    // The test runner's own process runs none of the user's code; the file's process does.
    assert.deepEqual(
      groups.map((g) => [g.kind, g.label.replace(/\d+/, 'N'), g.entry, g.parentGroup]),
      [['process', 'node cache.test.ts (pid N)', 'test/cache.test.ts', null]],
    );
    const later = named(trace, 'cachedLater');
    assert.equal(later.length, 1);
    const gets = named(trace, 'Cache.get').filter((t) => t.parentId === later[0].id);
    assert.equal(gets.length, 2);
    assert.equal(named(trace, 'Cache.load').length, 3);
  });

  it('a failing node:test file: exit code 1 propagates', async () => {
    const plain = await runPlain(process.execPath, ['--import', 'tsx', '--test', 'test/broken.test.ts'], NODE_TEST);
    const traced = await runTraced({ entry: path.join(NODE_TEST, 'test/broken.test.ts'), cwd: NODE_TEST, command: [process.execPath, '--test', 'test/broken.test.ts'] });
    assert.equal(plain.code, 1);
    // KNOWN DIFFERENCE (test/fixtures/diff/KNOWN_ISSUES.md): node:test's `location:` of a failed test is
    // the unmapped position of the `test(` call in the code that ran — tsx's compiled output there, the
    // instrumented code here; the stack frames and everything else match.
    const location = /^ {2}location: .*$/m;
    assert.match(plain.stdout, location);
    sameOutput({ ...traced, stdout: traced.stdout.replace(location, '') }, { ...plain, stdout: plain.stdout.replace(location, '') });
    assert.equal(traced.result.exit.code, 1);
    assert.equal(named(traced.trace!, 'countsWrongly').length, 1);
  });

  it('a command that brings its own TypeScript loader runs with it, untraced, and the run says so', async () => {
    const command = [process.execPath, '--import', 'tsx', '--test', 'test/cache.test.ts'];
    const plain = await runPlain(command[0], command.slice(1), NODE_TEST);
    const traced = await runTraced({ entry: path.join(NODE_TEST, 'test/cache.test.ts'), cwd: NODE_TEST, command });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    sameOutput(traced, plain);
    assert.equal(traced.trace!.tasks.length, 0);
    assert.deepEqual(traced.result.warnings, [
      'the program loads TypeScript with tsx: the files it compiles ran untraced (leave the loader out: the tool compiles TypeScript itself)',
    ]);
  });

  it("a loader the program requires itself (mocha's --require tsx/cjs) is noticed at exit and said", async () => {
    const command = [path.join(BIN, 'mocha'), '--require', 'tsx/cjs', 'test/queue.test.ts'];
    const plain = await runPlain(command[0], command.slice(1), MOCHA);
    const traced = await runTraced({ entry: path.join(MOCHA, 'test/queue.test.ts'), cwd: MOCHA, command });
    sameOutput(traced, plain);
    assert.equal(traced.trace!.tasks.length, 0);
    assert.deepEqual(traced.result.warnings, [
      'the program loads TypeScript with tsx: the files it compiles ran untraced (leave the loader out: the tool compiles TypeScript itself)',
    ]);
  });

  it('a command that cannot be started is reported, not thrown past the caller', async () => {
    await assert.rejects(
      runTraced({ entry: path.join(MOCHA, 'package.json'), cwd: MOCHA, command: ['no-such-command-at-all'] }),
      /Cannot start "no-such-command-at-all": not found on PATH/,
    );
  });
});

describe('CLI: run -- <command>', () => {
  it('takes everything after -- as the command when no file comes before it', () => {
    const cmd = parseCliArgs(['run', '--out', 't.json', '--', 'npx', 'mocha', 'test/x.test.ts']);
    assert.ok(cmd.command === 'run');
    assert.deepEqual([cmd.runCommand, cmd.file, cmd.programArgs, cmd.out], [['npx', 'mocha', 'test/x.test.ts'], 'test/x.test.ts', [], 't.json']);
    const npm = parseCliArgs(['run', '--', 'npm', 'test']);
    assert.ok(npm.command === 'run');
    assert.deepEqual([npm.runCommand, npm.file], [['npm', 'test'], 'package.json']);
    // A file before -- keeps the old meaning: the words after it are the program's arguments.
    const file = parseCliArgs(['run', 'main.ts', '--', '--port', '8080']);
    assert.ok(file.command === 'run');
    assert.deepEqual([file.runCommand, file.file, file.programArgs], [null, 'main.ts', ['--port', '8080']]);
  });

  it('names a command run by its first source file, else package.json', () => {
    assert.equal(runName(['node', '--test', 'test/a.test.mts']), 'test/a.test.mts');
    assert.equal(runName(['npm', 'start']), 'package.json');
  });

  it('rejects options that do not apply to a command', () => {
    assert.throws(() => parseCliArgs(['run', '--node', 'node18', '--', 'npm', 'test']), UsageError);
    assert.throws(() => parseCliArgs(['run', '--']), /missing file/);
  });
});
