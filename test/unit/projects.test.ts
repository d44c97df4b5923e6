/**
 * Real projects' own settings (issue 9 §1): each fixture project in test/fixtures/projects runs under the
 * tool exactly as under tsx (same stdout, stderr, exit code), and its trace has the lanes the settings
 * make possible (decorated async methods, functions imported through tsconfig `paths`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRun } from '../../src/runner/run';
import type { TaskRecord, Trace } from '../../src/protocol/trace';
import type { Outcome } from './helpers/runNode';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/projects');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(ROOT, 'dist/cli.js');

interface Fixture {
  /** Folder under test/fixtures/projects: the project (its package.json and tsconfig.json), the run's cwd. */
  dir: string;
  entry: string;
  /** What the program prints: pinned too, so the check cannot pass with both runs wrong the same way. */
  stdout: string;
}

const FIXTURES: Fixture[] = [
  { dir: 'paths', entry: 'src/main.ts', stdout: 'hello from baseUrl\nuser2, user1\n' },
  {
    dir: 'decorators-legacy',
    entry: 'src/main.ts',
    stdout:
      'field config: retries on Service\ndecorating Service.load\nsealing Service\n> load(1)\n> load(2)\n< load = item1x2\n< load = item2x2\nitem1x2 item2x2 true\n',
  },
  {
    dir: 'decorators-std',
    entry: 'src/main.ts',
    stdout: 'class Queue as queue\ninitialized push\nfield size starts at 3\n> push(a)\n> push(b)\n6 12\n',
  },
  {
    dir: 'jsx',
    entry: 'src/main.tsx',
    stdout:
      '<ul><li class="item">b</li><li class="item">a</li></ul>\nfrag1\n<span class="badge">new</span>\n',
  },
  { dir: 'nodenext', entry: 'src/main.ts', stdout: 'nodenext fixture where.ts main.ts\njob0@10 job1@5\n' },
  // useDefineForClassFields false: the field is assigned, so the base class's setter runs and no own property is made.
  {
    dir: 'define-fields',
    entry: 'src/main.ts',
    stdout: 'strict mode: true\nbase setter saw 42\nvalue=-1 own=false note=false\n',
  },
  // ...and true (the same base tsconfig, extended): the field is defined on the instance, no setter runs.
  { dir: 'define-fields/define', entry: 'src/main.ts', stdout: 'value=42 own=true\n' },
];

/** Runs `command args…` in `cwd` and collects what it did. */
function runProcess(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      }),
    );
  });
}

/** The fixture under the tool, through the runner API as the extension and the CLI use it. */
async function traced(fx: Fixture): Promise<Outcome & { trace: Trace }> {
  const cwd = path.join(FIX, fx.dir);
  let stdout = '';
  let stderr = '';
  const handle = await startRun(
    { entry: path.join(cwd, fx.entry), cwd },
    { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) },
  );
  const { trace, exit } = await handle.done;
  return { stdout, stderr, code: exit.code, trace };
}

const tasksNamed = (trace: Trace, name: string): TaskRecord[] => {
  const found = trace.tasks.filter((t) => t.name === name);
  assert.ok(found.length, `no task named ${name} in ${trace.tasks.map((t) => t.name).join(', ')}`);
  return found;
};

/** Line and column (1-based) of the first occurrence of `text` in a fixture file. */
function siteOf(dir: string, file: string, text: string): { file: string; line: number; column: number } {
  const source = fs.readFileSync(path.join(FIX, dir, file), 'utf8');
  const at = source.indexOf(text);
  assert.ok(at >= 0, `${text} not in ${file}`);
  const before = source.slice(0, at).split('\n');
  return { file, line: before.length, column: before[before.length - 1].length + 1 };
}

describe('projects: the project’s own tsconfig, as tsx applies it', function () {
  // Each case starts tsx and a traced run: seconds each on a loaded 2-core machine.
  this.timeout(120_000);
  const traces = new Map<string, Trace>();

  for (const fx of FIXTURES) {
    it(`${fx.dir}: prints the same as under tsx, every file traced`, async () => {
      const cwd = path.join(FIX, fx.dir);
      const expected = await runProcess(TSX, [fx.entry], cwd);
      assert.equal(expected.stdout, fx.stdout, `tsx itself printed ${JSON.stringify(expected.stdout)}`);
      const actual = await traced(fx);
      assert.equal(actual.stdout, expected.stdout);
      assert.equal(actual.stderr, expected.stderr);
      assert.equal(actual.code, expected.code);
      assert.equal(actual.trace.untraced, undefined, JSON.stringify(actual.trace.untraced));
      // Async code ran traced: more than the entry's own lane.
      assert.ok(actual.trace.tasks.length >= 2, `${actual.trace.tasks.length} tasks`);
      traces.set(fx.dir, actual.trace);
    });
  }

  const traceOf = (dir: string): Trace => {
    const trace = traces.get(dir);
    assert.ok(trace, `the ${dir} run above did not finish`);
    return trace;
  };

  it('a legacy-decorated async method is a lane, defined at the method in the original file, and it awaits', () => {
    const loads = tasksNamed(traceOf('decorators-legacy'), 'Service.load');
    assert.equal(loads.length, 2);
    for (const t of loads) {
      assert.equal(t.kind, 'method');
      assert.deepEqual(t.definition, siteOf('decorators-legacy', 'src/main.ts', 'async load('));
      assert.ok(t.segments.some((s) => s.state === 'suspended'));
      assert.equal(t.settled?.state, 'fulfilled');
    }
  });

  it('a standard-decorated async method is a lane, defined at the method in the original file', () => {
    const pushes = tasksNamed(traceOf('decorators-std'), 'Queue.push');
    assert.equal(pushes.length, 2);
    for (const t of pushes) {
      assert.deepEqual(t.definition, siteOf('decorators-std', 'src/main.ts', 'async push('));
      assert.ok(t.segments.some((s) => s.state === 'suspended'));
    }
  });

  it('the async function imported through `paths` (`@lib/util.js`) is a lane in its own file, called by main', () => {
    const trace = traceOf('paths');
    const [main] = tasksNamed(trace, 'main');
    const users = tasksNamed(trace, 'fetchUser');
    assert.equal(users.length, 2);
    for (const t of users) {
      assert.deepEqual(t.definition, siteOf('paths', 'src/lib/util.ts', 'export async function fetchUser'));
      assert.equal(t.parentId, main.id);
    }
  });

  it('nodenext: the top-level await module and the async arrows of a module imported through `paths` are lanes', () => {
    const trace = traceOf('nodenext');
    tasksNamed(trace, '<module src/main.ts>');
    const jobs = trace.tasks.filter((t) => t.definition?.file === 'src/lib/queue.ts' && t.kind === 'arrow');
    assert.equal(jobs.length, 2);
  });

  it('jsx: the async function of the automatic-runtime file is a lane', () => {
    const [badge] = tasksNamed(traceOf('jsx'), 'badge');
    assert.deepEqual(badge.definition, siteOf('jsx', 'src/badge.tsx', 'export async function badge'));
  });
});

