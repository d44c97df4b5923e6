/**
 * The `async-timeline` command end to end: spawns the built bundle (`node dist/cli.js …`, or the
 * file named by ASYNC_TIMELINE_CLI) on small fixture programs and on the seed examples, and
 * checks exit statuses, what reaches stdout/stderr, and the trace files. Times are checked with
 * tolerances, never exactly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs, UsageError } from '../../src/cli/args';
import type { ChromeTrace } from '../../src/core/chromeTrace';
import { EMBEDDED_TRACE_ID } from '../../src/core/htmlExport';
import type { SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';
import { formatDuration } from '../../src/core/textTimeline';
import { assertValidChromeTrace } from './helpers/chromeTraceChecks';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = process.env.ASYNC_TIMELINE_CLI ?? path.join(ROOT, 'dist', 'cli.js');
const FIX = 'test/fixtures/cli';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI from the repo root (so trace paths are relative to it). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'async-timeline-cli-test-'));
const outFile = (name: string) => path.join(tmp, name);
// Removed once every test of every file is done (a root-level hook), since both suites below use it.
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const readTrace = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Trace;
const show = (r: CliResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const STACK_FRAME = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Checks the invariants every trace file must keep, whatever the program did. */
function assertWellFormedTrace(trace: Trace): void {
  assert.equal(trace.format, 'async-timeline-trace');
  assert.equal(trace.version, 1);
  assert.ok(trace.durationMs > 0 && Number.isFinite(trace.durationMs));
  assert.ok(trace.exit && ['exited', 'timeout', 'stopped', 'crashed'].includes(trace.exit.reason));
  assert.equal(typeof trace.truncated, 'boolean');
  const ids = new Set(trace.tasks.map((t) => t.id));
  for (const task of trace.tasks) {
    assert.ok(task.parentId === null || ids.has(task.parentId), `parent of ${task.name}`);
    assert.ok(task.created.t >= 0);
    // Segments alternate running / suspended, in time order, starting with running.
    task.segments.forEach((seg, i) => {
      assert.equal(seg.state, i % 2 === 0 ? 'running' : 'suspended', `${task.name} segment ${i}`);
      if (seg.end !== null)
        assert.ok(seg.end >= seg.start, `${task.name} segment ${i} ends before it starts`);
      if (i > 0)
        assert.ok(
          seg.start >= (task.segments[i - 1].end ?? Infinity) - 1e-6,
          `${task.name} segment ${i} overlaps`,
        );
      if (seg.state === 'suspended') assert.ok(!seg.site || (seg.site.line >= 1 && seg.site.column >= 1));
    });
  }
  for (const cb of trace.callbacks) assert.ok(ids.has(cb.taskId), 'callback on an unknown task');
}

/**
 * How late a timer (or the end of a run) may come on a loaded CI machine. Timers never fire early,
 * so lower bounds stay tight; an upper bound only has to catch a wrong unit or a hang, and what an
 * example shows (who waited for whom, what ran at the same time) is checked by structure.
 */
const LATE = 5000;

const near = (actual: number, expected: number, lo: number, hi: number, what: string) =>
  assert.ok(
    actual >= expected - lo && actual <= expected + hi,
    `${what}: ${actual.toFixed(1)} ms, expected ~${expected} ms`,
  );

