import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { npmRunCommand, readNpmScripts } from '../../src/extension/npmScripts';
import {
  escapeRegExp,
  looksLikeTestFile,
  mochaGrep,
  nodeTestPattern,
  parseTestTarget,
  testCommand,
  testLabel,
  testRunnerFor,
  type TestTarget,
} from '../../src/extension/testCommand';
import { scanTests } from '../../src/instrument/testScan';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/testRunners');

/** The targets of a fixture file, as the lenses would make them. */
function targets(file: string): TestTarget[] {
  const scan = scanTests(fs.readFileSync(file, 'utf8'), file);
  const runner = testRunnerFor(scan, file);
  assert.ok(runner, `a runner for ${file}`);
  return scan.tests.map((test) => ({ file, runner, test }));
}
const find = (ts: TestTarget[], full: string) =>
  ts.find((t) => [...t.test.parents, t.test.name].join(' > ') === full)!;

/** Runs the command (untraced: the pattern is what is under test) and lists the tests that said they ran. */
function ran(target: TestTarget): string[] {
  const { command, cwd } = testCommand(target, process.execPath);
  let out: string;
  try {
    out = execFileSync(command[0], command.slice(1), {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  return [...out.matchAll(/RAN ([^\n]+)/g)].map((m) => m[1].trim()).sort();
}

describe('extension/testCommand: running one test', () => {
  it('escapes test names for a regular expression', () => {
    const name = 'a.b*c (d) [e] {f} ^$ | + ? \\ /';
    assert.ok(new RegExp(`^${escapeRegExp(name)}$`).test(name));
    assert.ok(!new RegExp(`^${escapeRegExp('a.b')}$`).test('axb'));
  });

  it('node:test: the pattern runs exactly the clicked test, or every test of a clicked suite', () => {
    const ts = targets(path.join(fixtures, 'nodeRunner.test.mjs'));
    assert.equal(ts[0].runner, 'node:test');
    assert.deepEqual(ran(find(ts, 'math (basics) > adds 1+1')), ['math adds']);
    assert.deepEqual(ran(find(ts, 'top [one]')), ['top one'], 'not "top [one] more"');
    assert.deepEqual(ran(find(ts, 'math (basics)')), ['math adds', 'math same name']);
    assert.equal(
      nodeTestPattern(find(ts, 'math (basics) > adds 1+1').test),
      '^(?:math \\(basics\\) )?adds 1\\+1$',
    );
  });

  it('mocha: the grep runs exactly the clicked test by its full title, or everything under a suite', () => {
    const ts = targets(path.join(fixtures, 'mochaRunner.spec.js'));
    assert.equal(ts[0].runner, 'mocha');
    assert.deepEqual(
      ran(find(ts, 'queue > drains')),
      ['queue drains'],
      'not "drains twice", not "other drains"',
    );
    assert.deepEqual(ran(find(ts, 'queue > when full > waits')), ['queue when full waits']);
    assert.deepEqual(ran(find(ts, 'queue')), ['queue drains', 'queue drains twice', 'queue when full waits']);
    assert.equal(mochaGrep(find(ts, 'queue > when full').test), '^queue when full ');
    const { command, cwd } = testCommand(find(ts, 'queue > drains'), '/usr/bin/node');
    assert.equal(cwd, fixtures, 'runs in the package folder (its mocha config applies)');
    assert.equal(command[0], '/usr/bin/node');
    assert.match(command[1], /node_modules[\\/]mocha[\\/]bin[\\/]mocha(\.js)?$/);
  });

  it('globals count as mocha only in a package that depends on mocha or in a file named or placed like a test', () => {
    const globals = scanTests("describe('a', () => { it('b', () => {}); });", 'x.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-tests-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"p"}');
      assert.equal(testRunnerFor(globals, path.join(dir, 'src/app.js')), null);
      assert.equal(testRunnerFor(globals, path.join(dir, 'src/app.spec.js')), 'mocha');
      assert.equal(testRunnerFor(globals, path.join(dir, 'test/app.js')), 'mocha');
      fs.writeFileSync(path.join(dir, 'package.json'), '{"devDependencies":{"mocha":"^10"}}');
      assert.equal(testRunnerFor(globals, path.join(dir, 'src/app.js')), 'mocha');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(looksLikeTestFile('/p/a.test.mts', '/p') && !looksLikeTestFile('/p/latest.ts', '/p'));
    assert.equal(testRunnerFor(scanTests('const x = 1;', 'a.test.ts'), '/p/a.test.ts'), null);
  });

  it('labels runs and validates lens arguments', () => {
    const t = find(targets(path.join(fixtures, 'nodeRunner.test.mjs')), 'math (basics) > adds 1+1');
    assert.equal(testLabel(t), 'test "math (basics) › adds 1+1" (node:test)');
    assert.deepEqual(parseTestTarget(JSON.parse(JSON.stringify(t))), t);
    for (const bad of [
      null,
      1,
      {},
      { ...t, file: 'rel.ts' },
      { ...t, runner: 'jest' },
      { ...t, test: { ...t.test, parents: [1] } },
    ])
      assert.equal(parseTestTarget(bad), null, JSON.stringify(bad));
  });
});

describe('extension/npmScripts', () => {
  it("lists a package.json's scripts in file order and runs them with the npm beside the chosen node", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-npm-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name: 'demo', scripts: { start: 'node a.js', test: 'node --test', bad: 3 } }),
      );
      const scripts = readNpmScripts(dir);
      assert.deepEqual(
        scripts.map((s) => [s.packageName, s.name, s.script]),
        [
          ['demo', 'start', 'node a.js'],
          ['demo', 'test', 'node --test'],
        ],
      );
      assert.deepEqual(readNpmScripts(path.join(dir, 'none')), []);
      fs.writeFileSync(path.join(dir, 'package.json'), '{ not json');
      assert.deepEqual(readNpmScripts(dir), []);
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, process.platform === 'win32' ? 'npm.cmd' : 'npm'), '');
      assert.deepEqual(npmRunCommand(scripts[1], path.join(bin, 'node')), [
        path.join(bin, process.platform === 'win32' ? 'npm.cmd' : 'npm'),
        'run',
        'test',
      ]);
      assert.deepEqual(npmRunCommand(scripts[1], 'node'), [
        process.platform === 'win32' ? 'npm.cmd' : 'npm',
        'run',
        'test',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
