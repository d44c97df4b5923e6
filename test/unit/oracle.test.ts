/**
 * An independent oracle for the trace: every program below is traced once, with a test-only
 * preload (test/helpers/oraclePreload.ts) that watches the same run with V8's promise hooks, and
 * the trace must agree with what the engine did (test/helpers/oracleCompare.ts):
 *   - every task's `settled`: same state as its promise, and the same time within 1 ms (and not
 *     the body's end when the engine settled the promise later, after more of the program ran);
 *   - every id in a suspension's `awaits` justified by the engine (the awaited promise is that
 *     task's promise, or depends on it through then chains, combinators, adoption or a resolve
 *     called from a reaction on it);
 *   - no task the engine says the awaited promise directly was, chained from, grouped or adopted
 *     missing from `awaits` (misses: printed and failing — `awaits` is documented as the tasks
 *     whose promises the suspension waited on, so a missing one is as wrong as an extra one).
 * Programs: the differential corpus, the examples, the library drivers (when that folder exists)
 * and the focused oracle fixtures. Excluded: only EXCLUDED below, each with its reason.
 *
 * Run: npm run build && npm run compile-tests &&
 *      npx mocha --no-config --timeout 60000 out/test/unit/oracle.test.js
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Trace } from '../../src/protocol/trace';
import { startRun } from '../../src/runner/run';
import {
  compareWithOracle,
  ORACLE_OUT_ENV,
  type OracleLog,
  type OracleReport,
} from '../helpers/oracleCompare';

const ROOT = path.resolve(__dirname, '../../..');
/** Compiled preload; the test runs a copy inside a node_modules folder, which the runtime does not instrument. */
const PRELOAD_BUILT = path.join(__dirname, '..', 'helpers', 'oraclePreload.js');
const SOURCE_EXT = /\.(js|mjs|cjs|ts|mts|cts)$/;
/** Only stops a hung run from hanging the suite. */
const RUN_TIMEOUT_MS = 30_000;

/** Programs the oracle cannot judge, by name (folder-relative), each with why. Keep it short. */
const EXCLUDED: Record<string, string> = {
  // Its worker threads are traced (groups of their own, task ids renumbered across threads); the
  // oracle's promise hooks watch the main thread only. Worker traces are checked by workers.test.ts.
  'diff/63-worker-thread': 'worker threads: the oracle watches the main thread only',
};

interface Program {
  name: string;
  entry: string;
  cwd: string;
  args: string[];
  /** Packages to instrument (library drivers: the library they drive, as libraries.test does). */
  packages?: string[];
}

/** Files of `dir` and `main.<ext>` entries of its folders (the differential corpus' layout). */
function discover(dir: string, prefix: string, cwdOfFile: string): Program[] {
  if (!fs.existsSync(dir)) return [];
  const out: Program[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) {
      const main = fs.readdirSync(full).find((f) => /^main\.(js|mjs|cjs|ts|mts|cts)$/.test(f));
      if (main)
        out.push({
          name: `${prefix}/${name}`,
          entry: path.join(full, main),
          cwd: full,
          args: argsOf(path.join(full, main)),
        });
    } else if (SOURCE_EXT.test(name) && !name.endsWith('.d.ts')) {
      out.push({ name: `${prefix}/${name}`, entry: full, cwd: cwdOfFile, args: argsOf(full) });
    }
  }
  return out;
}

function argsOf(file: string): string[] {
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(0, 10)) {
    const m = /^\/\/ @diff args:\s*(.*)$/.exec(line.trim());
    if (m) return JSON.parse(m[1]) as string[];
  }
  return [];
}

const LIBRARIES = path.join(ROOT, 'test/fixtures/libraries');

/** Library drivers: every program of that folder except the helpers the others import (`import './x.mjs'`). */
function drivers(found: Program[]): Program[] {
  const texts = found.map((p) => fs.readFileSync(p.entry, 'utf8'));
  return found.filter((p) => {
    const base = path.basename(p.entry);
    return !texts.some((text) => text.includes(`'./${base}'`) || text.includes(`"./${base}"`));
  });
}

