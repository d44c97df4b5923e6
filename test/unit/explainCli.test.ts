import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs, UsageError, type RunCommand } from '../../src/cli/args';
import { explainTraceFile, withExplanation } from '../../src/cli/explainCommand';
import type { CliIo } from '../../src/cli/runCommand';
import type { Trace } from '../../src/protocol/trace';
import { loadTrace } from './timelineFixtures';

function fakeIo(cwd: string): CliIo & { out: string[] } {
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  return { cwd, env: {}, stdout: sink, stderr: sink, distDir: cwd, onInterrupt: () => () => {}, out };
}

describe('cli: explain', () => {
  it('parses `explain <trace.json>`, `explain <program>` and `run --explain`', () => {
    assert.deepEqual(parseCliArgs(['explain', 'x.json']), { command: 'explain', file: 'x.json' });
    const program = parseCliArgs(['explain', 'a.ts', '--timeout', '3', '--', '-p']) as RunCommand;
    assert.equal(program.command, 'run');
    assert.equal(program.explain, true);
    assert.equal(program.timeline, false, 'explain tells the steps instead of drawing the timeline');
    assert.equal(program.timeoutSeconds, 3);
    assert.deepEqual(program.programArgs, ['-p']);
    const run = parseCliArgs(['run', 'a.ts', '--explain']) as RunCommand;
    assert.equal(run.explain, true);
    assert.equal(run.timeline, true);
    assert.equal((parseCliArgs(['run', 'a.ts']) as RunCommand).explain, false);
    assert.throws(() => parseCliArgs(['explain']), UsageError);
    assert.throws(() => parseCliArgs(['explain', 'x.json', 'extra']), UsageError);
    assert.throws(() => parseCliArgs(['explain', 'notes.txt']), UsageError);
  });

  it('explains a saved trace: numbered steps, the summary and the critical path line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-'));
    fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify(loadTrace('workers')));
    const io = fakeIo(dir);
    assert.equal(explainTraceFile({ command: 'explain', file: 't.json' }, io), 0);
    const text = io.out.join('');
    assert.match(text, /^ 1\. +50\.0 µs {2}main starts \(called at L29 by top-level code\)\.\n/);
    assert.match(text, /\n12\. +2\.00 s {2}the run ends at 2\.00 s: exited \(code 0\)/);
    assert.match(
      text,
      /\nworkers\.ts: 3 tasks, 4 yields, 1 callback, 2\.00 s, exited \(code 0\)\ncritical path: main → worker2 \(await at L14, 2\.00 s\) → main/,
    );
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ format: 'other' }));
    assert.throws(
      () => explainTraceFile({ command: 'explain', file: 'bad.json' }, io),
      /not an Async Timeline trace/,
    );
    assert.throws(() => explainTraceFile({ command: 'explain', file: 'missing.json' }, io), /no such file/);
    fs.rmSync(dir, { recursive: true });
  });

  it('adds steps and criticalPath to the trace JSON and leaves the rest as it was', () => {
    const trace: Trace = loadTrace('python-workers');
    const explained = withExplanation(trace);
    assert.ok(explained.steps!.length >= 9);
    assert.deepEqual(
      explained.criticalPath!.map((s) => s.taskId),
      [1, 1, 3, 3, 3, 3, 1, 1],
    );
    const { steps: _s, criticalPath: _c, ...rest } = explained;
    assert.deepEqual(rest, trace);
    assert.equal(trace.steps, undefined);
  });
});

describe('cli: run --explain end to end', () => {
  const ROOT = path.resolve(__dirname, '..', '..', '..');
  const CLI = process.env.ASYNC_TIMELINE_CLI ?? path.join(ROOT, 'dist', 'cli.js');
  const PROGRAM = [
    'const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));',
    'async function fast(): Promise<void> { await sleep(20); }',
    'async function slow(): Promise<void> { await sleep(120); }',
    'async function main(): Promise<void> {',
    '  const a = fast();',
    '  const b = slow();',
    '  await a;',
    '  await b;',
    '}',
    'void main();',
    '',
  ].join('\n');

  function run(args: string[]): { status: number | null; stderr: string; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-run-'));
    fs.writeFileSync(path.join(dir, 'prog.ts'), PROGRAM);
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { status: r.status, stderr: r.stderr, dir };
  }

  it('every run summary ends with the critical path line; --explain adds the steps and the JSON fields', () => {
    const plain = run(['run', 'prog.ts', '--out', 'plain.json']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(
      plain.stderr,
      // fast's eager first stretch is named only when it reaches 1% of the path (a loaded machine can
      // stretch it that far): the chain's fixed part is main, then slow's sleep, then main.
      /\nprog\.ts: 3 tasks, .*\ncritical path: main → (?:fast → (?:main → )?)?slow \(await at L3, [\d.]+ m?s\) → main.* — [\d.]+ m?s of [\d.]+ m?s\n/,
    );
    assert.doesNotMatch(plain.stderr, / 1\. /);
    const plainJson = JSON.parse(fs.readFileSync(path.join(plain.dir, 'plain.json'), 'utf8')) as Trace;
    assert.equal(plainJson.steps, undefined);
    assert.equal(plainJson.criticalPath, undefined);

    const explained = run(['run', 'prog.ts', '--explain', '--out', 'x.json']);
    assert.equal(explained.status, 0, explained.stderr);
    assert.match(explained.stderr, /main calls slow\(\) at L6: JavaScript runs it at once/);
    assert.match(
      explained.stderr,
      /main resumes at L8, woken by slow finishing, and finishes \(fulfilled\)\./,
    );
    const json = JSON.parse(fs.readFileSync(path.join(explained.dir, 'x.json'), 'utf8')) as Trace;
    assert.ok(json.steps!.some((s) => s.kind === 'idle'));
    const names = new Map(json.tasks.map((t) => [t.id, t.name]));
    const waits = json.criticalPath!.filter((s) => s.kind === 'waiting' && s.waitingOn!.kind === 'promise');
    assert.deepEqual(
      waits.map((s) => names.get(s.taskId)),
      ['slow'],
    );
    for (const d of [plain.dir, explained.dir]) fs.rmSync(d, { recursive: true });
  });
});