/** The 1-based line of the first code line of `file` starting with `text` (so tests do not hard-code lines). */
function lineOf(file: string, text: string): number {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

describe('cli: argument parsing', () => {
  it('reads a run command with every option and the program arguments', () => {
    const cmd = parseCliArgs([
      'run',
      'a.ts',
      '--out',
      'x.json',
      '--timeout',
      '2.5',
      '--grace',
      '0.5',
      '--node',
      '/n',
      '--max-events',
      '10',
      '--instrument-package',
      'p-queue',
      '--instrument-package',
      '@scope/pool',
      '--no-timeline',
      '--',
      '--port',
      '80',
    ]);
    assert.deepEqual(cmd, {
      command: 'run',
      file: 'a.ts',
      runCommand: null,
      out: 'x.json',
      format: 'json',
      timeoutSeconds: 2.5,
      graceSeconds: 0.5,
      nodePath: '/n',
      pythonPath: null,
      maxEvents: 10,
      packages: ['p-queue', '@scope/pool'],
      timeline: false,
      color: null,
      programArgs: ['--port', '80'],
      explain: false,
      expand: false,
      wholeRun: false,
    });
    assert.equal((parseCliArgs(['run', 'a.ts', '--expand']) as { expand: boolean }).expand, true);
    assert.equal((parseCliArgs(['run', 'a.ts', '--whole-run']) as { wholeRun: boolean }).wholeRun, true);
    assert.equal((parseCliArgs(['run', 'a.ts', '--out', 'x.html']) as { format: string }).format, 'html');
    assert.equal(
      (parseCliArgs(['run', 'a.ts', '-o', 'x.json', '-f', 'chrome']) as { format: string }).format,
      'chrome',
    );
    assert.deepEqual((parseCliArgs(['run', 'a.ts', 'one', 'two']) as { programArgs: string[] }).programArgs, [
      'one',
      'two',
    ]);
    assert.deepEqual(parseCliArgs(['--help']), { command: 'help' });
    assert.deepEqual(parseCliArgs(['run', '-v']), { command: 'version' });
  });

  it('rejects malformed command lines with a UsageError', () => {
    for (const argv of [
      [],
      ['go', 'a.ts'],
      ['run'],
      ['run', 'a.ts', '--bogus'],
      ['run', 'a.ts', '--timeout', 'soon'],
      ['run', 'a.ts', '--timeout', '-1'],
      ['run', 'a.ts', '--grace', 'soon'],
      ['run', 'a.ts', '--grace', '-1'],
      ['run', 'a.ts', '--out', 'x', '--format', 'xml'],
      ['run', 'a.ts', '--format', 'chrome'],
      ['run', 'a.ts', '--max-events', '1.5'],
      ['run', 'a.ts', '--max-events', '0'],
      ['run', 'a.ts', '--out'],
      ['run', 'notes.txt'],
      ['run', 'a.ts', '--color', '--no-color'],
      ['run', 'a.ts', '--instrument-package'],
      ['run', 'a.ts', '--instrument-package', '../lib'],
      ['run', 'a.ts', '--instrument-package', 'node_modules/p-queue'],
      ['run', 'a.ts', '--instrument-package', '@scope'],
    ]) {
      assert.throws(() => parseCliArgs(argv), UsageError, argv.join(' '));
    }
  });
});

describe('cli: the async-timeline command', function () {
  this.timeout(60_000);

  before(function () {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  });

  it('prints help and the version', async () => {
    const [help, version] = await Promise.all([cli(['--help']), cli(['--version'])]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: async-timeline run <file>/);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), `async-timeline ${pkg.version}`);
  });

  it('exits 2 on usage errors, with one line and a pointer to --help', async () => {
    // Independent and untimed: run them side by side.
    const runs = await Promise.all(
      [
        [],
        ['run'],
        ['run', `${FIX}/output.ts`, '--bogus'],
        ['frobnicate', 'x.ts'],
        ['run', `${FIX}/output.ts`, '--timeout', 'x'],
        ['run', `${FIX}/output.ts`, '--node', 'no-such-node-binary'],
        ['run', `${FIX}/output.ts`, '--node', '/no/such/node'],
        ['run', `${FIX}/output.ts`, '--format', 'json', '--out', '/no/such/folder/t.json'],
      ].map((args) => cli(args)),
    );
    for (const r of runs) {
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, /^async-timeline: .+\nRun 'async-timeline --help' for usage\.\n$/, show(r));
      assert.equal(r.stdout, '');
    }
  });

  it('exits 2 for a missing file, saying so without a stack trace', async () => {
    const r = await cli(['run', 'no/such/file.ts']);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /no\/such\/file\.ts: no such file/);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });

  it('exits 2 for a file that does not parse, printing file:line:column: message and no stack', async () => {
    const r = await cli(['run', `${FIX}/syntaxError.ts`]);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /^test\/fixtures\/cli\/syntaxError\.ts:3:\d+: \S.*$/m, show(r));
    assert.doesNotMatch(r.stderr, STACK_FRAME, show(r));
    assert.equal(r.stdout, '');
  });

  it('stops a hanging program after --timeout: exit 124, trace reason timeout', async () => {
    const out = outFile('hang.json');
    // The timeout counts from the start of the program's own code; 3 s let it loop a few times.
    const r = await cli(['run', `${FIX}/hang.ts`, '--timeout', '3', '--out', out]);
    assert.equal(r.code, 124, show(r));
    assert.match(r.stdout, /still waiting/);
    assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.exit!.reason, 'timeout');
    const forever = trace.tasks.find((t) => t.name === 'forever')!;
    assert.ok(forever, show(r));
    assert.equal(forever.settled, null);
    assert.ok(forever.segments.filter((s) => s.state === 'suspended').length >= 2);
    assert.match(r.stderr, /stopped by timeout/);
  });

  it('on Ctrl-C stops the program, still writes and draws the trace, and exits 130', async () => {
    const out = outFile('interrupted.json');
    const child = spawn(process.execPath, [CLI, 'run', `${FIX}/hang.ts`, '--out', out], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Interrupt once the program is visibly running (its first line is out).
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('still waiting')) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.exit!.reason, 'stopped');
    assert.ok(trace.tasks.some((t) => t.name === 'forever'));
    assert.match(stderr, /^forever\s/m);
    assert.match(stderr, /stopped \(/);
  });

  it("exits with the program's own status after process.exit(3), keeping the events", async () => {
    const out = outFile('exit3.json');
    const r = await cli(['run', `${FIX}/exitThree.ts`, '--out', out]);
    assert.equal(r.code, 3, show(r));
    assert.equal(r.stdout, 'about to exit\n');
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.exit!.code, 3);
    assert.equal(trace.exit!.reason, 'exited');
    const main = trace.tasks.find((t) => t.name === 'main')!;
    assert.ok(
      main.segments.some((s) => s.state === 'suspended'),
      'the await before the exit is in the trace',
    );
  });

  it('exits 1 on an uncaught throw, with reason crashed and the error in the trace', async () => {
    const out = outFile('crash.json');
    const r = await cli(['run', `${FIX}/crash.ts`, '--out', out]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /boom from a timer/);
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.exit!.reason, 'crashed');
    assert.match(trace.exit!.error?.message ?? '', /boom from a timer/);
    assert.match(r.stderr, /crashed \(code 1\)/);
  });

  it('passes program output through unchanged (stdout stays clean) and hands over program arguments', async () => {
    const quietRun = cli(['run', `${FIX}/output.ts`, '--no-timeline']);
    const r = await cli(['run', `${FIX}/output.ts`, '--', 'a', 'b c', '--flag']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'out line 1\nargs: ["a","b c","--flag"]\nunicode: héllo → 世界 </script>\n');
    assert.ok(r.stderr.startsWith('err line 1\n'), show(r));
    // The timeline and the summary go to stderr.
    assert.match(r.stderr, /^main\s+█/m);
    assert.match(
      r.stderr,
      /^test\/fixtures\/cli\/output\.ts: 1 task, 1 yield, .*exited \(code 0\)(, longest blocking run: .*)?$/m,
    );
    const quiet = await quietRun;
    assert.doesNotMatch(quiet.stderr, /█/);
    assert.match(quiet.stderr, /exited \(code 0\)/);
  });

  it('--max-events caps the recording, marks the trace truncated, and lets the program finish', async () => {
    const out = outFile('truncated.json');
    const r = await cli(['run', 'examples/generators.ts', '--max-events', '5', '--out', out]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /sum 15\n$/, 'the program ran to its end');
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.truncated, true);
    assert.ok(trace.eventCount <= 5, String(trace.eventCount));
    assert.match(r.stderr, /TRUNCATED after \d+ events/);
  });

  it('writes a Chrome trace that viewers accept', async () => {
    const out = outFile('workers.chrome.json');
    const r = await cli(['run', 'examples/workers.ts', '--format', 'chrome', '--out', out, '--no-timeline']);
    assert.equal(r.code, 0, show(r));
    const chrome = JSON.parse(fs.readFileSync(out, 'utf8')) as ChromeTrace;
    assert.equal(chrome.displayTimeUnit, 'ms');
    const taskIds = chrome.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').map((e) => e.tid);
    assertValidChromeTrace(taskIds, chrome.traceEvents);
    assert.equal(chrome.otherData.entry, 'examples/workers.ts');
    const tasks = chrome.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'task').map((e) => e.name);
    assert.deepEqual(tasks.sort(), ['main', 'worker1', 'worker2']);
    // µs: main's task slice lasts ~2 s = ~2,000,000 µs (later on a loaded machine, never shorter).
    const main = chrome.traceEvents.find((e) => e.ph === 'X' && e.cat === 'task' && e.name === 'main')!;
    assert.ok(main.dur! > 1_800_000 && main.dur! < (2000 + LATE) * 1000, String(main.dur));
    assert.ok(chrome.traceEvents.some((e) => e.ph === 's' && e.cat === 'await'));
    assert.ok(chrome.traceEvents.some((e) => e.ph === 'b') && chrome.traceEvents.some((e) => e.ph === 'e'));
  });

  it('writes a self-contained HTML file holding the trace, with no script breakouts', async () => {
    const out = outFile('evil.html');
    const r = await cli(['run', `${FIX}/evil.ts`, '--format', 'html', '--out', out, '--no-timeline']);
    assert.equal(r.code, 0, show(r));
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/i);
    // Exactly the two script elements the export writes: the JSON data block and the viewer.
    assert.equal((html.match(/<script\b/gi) ?? []).length, 2, 'extra <script> elements');
    assert.equal((html.match(/<\/script/gi) ?? []).length, 2, 'extra </script> closers');
    const m = new RegExp(
      `<script id="${EMBEDDED_TRACE_ID}" type="application/json">([\\s\\S]*?)</script>`,
    ).exec(html);
    assert.ok(m, 'the embedded trace block');
    const trace = JSON.parse(m[1]) as Trace;
    assertWellFormedTrace(trace);
    assert.equal(trace.entry, `${FIX}/evil.ts`);
    assert.ok(
      trace.output.some((o) => o.text.includes('</script><script>alert("out")</script><!--')),
      'the output survives, escaped',
    );
  });
});