function programs(): Program[] {
  const diff = path.join(ROOT, 'test/fixtures/diff');
  return [
    ...discover(diff, 'diff', diff),
    ...discover(path.join(ROOT, 'examples'), 'examples', ROOT),
    ...drivers(discover(LIBRARIES, 'libraries', LIBRARIES)).map((p) => ({
      ...p,
      packages: [path.basename(p.entry).replace(/\.[cm]?[jt]s$/, '')],
    })),
    ...discover(path.join(ROOT, 'test/fixtures/oracle'), 'oracle', path.join(ROOT, 'test/fixtures/oracle')),
  ];
}

interface OracleRun {
  trace: Trace;
  log: OracleLog | null;
  stdout: string;
  stderr: string;
}

async function traceWithOracle(p: Program, logFile: string, preload: string): Promise<OracleRun> {
  let stdout = '';
  let stderr = '';
  const handle = await startRun(
    {
      entry: p.entry,
      cwd: p.cwd,
      args: p.args,
      timeoutMs: RUN_TIMEOUT_MS,
      env: { [ORACLE_OUT_ENV]: logFile },
      testOnlyExtraPreload: preload,
      ...(p.packages ? { packages: p.packages } : {}),
    },
    { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) },
  );
  const { trace } = await handle.done;
  const log = fs.existsSync(logFile) ? (JSON.parse(fs.readFileSync(logFile, 'utf8')) as OracleLog) : null;
  return { trace, log, stdout, stderr };
}

/**
 * The oracle must not change what the program does. For the corpus' single-file JavaScript
 * programs (deterministic output, runnable as they are) the oracle run's stdout and exit code are
 * compared with plain `node`. Not for the two whose traced output differs from node's with or
 * without the oracle (test/fixtures/diff/KNOWN_ISSUES.md, pinned by differential.test.ts).
 */
const BEHAVIOUR_KNOWN_DIFFERENT = new Set(['diff/58-error-messages.js', 'diff/73-stack-overflow-caught.js']);
/**
 * Programs that print error stacks: with promise hooks on (the oracle's), V8 takes its slow paths for
 * await and adds processTicksAndRejections frames — the oracle's doing, not the tracer's (the differential
 * corpus compares these programs traced without the oracle).
 */
const PRINTS_STACKS = /\.stack\b/;

/**
 * Edges the engine shows and the trace cannot have, pinned with the reason (docs/trace-format.md, "Await
 * edges and wake-ups"). Any other miss fails, and so does an entry here once it has no miss any more.
 */
const KNOWN_MISSES: Record<string, string> = {
  'diff/09-async-arrows.js':
    'reduce() over async callbacks: each awaits the previous promise, which native reduce handed it (no instrumented call held it)',
  'diff/78-async-arrows-positions.mjs': 'the same reduce() chain over async callbacks',
  'diff/106-then-callbacks-edge.mjs':
    'Promise.prototype.then.call(taskPromise, f): an ordinary call of then, not a `.then(` the transform sees',
  'diff/42-tagged-templates.mjs':
    'asyncTag`…` is a tagged template, not a call expression: no call hook sees the task it starts',
};

/**
 * Settle times that may differ, with the reason: a value whose `then` sits behind a getter or a proxy
 * trap is treated as a plain value (finding out would run program code), so the task is recorded settled
 * at its body's end while the engine settles it a few jobs later (0.05–0.15 ms: on some runs the oracle
 * sees no other event in between and calls it equal). Any other program must agree.
 */
const KNOWN_SETTLE: Record<string, string> = {
  'diff/81-thenable-getter-reads.js': 'returns an object whose then is a getter',
  'diff/82-proxy-traps.mjs': 'returns a Proxy',
};

function runNode(p: Program): { stdout: string; code: number | null } {
  const r = spawnSync(process.execPath, [p.entry, ...p.args], {
    cwd: p.cwd,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
  });
  return { stdout: r.stdout, code: r.status };
}

function summary(name: string, r: OracleReport): string {
  const lines = [
    `${name}: tasks ${r.tasksEqual}/${r.tasksChecked} equal (of ${r.tasks}), edges ${r.edgesJustified}/${r.edgesChecked} justified, ${r.misses.length} missed (clocks aligned ±${(r.clockBoundMs * 1000).toFixed(1)} µs)`,
  ];
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`  ${title}:`);
    for (const item of items.slice(0, 12)) lines.push(`    ${item}`);
    if (items.length > 12) lines.push(`    … ${items.length - 12} more`);
  };
  section('settled differs', r.settleMismatches);
  section('unjustified awaits', r.unjustified);
  section('missed awaits', r.misses);
  section('structure', r.structure);
  section('equal: one instant of the program, the thread held in between', r.sameInstant);
  section('not checked', r.notChecked);
  return lines.join('\n');
}

