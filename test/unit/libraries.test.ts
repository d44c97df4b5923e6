/**
 * Real libraries from npm (issue 7, part 5): instrumenting chosen packages from node_modules.
 *
 * 1. Module selection: which files count as the program's own (packageOf / isUserCode), how the host
 *    follows a bare specifier into a chosen package (resolvePackage), and a traced run over a small
 *    node_modules of our own: chosen packages (scoped, nested copies, CommonJS and ES modules, computed
 *    require/import() paths prepared inside the program) are traced, every other package is not.
 * 2. Six popular async libraries (devDependencies, ESM-only in their current majors), one driver each in
 *    test/fixtures/libraries/: each runs under node, under the runner plain and under the runner
 *    instrumented with its package instrumented; stdout, stderr and exit code must be identical byte
 *    for byte. Then the instrumented trace is checked for what a user would expect to see.
 *
 * Some trace checks were written against bugs the runtime had (issue 7) and pass since they were fixed;
 * each says which one in a `WAS A BUG` comment, so a regression names its cause. Two checks pin a known
 * limit (`KNOWN LIMIT`): they assert what the trace shows today and fail when it changes.
 *   [adoption]      a task is marked settled when its body returns, not when its promise settles (an
 *                   async function that returns a pending promise "settles" at once);
 *   [awaits-guess]  a suspension's `awaits` is guessed from the calls that started a task during the
 *                   awaited expression, so a promise that reaches the awaiter another way (resolved by a
 *                   later task, returned by a non-async function, asked for by the engine in `for await`)
 *                   has no edge, and an unrelated task started by that expression gets one;
 *   [native-start]  tasks started by native code (`array.map(asyncFn)`, promise reactions) are not grouped
 *                   with / linked to the awaiter;
 *   [stale-site]    a task suspended inside a call's argument list (`console.log(`${await p}`)`) leaves that
 *                   call as "the current call site": a task the engine starts meanwhile (a promise reaction)
 *                   gets it as its `created.site`. Repro: `async function job() { await null }`,
 *                   `const p = Promise.resolve(1); p.then(job); console.log(`${await p}`);` → job's
 *                   created.site is the console.log line (should be null: no instrumented call created it).
 */
import { runNode, type Outcome } from './helpers/runNode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceSite, SuspendedSegment, TaskRecord, Trace } from '../../src/protocol/trace';
import { resolvePackage } from '../../src/runner/moduleGraph';
import { startRun } from '../../src/runner/run';
import { isUserCode, packageOf, PACKAGE_NAME } from '../../src/runtime/manifest';

const ROOT = path.resolve(__dirname, '../../..');
const LIBS = path.join(ROOT, 'test/fixtures/libraries');
/** Each driver runs in well under a second; this only stops a hung run from hanging the suite. */
const RUN_TIMEOUT_MS = 30_000;

async function runRunner(
  entry: string,
  cwd: string,
  instrument: boolean,
  packages: string[],
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const handle = await startRun(
    { entry, cwd, instrument, packages, timeoutMs: RUN_TIMEOUT_MS },
    { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) },
  );
  const result = await handle.done;
  return { stdout, stderr, code: result.exit.code, trace: result.trace };
}

// ---- trace helpers ----

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Is the site in a file of `pkg` (any copy of it)? */
function inPackage(site: SourceSite | null | undefined, pkg: string): boolean {
  return !!site && new RegExp(`(^|/)node_modules/${escape(pkg)}/`).test(site.file);
}
function inFile(site: SourceSite | null | undefined, file: string): boolean {
  return !!site && (site.file === file || site.file.endsWith('/' + file));
}
const suspensions = (t: TaskRecord): SuspendedSegment[] =>
  t.segments.filter((s): s is SuspendedSegment => s.state === 'suspended');
/** The task's suspensions at an await on `line` of its own file. */
/** The line of the driver that holds `text` (exactly once): checks name code, not line numbers. */
function lineOf(driver: string, text: string): number {
  const lines = fs.readFileSync(path.join(LIBS, driver), 'utf8').split('\n');
  const found = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  assert.equal(found.length, 1, `${driver}: ${found.length} lines hold ${JSON.stringify(text)}`);
  return found[0];
}
/** Tasks of the (anonymous) function the driver defines on the line holding `text`. */
function definedAt(trace: Trace, driver: string, text: string): TaskRecord[] {
  const line = lineOf(driver, text);
  return trace.tasks.filter((t) => inFile(t.definition, driver) && t.definition?.line === line);
}
const awaitsAt = (t: TaskRecord, line: number): SuspendedSegment[] =>
  suspensions(t).filter((s) => s.site?.line === line);