describe('cli: the seed examples end to end', function () {
  this.timeout(60_000);

  it('workers: main creates worker1 and worker2, parks at await task1 until ~1 s and at await task2 until ~2 s', async () => {
    const out = outFile('workers.json');
    const r = await cli(['run', 'examples/workers.ts', '--out', out]);
    assert.equal(r.code, 0, show(r));
    assert.equal(
      r.stdout.replace(/wall time: .*\n/, 'wall time: X\n'),
      'worker_1 start\nworker_2 start\nbefore await\nworker_1 done\nawaited worker_1\nworker_2 done\nawaited worker_2\nwall time: X\n',
    );
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    assert.equal(trace.entry, 'examples/workers.ts');
    assert.equal(trace.exit!.reason, 'exited');
    near(trace.durationMs, 2000, 100, LATE, 'durationMs');

    const byName = (n: string) => trace.tasks.find((t) => t.name === n) as TaskRecord;
    const main = byName('main');
    const w1 = byName('worker1');
    const w2 = byName('worker2');
    assert.ok(main && w1 && w2, show(r));
    assert.equal(w1.parentId, main.id);
    assert.equal(w2.parentId, main.id);
    assert.equal(w1.created.site?.line, lineOf('examples/workers.ts', 'const task1 = worker1()'));

    const waits = main.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
    assert.equal(waits.length, 2);
    const [atTask1, atTask2] = waits;
    assert.equal(atTask1.site?.line, lineOf('examples/workers.ts', 'await task1'));
    assert.deepEqual(atTask1.awaits, [w1.id]);
    assert.equal(atTask1.resumedBy, w1.id);
    near(atTask1.end!, 1000, 100, LATE, 'main resumes from await task1');
    assert.equal(atTask2.site?.line, lineOf('examples/workers.ts', 'await task2'));
    assert.deepEqual(atTask2.awaits, [w2.id]);
    near(atTask2.end!, 2000, 100, LATE, 'main resumes from await task2');
    near(w1.settled!.t, 1000, 100, LATE, 'worker1 settles');
    near(w2.settled!.t, 2000, 100, LATE, 'worker2 settles');
    // ~2 s, not 3 s: both workers sleep at the same time (worker2 started before worker1 finished).
    assert.ok(w2.created.t < w1.settled!.t, 'worker2 was created while worker1 slept');

    // The text timeline on stderr: a row per task, children indented, the await lines with how long
    // main waited at each (the same numbers as the trace, however long the machine made them).
    const waited = (s: SuspendedSegment) => formatDuration(s.end! - s.start).replace('.', '\\.');
    assert.match(
      r.stderr,
      new RegExp(
        `^main .*await L${atTask1.site!.line} \\(${waited(atTask1)}\\), L${atTask2.site!.line} \\(${waited(atTask2)}\\)`,
        'm',
      ),
    );
    assert.match(r.stderr, /^ {2}worker1 /m);
    assert.match(r.stderr, /^ {2}worker2 /m);
    const total = formatDuration(trace.durationMs).replace('.', '\\.');
    assert.match(
      r.stderr,
      new RegExp(
        `^examples/workers\\.ts: 3 tasks, 4 yields, 1 callback, ${total}, exited \\(code 0\\)(, longest blocking run: .*)?$`,
        'm',
      ),
    );
  });

  it('crawl: four crawlPage lanes waiting ~1, 2, 3, 4 s, four then callbacks at ~1, 2, 3, 4 s, ~4 s in total', async () => {
    const out = outFile('crawl.json');
    const r = await cli(['run', 'examples/crawl.ts', '--out', out]);
    assert.equal(r.code, 0, show(r));
    const trace = readTrace(out);
    assertWellFormedTrace(trace);
    near(trace.durationMs, 4000, 100, LATE, 'durationMs');
    const main = trace.tasks.find((t) => t.name === 'main')!;
    const pages = trace.tasks.filter((t) => t.name === 'crawlPage').sort((a, b) => a.created.t - b.created.t);
    assert.equal(pages.length, 4, show(r));
    pages.forEach((page, i) => {
      assert.equal(page.parentId, main.id);
      const wait = page.segments.find((s): s is SuspendedSegment => s.state === 'suspended')!;
      near(wait.end! - wait.start, (i + 1) * 1000, 50, LATE, `crawlPage ${i + 1} waits`);
      near(page.settled!.t, (i + 1) * 1000, 100, LATE, `crawlPage ${i + 1} settles`);
    });
    const thens = trace.callbacks.filter((c) => c.kind === 'then' && pages.some((p) => p.id === c.taskId));
    assert.equal(thens.length, 4);
    thens
      .sort((a, b) => a.t - b.t)
      .forEach((cb, i) => {
        assert.equal(cb.taskId, pages[i].id);
        near(cb.t, (i + 1) * 1000, 100, LATE, `then callback ${i + 1}`);
      });
    // main waits once, on Promise.all over the four pages.
    const all = main.segments.find((s): s is SuspendedSegment => s.state === 'suspended')!;
    assert.deepEqual([...all.awaits].sort(), pages.map((p) => p.id).sort());
    assert.equal(all.combinator, 'all');
    assert.match(r.stderr, /then ×[45]/);
  });
});