describe('projects: a file that cannot be traced still runs, and the trace says which and why', function () {
  this.timeout(120_000);

  it('the CLI runs the paths project from the repository root with the same output as tsx, and names an untraced file', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-untraced-'));
    try {
      const out = path.join(work, 'trace.json');
      const entry = 'test/fixtures/projects/paths/src/main.ts';
      const plain = await runProcess(process.execPath, [CLI, 'run', '--no-timeline', entry], ROOT);
      const expected = FIXTURES[0].stdout;
      assert.equal(plain.stdout, expected);
      assert.equal(plain.code, 0);
      assert.doesNotMatch(plain.stderr, /untraced/);

      // TEST-ONLY: make util.ts fail to instrument as an internal error would (src/instrument/index.ts).
      const env = { ...process.env, ASYNC_TIMELINE_TEST_UNTRACEABLE: 'util.ts' };
      const run = await runProcess(
        process.execPath,
        [CLI, 'run', '--no-timeline', entry, '--out', out],
        ROOT,
        env,
      );
      assert.equal(run.stdout, expected);
      assert.equal(run.code, 0);
      const file = 'test/fixtures/projects/paths/src/lib/util.ts';
      assert.match(run.stderr, new RegExp(`^untraced: ${file}: could not be instrumented: .+$`, 'm'));
      const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as Trace;
      assert.equal(trace.untraced?.length, 1);
      assert.equal(trace.untraced[0].file, file);
      assert.match(trace.untraced[0].reason, /^could not be instrumented: /);
      // main is still traced; the untraced file's async function has no lane.
      tasksNamed(trace, 'main');
      assert.equal(trace.tasks.filter((t) => t.name === 'fetchUser').length, 0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('a genuine syntax error still names file:line:col and does not run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-syntax-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { experimentalDecorators: true } }),
      );
      fs.writeFileSync(path.join(dir, 'bad.ts'), 'console.log("ran");\nconst x = ;\n');
      const run = await runProcess(process.execPath, [CLI, 'run', 'bad.ts'], dir);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^bad\.ts:2:\d+: /m);
      assert.notEqual(run.code, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('projects: files the program prepares itself can be left untraced too', function () {
  this.timeout(120_000);

  it('a computed import() (hooks thread) and a computed require() (main thread) that cannot be instrumented still run, and are listed', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atl-late-')));
    try {
      fs.writeFileSync(
        path.join(dir, 'main.mjs'),
        [
          "import { createRequire } from 'node:module';",
          "const which = (n) => './' + n;",
          "const late = await import(which('late.mjs'));",
          "const cjs = createRequire(import.meta.url)(which('lateCjs.cjs'));",
          'console.log(await late.run(), await cjs.run());',
          '',
        ].join('\n'),
      );
      fs.writeFileSync(
        path.join(dir, 'late.mjs'),
        "export async function run() { await null; return 'esm ran'; }\n",
      );
      fs.writeFileSync(
        path.join(dir, 'lateCjs.cjs'),
        "exports.run = async () => { await null; return 'cjs ran'; };\n",
      );
      const expected = await runProcess(process.execPath, ['main.mjs'], dir);
      assert.equal(expected.stdout, 'esm ran cjs ran\n');
      let stdout = '';
      const handle = await startRun(
        // TEST-ONLY: the two files fail to instrument inside the program, as an internal error would.
        {
          entry: path.join(dir, 'main.mjs'),
          cwd: dir,
          env: { ASYNC_TIMELINE_TEST_UNTRACEABLE: 'late.mjs,lateCjs.cjs' },
        },
        { onStdout: (t) => (stdout += t) },
      );
      const { trace, exit } = await handle.done;
      assert.equal(stdout, expected.stdout);
      assert.equal(exit.code, 0);
      const listed = (trace.untraced ?? []).map((u) => u.file).sort();
      assert.deepEqual(listed, ['late.mjs', 'lateCjs.cjs']);
      for (const u of trace.untraced ?? []) assert.match(u.reason, /^could not be instrumented: /);
      assert.equal(
        trace.tasks.filter((t) => t.definition?.file === 'late.mjs' || t.definition?.file === 'lateCjs.cjs')
          .length,
        0,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