describe('oracle: the trace agrees with Node’s own promise hooks in the same run', function () {
  const all = programs();
  let tmp = '';
  let preload = '';
  const totals = {
    programs: 0,
    tasks: 0,
    tasksChecked: 0,
    tasksEqual: 0,
    edgesChecked: 0,
    edgesJustified: 0,
    misses: 0,
  };

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-oracle-'));
    assert.ok(fs.existsSync(PRELOAD_BUILT), `${PRELOAD_BUILT} missing (npm run compile-tests)`);
    preload = path.join(tmp, 'node_modules', 'oracle', 'oraclePreload.js');
    fs.mkdirSync(path.dirname(preload), { recursive: true });
    fs.copyFileSync(PRELOAD_BUILT, preload);
  });
  after(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    console.log(
      `oracle totals: ${totals.programs} programs, tasks ${totals.tasksEqual}/${totals.tasksChecked} equal (of ${totals.tasks}), ` +
        `edges ${totals.edgesJustified}/${totals.edgesChecked} justified, ${totals.misses} missed`,
    );
  });

  it('has programs from the corpus, the examples and its own fixtures', function () {
    for (const prefix of ['diff/', 'examples/', 'oracle/'])
      assert.ok(
        all.some((p) => p.name.startsWith(prefix)),
        `no ${prefix} programs`,
      );
    for (const name of Object.keys(EXCLUDED))
      assert.ok(
        all.some((p) => p.name === name),
        `excluded ${name} does not exist`,
      );
  });

  for (const p of all) {
    const reason = EXCLUDED[p.name];
    if (reason) {
      it.skip(`${p.name} — excluded: ${reason}`);
      continue;
    }
    it(p.name, async function () {
      this.timeout(RUN_TIMEOUT_MS * 2);
      const logFile = path.join(tmp, `${p.name.replace(/[/\\]/g, '_')}.json`);
      const { trace, log, stdout, stderr } = await traceWithOracle(p, logFile, preload);
      if (
        p.name.startsWith('diff/') &&
        /\.[cm]?js$/.test(p.entry) &&
        !BEHAVIOUR_KNOWN_DIFFERENT.has(p.name) &&
        !PRINTS_STACKS.test(fs.readFileSync(p.entry, 'utf8'))
      ) {
        const plain = runNode(p);
        assert.equal(stdout, plain.stdout, `${p.name}: the oracle run printed something else than node`);
        assert.equal(trace.exit?.code, plain.code, `${p.name}: the oracle run exited otherwise than node`);
      }
      assert.ok(
        log,
        `${p.name}: the oracle wrote no log (exit: ${JSON.stringify(trace.exit)}; stderr: ${stderr.slice(0, 500)})`,
      );
      assert.ok(!trace.truncated, `${p.name}: trace truncated`);
      assert.ok(trace.tasks.length > 0, `${p.name}: no tasks traced`);
      const report = compareWithOracle(trace, log);
      totals.programs++;
      totals.tasks += report.tasks;
      totals.tasksChecked += report.tasksChecked;
      totals.tasksEqual += report.tasksEqual;
      totals.edgesChecked += report.edgesChecked;
      totals.edgesJustified += report.edgesJustified;
      totals.misses += report.misses.length;
      const text = summary(p.name, report);
      console.log(text);
      assert.ok(report.unjustified.length === 0 && report.structure.length === 0, text);
      if (KNOWN_MISSES[p.name])
        assert.ok(
          report.misses.length > 0,
          `${p.name}: no miss any more — drop its KNOWN_MISSES entry\n${text}`,
        );
      else assert.equal(report.misses.length, 0, text);
      // A pinned settle difference is a fraction of a millisecond at the body's end: whether the oracle calls it
      // one instant of the program depends on what the engine did in between, so it may or may not show.
      if (!KNOWN_SETTLE[p.name]) assert.equal(report.settleMismatches.length, 0, text);
    });
  }
});
