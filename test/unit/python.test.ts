/**
 * The host side of Python runs: interpreter resolution (past shims, cached, versions), the lens
 * scan through the interpreter's own `ast`, crash sites from tracebacks, and the CLI on the
 * Python examples with the real tracer (skipped when no Python 3.11+ is on PATH). Times are
 * checked with generous tolerances, never exactly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs } from '../../src/cli/args';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';
import { languageOf } from '../../src/runner/languages';
import {
  clearPythonCache,
  PythonNotFoundError,
  pythonCacheSize,
  resolvePython,
} from '../../src/runner/pythonInterpreter';
import { pythonCrashSite } from '../../src/runner/pythonLauncher';
import { scanPythonSource } from '../../src/runner/pythonLenses';
import { startRun } from '../../src/runner/run';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIST = path.join(ROOT, 'dist');
const CLI = path.join(DIST, 'cli.js');

/** A Python 3.11+ to run the real tracer with, or null (those tests skip). */
let python: string | null = null;

before(async function () {
  this.timeout(30_000);
  try {
    const p = await resolvePython({ cwd: ROOT });
    if (p.traced) python = p.path;
  } catch {
    python = null;
  }
});

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'at-py-test-'));
}

/** A fake interpreter: a shell script that answers the probe with a given version, counting its starts. */
function fakePython(dir: string, name: string, version: [number, number, number], realExe: string): string {
  const file = path.join(dir, name);
  const counter = path.join(dir, `${name}.starts`);
  const answer = JSON.stringify({ executable: realExe, version });
  fs.writeFileSync(file, `#!/bin/sh\necho x >> '${counter}'\necho '${answer}'\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

const starts = (dir: string, name: string) =>
  fs.existsSync(path.join(dir, `${name}.starts`)) ? fs.readFileSync(path.join(dir, `${name}.starts`), 'utf8').split('\n').filter(Boolean).length : 0;

describe('runner/languages', () => {
  it('picks the launcher by extension', () => {
    assert.equal(languageOf('/a/app.py'), 'python');
    assert.equal(languageOf('/a/App.PY'), 'python');
    assert.equal(languageOf('/a/app.ts'), 'typescript');
    assert.equal(languageOf('/a/app.mjs'), 'javascript');
    assert.equal(languageOf('/a/app.rb'), null);
  });

  it('the CLI accepts .py files and --python', () => {
    const cmd = parseCliArgs(['run', 'app.py', '--python', '/usr/bin/python3.12', '--', '-v']);
    assert.equal(cmd.command, 'run');
    if (cmd.command !== 'run') return;
    assert.equal(cmd.file, 'app.py');
    assert.equal(cmd.pythonPath, '/usr/bin/python3.12');
    assert.deepEqual(cmd.programArgs, ['-v']);
  });
});

describe('runner/pythonInterpreter', function () {
  if (process.platform === 'win32') return;
  this.timeout(30_000);
  beforeEach(() => clearPythonCache());

  it('resolves a shim on PATH to the real executable it reports, and asks it only once per (path, mtime, cwd)', async () => {
    const dir = tmpdir();
    fakePython(dir, 'python3', [3, 12, 1], '/opt/python/3.12.1/bin/python3.12');
    const env = { PATH: dir };
    const a = await resolvePython({ cwd: dir, env });
    assert.equal(a.path, '/opt/python/3.12.1/bin/python3.12');
    assert.equal(a.requested, path.join(dir, 'python3'));
    assert.deepEqual(a.version, [3, 12, 1]);
    assert.equal(a.source, 'PATH');
    assert.equal(a.traced, true);
    await resolvePython({ cwd: dir, env });
    assert.equal(starts(dir, 'python3'), 1, 'the second resolution comes from the cache');
    assert.equal(pythonCacheSize(), 1);
    // A different cwd may pick another version (pyenv's .python-version): asked again.
    await resolvePython({ cwd: os.tmpdir(), env });
    assert.equal(starts(dir, 'python3'), 2);
  });

  it('falls back to `python` when there is no python3, and says an old one is not traced', async () => {
    const dir = tmpdir();
    fakePython(dir, 'python', [3, 10, 13], '/usr/bin/python3.10');
    const p = await resolvePython({ cwd: dir, env: { PATH: dir } });
    assert.equal(p.requested, path.join(dir, 'python'));
    assert.equal(p.traced, false);
  });

  it('explains a missing interpreter, a bad --python and a Python 2', async () => {
    const dir = tmpdir();
    await assert.rejects(resolvePython({ cwd: dir, env: { PATH: dir } }), (e: Error) => e instanceof PythonNotFoundError && /no Python found/.test(e.message));
    await assert.rejects(
      resolvePython({ given: { path: '/nonexistent/python3', source: 'option' }, cwd: dir, env: { PATH: dir } }),
      /--python \/nonexistent\/python3: no such executable file/,
    );
    await assert.rejects(
      resolvePython({ given: { path: 'python9', source: 'setting' }, cwd: dir, env: { PATH: dir } }),
      /asyncTimeline.python.path "python9": not found on PATH/,
    );
    fakePython(dir, 'python2', [2, 7, 18], '/usr/bin/python2.7');
    await assert.rejects(
      resolvePython({ given: { path: path.join(dir, 'python2'), source: 'option' }, cwd: dir, env: { PATH: dir } }),
      /needs Python 3.11 or newer/,
    );
  });

  it('a relative --python is taken from the cwd', async () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'venv', 'bin'), { recursive: true });
    fakePython(path.join(dir, 'venv', 'bin'), 'python', [3, 13, 0], path.join(dir, 'venv', 'bin', 'python'));
    const p = await resolvePython({ given: { path: 'venv/bin/python', source: 'option' }, cwd: dir, env: { PATH: '' } });
    assert.equal(p.path, path.join(dir, 'venv', 'bin', 'python'));
  });
});

describe('runner/pythonLauncher crash sites', () => {
  it('takes the innermost frame in the user files, skipping the standard library and our tracer', () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/w/app.py", line 30, in <module>',
      '    asyncio.run(main())',
      '  File "/usr/lib/python3.11/asyncio/runners.py", line 190, in run',
      '  File "/w/lib/db.py", line 12, in query',
      '    raise ValueError("boom")',
      '  File "/ext/dist/pyruntime/_async_timeline/tracer.py", line 5, in hook',
      'ValueError: boom',
    ].join('\n');
    assert.deepEqual(pythonCrashSite(tb, '/w', ['/w'], '/ext/dist/pyruntime'), { file: 'lib/db.py', line: 12, column: 1 });
    assert.equal(pythonCrashSite('ValueError: boom', '/w', ['/w']), null);
  });
});

describe('pyruntime/lenses.py (the lens scan)', function () {
  this.timeout(30_000);
  before(function () {
    if (!python || !fs.existsSync(path.join(DIST, 'pyruntime', 'lenses.py'))) this.skip();
  });

  it('finds every async def (methods, nested, generators) and the asyncio.run entry point', async () => {
    const source = [
      'import asyncio', // 1
      '', // 2
      'class Crawler:', // 3
      '    async def fetch(self, url):', // 4
      '        async def retry():', // 5
      '            pass', // 6
      '        return url', // 7
      '', // 8
      '    @staticmethod', // 9
      '    async def stream():', // 10
      '        yield 1', // 11
      '', // 12
      'async def main():', // 13
      "    s = 'é'; await Crawler().fetch(s)", // 14
      '', // 15
      "if __name__ == '__main__':", // 16
      "    print('start')", // 17
      '    asyncio.run(main())', // 18
    ].join('\n');
    const scan = await scanPythonSource(python!, source, DIST);
    assert.ok(!('error' in scan));
    if ('error' in scan) return;
    assert.deepEqual(
      scan.functions.map((f) => [f.name, f.kind, f.line, f.column]),
      [
        ['Crawler.fetch', 'method', 4, 5],
        ['Crawler.fetch.<locals>.retry', 'function', 5, 9],
        ['Crawler.stream', 'generator', 10, 5],
        ['main', 'function', 13, 1],
      ],
    );
    assert.equal(scan.entryLine, 18);
  });

  it('answers a syntax error with where it is', async () => {
    const scan = await scanPythonSource(python!, 'async def f(:\n    pass\n', DIST);
    assert.ok('error' in scan);
    if ('error' in scan) assert.equal(scan.error.line, 1);
  });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const waits = (task: TaskRecord) => task.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
/** The first code line (not a comment) holding `text`. */
const lineOf = (file: string, text: string) =>
  fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .findIndex((l) => !l.trimStart().startsWith('#') && l.includes(text)) + 1;

describe('CLI on examples/python (the real tracer)', function () {
  this.timeout(90_000);
  before(function () {
    if (!python || !fs.existsSync(path.join(DIST, 'pyruntime', 'sitecustomize.py')) || !fs.existsSync(CLI)) this.skip();
  });

  it('workers.py: the seed walk-through — scheduled workers, main parked on task1 then task2, ~2 s in all', async () => {
    const out = path.join(tmpdir(), 'workers.json');
    const r = await cli(['run', 'examples/python/workers.py', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    // Python's order (create_task only schedules), unlike the TypeScript port.
    assert.match(r.stdout, /before await\nworker_1 start\nworker_2 start\nworker_1 done\nawaited worker_1\nworker_2 done\nawaited worker_2\n/);
    assert.match(r.stderr, /main\s+█/);
    assert.match(r.stderr, /worker_1/);
    assert.match(r.stderr, /╌ scheduled/);
    assert.match(r.stderr, /examples\/python\/workers.py: 3 tasks, 4 yields, .*exited \(code 0\)/);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as Trace;
    assert.equal(trace.language, 'python');
    assert.match(trace.runtime ?? '', /^cpython 3\.\d+/);
    const [main, w1, w2] = trace.tasks;
    assert.deepEqual([main.name, w1.name, w2.name], ['main', 'worker_1', 'worker_2']);
    assert.equal(w1.parentId, main.id);
    const file = 'examples/python/workers.py';
    assert.equal(w1.created.site?.line, lineOf(file, 'task1 = asyncio.create_task'));
    // The workers wait `scheduled` first (after a zero-length running segment), then sleep.
    for (const w of [w1, w2]) {
      assert.equal(w.segments[0].state, 'running');
      assert.equal(w.segments[0].end, w.segments[0].start);
      assert.equal(waits(w)[0].kind, 'scheduled');
      assert.equal(waits(w)[1].waitsFor, 'sleep');
      assert.equal(w.settled?.state, 'fulfilled');
    }
    const mainWaits = waits(main).filter((s) => s.kind === 'await');
    assert.deepEqual(
      mainWaits.map((s) => [s.site?.line, s.awaits, s.resumedBy]),
      [
        [lineOf(file, 'await task1'), [w1.id], w1.id],
        [lineOf(file, 'await task2'), [w2.id], w2.id],
      ],
    );
    // worker_1 first ran only once main parked at `await task1` (the seed's point).
    assert.ok(w1.segments[2].start >= mainWaits[0].start);
    const lifetime = main.settled!.t - main.created.t;
    assert.ok(lifetime >= 1990 && lifetime < 2000 + 5000, `main lived ${lifetime} ms`);
  });

  it('an interpreter older than 3.11 runs the program untraced and says so once, after the run', async function () {
    const old = ['3.10.13', '3.10', '3.9'].map((v) => `${os.homedir()}/.pyenv/versions/${v}/bin/python3`).find((p) => fs.existsSync(p));
    if (!old) this.skip();
    const r = await cli(['run', 'examples/python/workers.py', '--python', old!]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /awaited worker_2/);
    assert.match(r.stderr, /the program ran untraced/);
    assert.doesNotMatch(r.stderr, /no coroutines ran/);
  });

  it('crawl.py: four done callbacks, gather over four tasks, ~4 s not 10 s', async () => {
    const out = path.join(tmpdir(), 'crawl.json');
    const r = await cli(['run', 'examples/python/crawl.py', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done ×4/);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as Trace;
    assert.equal(trace.callbacks.length, 4);
    assert.ok(trace.callbacks.every((c) => c.kind === 'done' && c.site?.line === lineOf('examples/python/crawl.py', 'add_done_callback')));
    const main = trace.tasks.find((t) => t.name === 'main')!;
    const gather = waits(main).find((s) => s.combinator === 'gather');
    assert.ok(gather, 'main waits in asyncio.gather');
    assert.equal(gather.awaits.length, 4);
  });

  it('taskgroup_failure.py: the failing task is rejected, its siblings cancelled', async () => {
    const handle = await startRun({ entry: path.join(ROOT, 'examples/python/taskgroup_failure.py'), cwd: ROOT, timeoutMs: 30_000 });
    const { trace } = await handle.done;
    const states = Object.fromEntries(trace.tasks.map((t) => [t.name + (t.name === 'slow' ? `#${t.id}` : ''), t.settled?.state]));
    assert.equal(trace.tasks.find((t) => t.name === 'fails')?.settled?.state, 'rejected');
    const slow = trace.tasks.filter((t) => t.name === 'slow');
    assert.equal(slow.length, 2, JSON.stringify(states));
    assert.ok(slow.every((t) => t.settled?.state === 'cancelled'), JSON.stringify(states));
  });

  it('an uncaught exception: exit status 1, the crash site at the raising line', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'crash.py');
    fs.writeFileSync(file, 'import asyncio\n\nasync def main():\n    await asyncio.sleep(0.01)\n    raise ValueError("boom")\n\nasyncio.run(main())\n');
    const handle = await startRun({ entry: file, cwd: dir, timeoutMs: 30_000 });
    const { exit } = await handle.done;
    assert.equal(exit.code, 1);
    assert.equal(exit.reason, 'crashed');
    assert.match(exit.error?.message ?? '', /boom/);
    assert.deepEqual(exit.error?.site && [exit.error.site.file, exit.error.site.line], ['crash.py', 5]);
  });

  it("asyncio's 'Task exception was never retrieved' comes back as a warning, the run still exits 0", async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'unretrieved.py');
    fs.writeFileSync(file, 'import asyncio\n\nasync def bad():\n    raise RuntimeError("nobody looks")\n\nasync def main():\n    asyncio.create_task(bad())\n    await asyncio.sleep(0.05)\n\nasyncio.run(main())\n');
    const handle = await startRun({ entry: file, cwd: dir, timeoutMs: 30_000 });
    const { exit, warnings, trace } = await handle.done;
    assert.equal(exit.reason, 'exited');
    assert.equal(exit.code, 0);
    assert.ok(warnings?.some((w) => /never retrieved.*nobody looks/.test(w)), JSON.stringify(warnings));
    assert.equal(trace.tasks.find((t) => t.name === 'bad')?.settled?.state, 'rejected');
  });

  it('stop and timeout keep what was recorded and end the interpreter', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'forever.py');
    fs.writeFileSync(file, 'import asyncio\n\nasync def tick():\n    while True:\n        await asyncio.sleep(0.05)\n\nasyncio.run(tick())\n');
    const handle = await startRun({ entry: file, cwd: dir, timeoutMs: 1500 });
    const { exit, trace } = await handle.done;
    assert.equal(exit.reason, 'timeout');
    const tick = trace.tasks.find((t) => t.name === 'tick');
    assert.ok(tick && waits(tick).length >= 3, 'the ticks before the timeout are in the trace');
  });
});