function byId(trace: Trace): Map<number, TaskRecord> {
  return new Map(trace.tasks.map((t) => [t.id, t]));
}
/** Tasks of a function of the driver, by its name. */
function named(trace: Trace, name: string, driver: string): TaskRecord[] {
  return trace.tasks.filter((t) => t.name === name && inFile(t.definition, driver));
}
function settledAt(t: TaskRecord): number {
  assert.ok(t.settled, `task ${t.id} ${t.name} never settled`);
  return t.settled.t;
}
/** The most tasks of `tasks` alive (created, not yet settled) at once. */
function maxOverlap(tasks: TaskRecord[]): number {
  const points = tasks.flatMap((t) => [
    { t: t.created.t, d: 1 },
    { t: settledAt(t), d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const p of points) max = Math.max(max, (now += p.d));
  return max;
}
/** A task and everything it started, transitively. */
function familyOf(trace: Trace, root: number): Set<number> {
  const family = new Set([root]);
  for (const t of trace.tasks) if (t.parentId !== null && family.has(t.parentId)) family.add(t.id);
  return family;
}
/**
 * `await <library call that runs job>`: the suspension must wait on the job's task, or on a task of the
 * library that adopted (or was resolved with) the job's promise, and say who woke it.
 */
function assertAwaitsJob(
  trace: Trace,
  seg: SuspendedSegment,
  job: TaskRecord,
  pkg: string,
  what: string,
): void {
  const tasks = byId(trace);
  const ok = seg.awaits.some((id) => id === job.id || inPackage(tasks.get(id)?.definition, pkg));
  assert.ok(ok, `${what}: awaits [${seg.awaits}] holds neither the job (task ${job.id}) nor a ${pkg} task`);
  assert.ok(seg.resumedBy !== undefined && seg.resumedBy !== null, `${what}: resumedBy is ${seg.resumedBy}`);
  assert.ok(
    seg.awaits.includes(seg.resumedBy),
    `${what}: resumedBy ${seg.resumedBy} is not in awaits [${seg.awaits}]`,
  );
}

// ---- 1. module selection ----

describe('instrumented packages: module selection', function () {
  it('packageOf names the package after the last node_modules folder', function () {
    assert.equal(packageOf('/app/src/main.ts'), null);
    assert.equal(packageOf('/app/node_modules/p-queue/dist/index.js'), 'p-queue');
    assert.equal(packageOf('/app/node_modules/@scope/pool/lib/a.js'), '@scope/pool');
    assert.equal(packageOf('/app/node_modules/a/node_modules/p-queue/index.js'), 'p-queue');
    assert.equal(packageOf('/app/node_modules/p-queue/node_modules/eventemitter3/index.js'), 'eventemitter3');
    assert.equal(packageOf('/app/node_modules/.pnpm/p-queue@1.0.0/node_modules/p-queue/index.js'), 'p-queue');
    assert.equal(packageOf('C:\\app\\node_modules\\@s\\p\\x.js'), '@s/p');
    assert.equal(packageOf('/app/node_modules/single.js'), 'single');
  });

  it('isUserCode: own files and every copy of a chosen package, never other packages or our dist', function () {
    const pk = ['p-queue', '@scope/pool'];
    assert.ok(isUserCode('/app/main.ts', undefined, pk));
    assert.ok(isUserCode('/app/node_modules/p-queue/dist/index.js', undefined, pk));
    assert.ok(isUserCode('/app/node_modules/x/node_modules/p-queue/dist/index.js', undefined, pk));
    assert.ok(isUserCode('/app/node_modules/@scope/pool/index.mjs', undefined, pk));
    assert.ok(!isUserCode('/app/node_modules/p-queue/node_modules/eventemitter3/index.js', undefined, pk));
    assert.ok(!isUserCode('/app/node_modules/p-queue-extra/index.js', undefined, pk));
    assert.ok(!isUserCode('/app/node_modules/@scope/pool2/index.js', undefined, pk));
    assert.ok(
      !isUserCode('/app/node_modules/p-queue/dist/index.js'),
      'no packages chosen: none instrumented',
    );
    assert.ok(!isUserCode('/app/node_modules/p-queue/package.json', undefined, pk));
    assert.ok(!isUserCode('/ext/dist/runtime/hooks.mjs', '/ext/dist', pk));
    assert.ok(
      !isUserCode('/ext/node_modules/p-queue/x.js', '/ext', pk),
      'our own folder is never instrumented',
    );
    assert.ok(
      PACKAGE_NAME.test('@scope/pool') && PACKAGE_NAME.test('p-queue') && PACKAGE_NAME.test('lodash.get'),
    );
    assert.ok(
      !PACKAGE_NAME.test('../x') &&
        !PACKAGE_NAME.test('a/b') &&
        !PACKAGE_NAME.test('@scope') &&
        !PACKAGE_NAME.test(''),
    );
  });

  describe('with a node_modules of our own', function () {
    this.timeout(RUN_TIMEOUT_MS * 2);
    let dir = '';
    const write = (rel: string, text: string) => {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    const asyncModule = (label: string) =>
      `export async function work(x) { await null; return '${label}:' + x; }\n`;
    const asyncCjs = (label: string) =>
      `exports.work = async function work(x) { await null; return '${label}:' + x; };\n`;

    before(function () {
      dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atl-pkgs-')));
      // ESM package with conditional exports and a subpath pattern.
      write(
        'node_modules/esm-pool/package.json',
        JSON.stringify({
          name: 'esm-pool',
          type: 'module',
          exports: {
            '.': { import: './dist/index.js', require: './dist/index.cjs' },
            './extra/*': './dist/extra/*.js',
          },
        }),
      );
      write(
        'node_modules/esm-pool/dist/index.js',
        `import { work as inner } from './inner.js';\nexport async function work(x) { return 'pool:' + (await inner(x)); }\n`,
      );
      write('node_modules/esm-pool/dist/inner.js', asyncModule('inner'));
      write('node_modules/esm-pool/dist/index.cjs', asyncCjs('pool-cjs'));
      write('node_modules/esm-pool/dist/extra/late.js', asyncModule('late'));
      write('node_modules/esm-pool/dist/extra/required.js', asyncModule('required'));
      write('own.mjs', asyncModule('own'));
      // Scoped CommonJS package (main), with a dependency of its own that is NOT chosen.
      write(
        'node_modules/@acme/cjs-pool/package.json',
        JSON.stringify({ name: '@acme/cjs-pool', main: 'lib/main.js' }),
      );
      write(
        'node_modules/@acme/cjs-pool/lib/main.js',
        `const dep = require('helper');\nexports.work = async function work(x) { return 'acme:' + (await dep.work(x)); };\nexports.late = (name) => require('./' + name);\n`,
      );
      write('node_modules/@acme/cjs-pool/lib/lazy.js', asyncCjs('lazy'));
      write('node_modules/helper/package.json', JSON.stringify({ name: 'helper' }));
      write('node_modules/helper/index.js', asyncCjs('helper'));
      // A nested copy of esm-pool inside another (not chosen) package.
      write(
        'node_modules/wrapper/package.json',
        JSON.stringify({ name: 'wrapper', type: 'module', exports: './index.js' }),
      );
      write(
        'node_modules/wrapper/index.js',
        `import { work as nested } from 'esm-pool';\nexport async function wrap(x) { return 'wrap:' + (await nested(x)); }\n`,
      );
      write(
        'node_modules/wrapper/node_modules/esm-pool/package.json',
        JSON.stringify({ name: 'esm-pool', type: 'module', exports: './main.js' }),
      );
      write('node_modules/wrapper/node_modules/esm-pool/main.js', asyncModule('nested-pool'));
      write(
        'main.mjs',
        [
          `import { work } from 'esm-pool';`,
          `import { createRequire } from 'node:module';`,
          `import { wrap } from 'wrapper';`,
          `const require = createRequire(import.meta.url);`,
          `const acme = require('@acme/cjs-pool');`,
          `const which = 'late';`,
          `const late = await import('esm-pool/extra/' + which);`,
          // require(esm), where this Node has it (else the same answer without the package).
          `const required = process.features.require_module ? require('esm-pool/extra/required') : { work: async (x) => 'required:' + x };`,
          `const own = process.features.require_module ? require('./own.mjs') : { work: async (x) => 'own:' + x };`,
          `console.log(await work(1), await acme.work(2), await wrap(3), await late.work(4), await acme.late('lazy').work(5), await required.work(6), await own.work(7));`,
          '',
        ].join('\n'),
      );
    });
    after(function () {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('resolvePackage follows exports conditions, subpath patterns, main, scopes and the nearest copy', function () {
      const main = path.join(dir, 'main.mjs');
      const pk = ['esm-pool', '@acme/cjs-pool'];
      assert.equal(
        resolvePackage(main, 'esm-pool', pk, 'import'),
        path.join(dir, 'node_modules/esm-pool/dist/index.js'),
      );
      assert.equal(
        resolvePackage(main, 'esm-pool', pk, 'require'),
        path.join(dir, 'node_modules/esm-pool/dist/index.cjs'),
      );
      assert.equal(
        resolvePackage(main, 'esm-pool/extra/late', pk, 'import'),
        path.join(dir, 'node_modules/esm-pool/dist/extra/late.js'),
      );
      assert.equal(
        resolvePackage(main, '@acme/cjs-pool', pk, 'require'),
        path.join(dir, 'node_modules/@acme/cjs-pool/lib/main.js'),
      );
      const wrapper = path.join(dir, 'node_modules/wrapper/index.js');
      assert.equal(
        resolvePackage(wrapper, 'esm-pool', pk, 'import'),
        path.join(dir, 'node_modules/wrapper/node_modules/esm-pool/main.js'),
      );
      assert.equal(resolvePackage(main, 'helper', pk, 'require'), null, 'not chosen');
      assert.equal(resolvePackage(main, './esm-pool', pk, 'import'), null, 'not bare');
      assert.equal(resolvePackage(main, 'node:fs', pk, 'import'), null);
    });

    it('a traced run traces the chosen packages (every copy, every loader path) and nothing else', async function () {
      const entry = path.join(dir, 'main.mjs');
      const expected = 'pool:inner:1 acme:helper:2 wrap:nested-pool:3 late:4 lazy:5 required:6 own:7\n';
      const plain = await runRunner(entry, dir, false, ['esm-pool', '@acme/cjs-pool']);
      assert.equal(plain.stdout, expected, plain.stderr);
      const traced = await runRunner(entry, dir, true, ['esm-pool', '@acme/cjs-pool']);
      assert.equal(traced.stdout, expected, traced.stderr);
      assert.equal(traced.stderr, '');
      const defined = new Set(traced.trace!.tasks.map((t) => t.definition?.file));
      for (const file of [
        'node_modules/esm-pool/dist/index.js', // static import, host-prepared
        'node_modules/esm-pool/dist/inner.js', // relative import inside the package
        'node_modules/wrapper/node_modules/esm-pool/main.js', // nested copy, imported by an untraced package
        'node_modules/esm-pool/dist/extra/late.js', // computed import(): prepared on the ES-module hooks thread
        'node_modules/@acme/cjs-pool/lib/main.js', // scoped, CommonJS, require()
        'node_modules/@acme/cjs-pool/lib/lazy.js', // computed require(): prepared by the CommonJS hook
        // an ES module loaded by require() (Node's require(esm)): the CommonJS hook hands Node the prepared code
        // (and the program's own ES module loaded by require())
        ...((process.features as { require_module?: boolean }).require_module
          ? ['node_modules/esm-pool/dist/extra/required.js', 'own.mjs']
          : []),
      ]) {
        assert.ok(defined.has(file), `no task defined in ${file}: ${[...defined].join(', ')}`);
      }
      for (const file of defined) {
        assert.ok(
          file === 'main.mjs' ||
            file === 'own.mjs' ||
            /^node_modules\/(esm-pool|@acme\/cjs-pool|wrapper\/node_modules\/esm-pool)\//.test(file ?? ''),
          `traced ${file}`,
        );
      }
      const none = await runRunner(entry, dir, true, []);
      assert.equal(none.stdout, expected);
      assert.deepEqual(
        [...new Set(none.trace!.tasks.map((t) => t.definition?.file))].sort(),
        (process.features as { require_module?: boolean }).require_module
          ? ['main.mjs', 'own.mjs']
          : ['main.mjs'],
        'nothing chosen: only the program',
      );
    });
  });
});

// ---- 2. six libraries from npm ----

interface Library {
  pkg: string;
  driver: string;
  /** What a user expects to see in the trace; each `it` states one truth. */
  truths: Record<string, (trace: Trace) => void>;
}

/** async-mutex.mjs's critical sections: the deposits' (Mutex) and the workers' (Semaphore). */
const DEPOSIT_SECTIONS = (trace: Trace) =>
  definedAt(trace, 'async-mutex.mjs', 'return mutex.runExclusive(async');
const PERMIT_SECTIONS = (trace: Trace) =>
  definedAt(trace, 'async-mutex.mjs', 'await permits.runExclusive(async');

const LIBRARIES: Library[] = [
  {
    pkg: 'p-queue',
    driver: 'p-queue.mjs',
    truths: {
      'each job added is a task, started by the queue (its parent is a p-queue task)': (trace) => {
        const tasks = byId(trace);
        const counts = { job: 4, download: 10, broken: 1 };
        for (const [name, n] of Object.entries(counts)) {
          const jobs = named(trace, name, 'p-queue.mjs');
          assert.equal(jobs.length, n, name);
          for (const j of jobs)
            assert.ok(
              inPackage(tasks.get(j.parentId ?? -1)?.definition, 'p-queue'),
              `${name} ${j.id}: parent ${j.parentId}`,
            );
        }
      },
      'concurrency 1 runs the prioritised jobs one after the other; concurrency 2 never runs more than 2 downloads':
        (trace) => {
          const jobs = named(trace, 'job', 'p-queue.mjs');
          for (let i = 1; i < jobs.length; i++)
            assert.ok(settledAt(jobs[i - 1]) <= jobs[i].created.t, `job ${jobs[i].id} overlaps`);
          assert.equal(maxOverlap(named(trace, 'download', 'p-queue.mjs')), 2);
        },
      '`await queue.add(job)` waits on the job (or the p-queue task that adopted it) and says who woke it': (
        trace,
      ) => {
        const downloads = named(trace, 'download', 'p-queue.mjs');
        named(trace, 'fetchOne', 'p-queue.mjs').forEach((f, i) => {
          const [seg] = awaitsAt(f, lineOf('p-queue.mjs', 'await pool.add(() => download(id))'));
          assert.ok(seg, `fetchOne ${f.id} never awaited`);
          assertAwaitsJob(trace, seg, downloads[i], 'p-queue', `fetchOne ${f.id}`);
          assert.ok(
            seg.end! >= settledAt(downloads[i]),
            `fetchOne ${f.id} resumed before its download settled`,
          );
        });
        const [tryBroken] = named(trace, 'tryBroken', 'p-queue.mjs');
        const [seg] = awaitsAt(tryBroken, lineOf('p-queue.mjs', 'await pool.add(broken)'));
        assertAwaitsJob(trace, seg, named(trace, 'broken', 'p-queue.mjs')[0], 'p-queue', 'tryBroken');
        assert.equal(seg.threw, true, 'the failed job made the await throw');
      },
      // WAS A BUG [adoption]: PQueue.#add returns `new Promise(...)` at once and is marked settled then;
      // its promise settles only when the queue's runner resolves it with the job's result.
      'the p-queue task that adopted a job settles no earlier than the job': (trace) => {
        const tasks = byId(trace);
        const downloads = named(trace, 'download', 'p-queue.mjs');
        named(trace, 'fetchOne', 'p-queue.mjs').forEach((f, i) => {
          for (const id of awaitsAt(f, lineOf('p-queue.mjs', 'await pool.add(() => download(id))'))[0]
            .awaits) {
            const adopter = tasks.get(id)!;
            if (adopter.id === downloads[i].id) continue;
            assert.ok(
              settledAt(adopter) >= settledAt(downloads[i]),
              `${adopter.name} ${adopter.id} settled before its job ${downloads[i].id}`,
            );
          }
        });
      },
      // WAS A BUG [adoption]: PQueue.#onEvent returns the promise of the 'idle' event and is marked settled at once.
      'onIdle (and what it waits on) settles after the last download settled': (trace) => {
        const last = Math.max(...named(trace, 'download', 'p-queue.mjs').map(settledAt));
        const tasks = byId(trace);
        const idle = trace.tasks.filter((t) => t.name === 'PQueue.onIdle');
        assert.ok(idle.length >= 2);
        const lastIdle = idle[idle.length - 1];
        assert.ok(settledAt(lastIdle) >= last, 'onIdle settled before the last download');
        for (const seg of suspensions(lastIdle)) {
          for (const id of seg.awaits)
            assert.ok(
              settledAt(tasks.get(id)!) >= last,
              `${tasks.get(id)!.name} ${id} settled before the last download`,
            );
        }
      },
    },
  },
  {
    pkg: 'p-limit',
    driver: 'p-limit.mjs',
    truths: {
      'each limited job is a task started by p-limit; never more than the limit at once': (trace) => {
        const tasks = byId(trace);
        const users = named(trace, 'fetchUser', 'p-limit.mjs');
        assert.equal(users.length, 5);
        assert.deepEqual(
          users.map((u) => u.settled?.state),
          ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
        );
        const resizes = definedAt(trace, 'p-limit.mjs', 'async (name) =>');
        assert.equal(resizes.length, 3);
        const steps = named(trace, 'step', 'p-limit.mjs');
        assert.equal(steps.length, 1, 'clearQueue dropped steps 2 and 3');
        for (const j of [...users, ...resizes, ...steps])
          assert.ok(
            inPackage(tasks.get(j.parentId ?? -1)?.definition, 'p-limit'),
            `job ${j.id}: parent ${j.parentId}`,
          );
        assert.equal(maxOverlap(users), 2);
        assert.equal(maxOverlap(resizes), 1);
      },
      // WAS A BUG [awaits-guess]: `limit(fn)` starts no task while it is called (the job starts later, from a
      // promise reaction); p-limit resolves the caller's promise with the job's promise, so today `awaits` is empty.
      '`await limit(job)` waits on the job (or the p-limit task that resolved it) and says who woke it': (
        trace,
      ) => {
        const users = named(trace, 'fetchUser', 'p-limit.mjs');
        named(trace, 'loadUser', 'p-limit.mjs').forEach((l, i) => {
          const [seg] = awaitsAt(l, lineOf('p-limit.mjs', 'await limit(() => fetchUser(id))'));
          assert.ok(seg, `loadUser ${l.id} never awaited`);
          assertAwaitsJob(trace, seg, users[i], 'p-limit', `loadUser ${l.id}`);
        });
      },
      // WAS A BUG [stale-site]: p-limit's `run` is a `.then` callback (started by the engine) that runs while the
      // driver is suspended inside `console.log(`...${await ...}`)`; it is given that console.log as its created.site.
      'tasks started by a promise reaction inside p-limit are not attributed to a call in the driver': (
        trace,
      ) => {
        for (const t of trace.tasks.filter((x) => x.name === 'run' && inPackage(x.definition, 'p-limit'))) {
          assert.ok(
            !inFile(t.created.site, 'p-limit.mjs'),
            `run ${t.id} created at p-limit.mjs:${t.created.site?.line}`,
          );
        }
      },
    },
  },
  {
    pkg: 'p-map',
    driver: 'p-map.mjs',
    truths: {
      'each mapper call is a task created inside p-map; the limit holds': (trace) => {
        const checks = named(trace, 'checkSite', 'p-map.mjs');
        for (const c of checks)
          assert.ok(
            inPackage(c.created.site, 'p-map'),
            `checkSite ${c.id} created at ${c.created.site?.file}`,
          );
        assert.equal(
          checks.filter((c) => c.settled?.state === 'rejected').length,
          4,
          'down (strict), down1, down2, down (settled)',
        );
        assert.ok(checks.filter((c) => c.settled?.state === 'fulfilled').length >= 9);
        assert.equal(maxOverlap(checks.slice(0, 5)), 2);
      },
      '`await pMap(...)` waits on p-map and says who woke it': (trace) => {
        for (const [name, line] of [
          ['mapStrict', lineOf('p-map.mjs', 'await pMap(urls, checkSite, { concurrency: 2 })')],
          ['mapAll', lineOf('p-map.mjs', 'stopOnError: false')],
        ] as const) {
          const [t] = named(trace, name, 'p-map.mjs');
          const [seg] = awaitsAt(t, line);
          const tasks = byId(trace);
          assert.ok(
            seg.awaits.length > 0 && seg.awaits.every((id) => inPackage(tasks.get(id)?.definition, 'p-map')),
            `${name}: awaits [${seg.awaits}]`,
          );
          assert.ok(
            seg.resumedBy !== undefined && seg.resumedBy !== null,
            `${name}: resumedBy ${seg.resumedBy}`,
          );
          assert.equal(seg.threw, true, `${name}: p-map rejected`);
        }
      },
      // WAS A BUG [adoption]: mapConcurrently returns `new Promise(...)` and is marked settled (fulfilled!) at once;
      // its promise rejects only when the mappers have failed.
      'the p-map task mapAll waits on settles (rejected) after the mappers it ran': (trace) => {
        const tasks = byId(trace);
        const [mapAll] = named(trace, 'mapAll', 'p-map.mjs');
        const [seg] = awaitsAt(mapAll, lineOf('p-map.mjs', 'stopOnError: false'));
        const mine = named(trace, 'checkSite', 'p-map.mjs').filter((c) =>
          familyOf(trace, seg.awaits[0]).has(c.id),
        );
        assert.equal(mine.length, 4, 'mapAll mapped four urls');
        const last = Math.max(...mine.map(settledAt));
        for (const id of seg.awaits) {
          const t = tasks.get(id)!;
          assert.equal(t.settled?.state, 'rejected', `${t.name} ${id}`);
          assert.ok(settledAt(t) >= last, `${t.name} ${id} settled before its mappers`);
        }
      },
    },
  },
  {
    pkg: 'p-retry',
    driver: 'p-retry.mjs',
    truths: {
      'each attempt is a task started by pRetry, failures rejected, with a delay task between attempts': (
        trace,
      ) => {
        const tasks = byId(trace);
        const states = (name: string) => named(trace, name, 'p-retry.mjs').map((t) => t.settled?.state);
        assert.deepEqual(states('flakyFetch'), ['rejected', 'rejected', 'fulfilled']);
        assert.deepEqual(states('alwaysDown'), ['rejected', 'rejected', 'rejected']);
        assert.deepEqual(states('forbidden'), ['rejected']);
        for (const name of ['flakyFetch', 'alwaysDown', 'forbidden']) {
          for (const a of named(trace, name, 'p-retry.mjs'))
            assert.equal(tasks.get(a.parentId ?? -1)?.name, 'pRetry', `${name} ${a.id}`);
        }
        assert.equal(
          trace.tasks.filter((t) => t.name === 'delayForRetry' && inPackage(t.definition, 'p-retry')).length,
          4,
        );
      },
      'pRetry awaits each attempt; a failed attempt makes that await throw; callers wait on pRetry': (
        trace,
      ) => {
        const tasks = byId(trace);
        for (const r of trace.tasks.filter((t) => t.name === 'pRetry')) {
          const attempts = trace.tasks.filter(
            (t) => t.parentId === r.id && inFile(t.definition, 'p-retry.mjs'),
          );
          for (const a of attempts) {
            const seg = suspensions(r).find((s) => s.awaits.includes(a.id));
            assert.ok(seg, `pRetry ${r.id} never awaited attempt ${a.id}`);
            assert.equal(seg.resumedBy, a.id);
            assert.equal(!!seg.threw, a.settled?.state === 'rejected', `attempt ${a.id}`);
          }
        }
        const [budget] = named(trace, 'fetchWithBudget', 'p-retry.mjs');
        const [seg] = awaitsAt(budget, lineOf('p-retry.mjs', 'await pRetry(alwaysDown'));
        assert.equal(tasks.get(seg.resumedBy ?? -1)?.name, 'pRetry');
        assert.equal(seg.threw, true);
      },
    },
  },
  {
    pkg: 'async-mutex',
    driver: 'async-mutex.mjs',
    truths: {
      // async-mutex ships down-levelled code (tslib's __awaiter over generators): not one native async function,
      // so none of its own work is a task. What shows it was instrumented: the calls it makes are sites.
      'ships no native async function: its critical sections are tasks created by calls inside async-mutex': (
        trace,
      ) => {
        const source = fs.readFileSync(path.join(ROOT, 'node_modules/async-mutex/index.mjs'), 'utf8');
        assert.doesNotMatch(source, /\basync\s+(function|\(|[A-Za-z_$][\w$]*\s*=>)/);
        const sections = [...DEPOSIT_SECTIONS(trace), ...PERMIT_SECTIONS(trace)];
        assert.equal(sections.length, 9, 'four deposits, five workers');
        for (const s of sections)
          assert.ok(
            inPackage(s.created.site, 'async-mutex'),
            `section ${s.id} created at ${s.created.site?.file}`,
          );
      },
      'the mutex runs deposits one at a time in FIFO order; the semaphore lets two in': (trace) => {
        const deposits = DEPOSIT_SECTIONS(trace);
        for (let i = 1; i < deposits.length; i++)
          assert.ok(
            settledAt(deposits[i - 1]) <= deposits[i].created.t,
            `section ${deposits[i].id} overlaps`,
          );
        const permits = PERMIT_SECTIONS(trace);
        assert.equal(maxOverlap(permits), 2);
      },
      // WAS A BUG [adoption]: `deposit` returns runExclusive's pending promise and is marked settled at once.
      'deposit settles no earlier than its critical section': (trace) => {
        const deposits = named(trace, 'deposit', 'async-mutex.mjs');
        const sections = DEPOSIT_SECTIONS(trace);
        deposits.forEach((d, i) =>
          assert.ok(
            settledAt(d) >= settledAt(sections[i]),
            `deposit ${d.id} settled before section ${sections[i].id}`,
          ),
        );
      },
      // KNOWN LIMIT [down-levelled code], pinned: async-mutex ships TypeScript's `__awaiter` output, so
      // runExclusive is no async function and its promise is made by `new P(...)` inside `__awaiter`: the
      // runtime sees neither a task nor a `new Promise` to link, and the worker's await has no edge to its
      // section. This pins that (a fix makes it fail: then assert the edge, as for p-queue).
      '`await semaphore.runExclusive(section)`: no edge through down-levelled __awaiter code (known limit)': (trace) => {
        const sections = PERMIT_SECTIONS(trace);
        named(trace, 'worker', 'async-mutex.mjs').forEach((w, i) => {
          const [seg] = awaitsAt(w, lineOf('async-mutex.mjs', 'await permits.runExclusive('));
          assert.deepEqual(seg.awaits, [], `worker ${w.id}`);
          assert.ok(seg.end! >= settledAt(sections[i]), `worker ${w.id} resumed before its section settled`);
        });
      },
    },
  },
  {
    pkg: 'emittery',
    driver: 'emittery.mjs',
    truths: {
      'listeners are tasks created inside emittery; emit() settles after its listeners': (trace) => {
        const tasks = byId(trace);
        const listeners = [
          ...named(trace, 'saveOrder', 'emittery.mjs'),
          ...named(trace, 'mailCustomer', 'emittery.mjs'),
        ];
        assert.equal(listeners.length, 2);
        for (const l of listeners)
          assert.ok(inPackage(l.created.site, 'emittery'), `${l.name} created at ${l.created.site?.file}`);
        const [place] = named(trace, 'placeOrder', 'emittery.mjs');
        const [seg] = awaitsAt(place, lineOf('emittery.mjs', "await bus.emit('order'"));
        const emit = tasks.get(seg.resumedBy ?? -1);
        assert.equal(emit?.name, 'Emittery.emit');
        for (const l of listeners)
          assert.ok(settledAt(emit) >= settledAt(l), `emit settled before ${l.name}`);
        const flaky = definedAt(trace, 'emittery.mjs', "bus.on('flaky', async");
        assert.deepEqual(
          flaky.map((t) => t.settled?.state),
          ['rejected'],
        );
      },
      // WAS A BUG [native-start]: emit() starts its listeners with `listeners.map(async listener => ...)` (native
      // code) and awaits Promise.all of them; those tasks are not linked to the await, so `awaits` is empty.
      'emit() waits on all of its listeners (Promise.all of the tasks map() started)': (trace) => {
        const tasks = byId(trace);
        const [place] = named(trace, 'placeOrder', 'emittery.mjs');
        const emit = tasks.get(
          awaitsAt(place, lineOf('emittery.mjs', "await bus.emit('order'"))[0].resumedBy ?? -1,
        )!;
        const listeners = [
          ...named(trace, 'saveOrder', 'emittery.mjs'),
          ...named(trace, 'mailCustomer', 'emittery.mjs'),
        ];
        // emittery groups its listeners with Promise.allSettled
        const seg = suspensions(emit).find((s) => s.combinator === 'allSettled' || s.combinator === 'all');
        assert.ok(
          seg,
          `Emittery.emit ${emit.id}: no Promise.all suspension (${JSON.stringify(suspensions(emit).map((s) => s.awaits))})`,
        );
        for (const l of listeners)
          assert.ok(
            seg.awaits.some((id) => id === l.id || id === l.parentId),
            `emit does not wait on ${l.name}`,
          );
      },
      // KNOWN LIMIT [who resolved], pinned: once() makes its promise with Promise.withResolvers (here the
      // driver's stand-in, `new this(...)`), not with a `new Promise(...)` the runtime can see, so who resolved
      // it is not known. What must hold: the await is not pinned on an unrelated task (once() emits
      // `listenerAdded`, whose task used to get the edge), and it resumes only after the 'ready' emit ran.
      "`await bus.once('ready')` claims no unrelated task and resumes after the 'ready' emit (who resolved: known limit)": (
        trace,
      ) => {
        const [waiter] = named(trace, 'waitForReady', 'emittery.mjs');
        const seg = awaitsAt(waiter, lineOf('emittery.mjs', "await bus.once('ready')"))[0];
        assert.deepEqual(seg.awaits, []);
        assert.equal(seg.resumedBy, null);
        const emit = trace.tasks.find(
          (t) => inFile(t.created.site, 'emittery.mjs') && t.created.site?.line === lineOf('emittery.mjs', "await bus.emit('ready'"),
        );
        assert.ok(emit, "the 'ready' emit is a task created at its line");
        assert.ok(seg.end! >= emit.created.t);
      },
      // WAS A BUG [awaits-guess]: `for await` calls the iterator's next() from the engine, not from an instrumented
      // call, so the suspensions have no edge to emittery's `next` tasks.
      "`for await` over events() waits on the iterator's next() each time": (trace) => {
        const tasks = byId(trace);
        const [consume] = named(trace, 'consume', 'emittery.mjs');
        const segs = suspensions(consume).filter((s) => s.kind === 'for-await');
        assert.equal(segs.length, 3);
        for (const s of segs) {
          assert.ok(
            s.awaits.length > 0 &&
              s.awaits.every(
                (id) => tasks.get(id)?.name === 'next' && inPackage(tasks.get(id)?.definition, 'emittery'),
              ),
            `awaits [${s.awaits}]`,
          );
          assert.ok(s.resumedBy !== undefined && s.resumedBy !== null);
        }
      },
    },
  },
];

describe('real libraries from npm: instrumented inside, they behave exactly as plain', function () {
  for (const lib of LIBRARIES) {
    describe(`${lib.pkg} (${lib.driver})`, function () {
      this.timeout(RUN_TIMEOUT_MS * 3);
      const entry = path.join(LIBS, lib.driver);
      const runs: { node?: Outcome; plain?: Outcome; traced?: Outcome } = {};

      before(async function () {
        runs.node = await runNode(entry, LIBS, [], RUN_TIMEOUT_MS);
        runs.plain = await runRunner(entry, LIBS, false, [lib.pkg]);
        runs.traced = await runRunner(entry, LIBS, true, [lib.pkg]);
      });

      const same = (a: Outcome | undefined, b: Outcome | undefined, what: string) => {
        assert.ok(a && b, 'run missing');
        assert.equal(b.stdout, a.stdout, `stdout differs (${what})`);
        assert.equal(b.stderr, a.stderr, `stderr differs (${what})`);
        assert.equal(b.code, a.code, `exit code differs (${what})`);
      };

      it('runs cleanly under node', function () {
        assert.equal(runs.node?.code, 0, runs.node?.stderr);
        assert.equal(runs.node?.stderr, '');
        assert.ok(runs.node!.stdout.split('\n').length > 3, 'the driver printed what it did');
      });
      it('runner plain matches node byte for byte', function () {
        same(runs.node, runs.plain, 'plain vs node');
      });
      it(`instrumented (with ${lib.pkg} instrumented) matches plain byte for byte`, function () {
        same(runs.plain, runs.traced, 'instrumented vs plain');
      });

      it(`traces inside ${lib.pkg} and nowhere else in node_modules; every task settles`, function () {
        const trace = runs.traced?.trace;
        assert.ok(trace, 'no trace');
        assert.equal(trace.exit?.reason, 'exited');
        assert.ok(
          trace.tasks.some((t) => inPackage(t.created.site, lib.pkg)),
          `no task created by a call inside ${lib.pkg}`,
        );
        if (lib.pkg !== 'async-mutex') {
          // (async-mutex has no native async function: see its first truth)
          assert.ok(
            trace.tasks.some((t) => inPackage(t.definition, lib.pkg)),
            `no task defined in node_modules/${lib.pkg}`,
          );
        }
        for (const t of trace.tasks) {
          for (const site of [t.definition, t.created.site]) {
            if (site)
              assert.ok(
                inFile(site, lib.driver) || inFile(site, 'withResolvers.mjs') || inPackage(site, lib.pkg),
                `task ${t.id} ${t.name}: site in ${site.file}`,
              );
          }
          assert.ok(t.settled, `task ${t.id} ${t.name} never settled`);
        }
      });

      for (const [truth, check] of Object.entries(lib.truths)) {
        it(truth, function () {
          assert.ok(runs.traced?.trace, 'no trace');
          check(runs.traced.trace);
        });
      }
    });
  }
});
