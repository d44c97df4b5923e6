/**
 * What `▶ Trace test` runs: which framework a test file belongs to, and the command line that runs
 * just that test (or suite) under the timeline. Pure apart from reading package.json files; no
 * `vscode`, so the unit tests exercise it on plain Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestInfo, TestScanResult } from '../instrument/testScan';

export type TestRunner = 'node:test' | 'mocha';

/** A test the user asked to trace. */
export interface TestTarget {
  /** Absolute path of the test file. */
  file: string;
  runner: TestRunner;
  test: TestInfo;
}

/** The command that runs one test, and where. */
export interface TestCommand {
  command: string[];
  cwd: string;
}

/** `test "math › adds" (node:test)`: what the run is called in the output, the status bar and the timeline's title. */
export function testLabel(target: TestTarget): string {
  const t = target.test;
  return `${t.isSuite ? 'suite' : 'test'} "${[...t.parents, t.name].join(' › ')}" (${target.runner})`;
}

/** Validates a `traceTest` command argument (commands can be invoked with anything); null when malformed. */
export function parseTestTarget(v: unknown): TestTarget | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const t = o.test as Record<string, unknown> | null | undefined;
  if (typeof o.file !== 'string' || !path.isAbsolute(o.file)) return null;
  if (o.runner !== 'node:test' && o.runner !== 'mocha') return null;
  if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || typeof t.isSuite !== 'boolean')
    return null;
  if (!Array.isArray(t.parents) || !t.parents.every((p) => typeof p === 'string')) return null;
  const kinds = ['test', 'it', 'describe', 'suite', 'context'];
  if (typeof t.kind !== 'string' || !kinds.includes(t.kind)) return null;
  return {
    file: o.file,
    runner: o.runner,
    test: {
      kind: t.kind as TestInfo['kind'],
      name: t.name,
      parents: t.parents as string[],
      isSuite: t.isSuite,
      line: Number.isInteger(t.line) ? (t.line as number) : 1,
      column: Number.isInteger(t.column) ? (t.column as number) : 1,
    },
  };
}

/** A regular expression source matching `text` literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The nearest folder at or above `file`'s folder holding a package.json, or null. */
export function packageDirOf(file: string): string | null {
  let dir = path.dirname(file);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function readPackage(dir: string | null): Record<string, unknown> | null {
  if (!dir) return null;
  try {
    const pkg: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** True when the package lists mocha among its dependencies of any kind. */
function dependsOnMocha(pkg: Record<string, unknown> | null): boolean {
  if (!pkg) return false;
  return ['devDependencies', 'dependencies', 'peerDependencies', 'optionalDependencies'].some((k) => {
    const deps = pkg[k];
    return typeof deps === 'object' && deps !== null && 'mocha' in deps;
  });
}

/** `x.test.ts`, `x.spec.mjs`, or any file under a `test/` (or `tests/`) folder of the package. */
export function looksLikeTestFile(file: string, packageDir: string | null): boolean {
  if (/\.(test|spec)\.[cm]?[jt]sx?$/i.test(path.basename(file))) return true;
  const rel = path.relative(packageDir ?? path.dirname(file), file).split(path.sep);
  return rel.slice(0, -1).some((part) => part === 'test' || part === 'tests');
}

/**
 * Which runner a scanned file's tests belong to: Node's test runner when it imports `node:test`;
 * mocha when it uses describe/it as globals and the package depends on mocha or the file is named
 * or placed like a test. Null: no lenses.
 */
export function testRunnerFor(scan: TestScanResult, file: string): TestRunner | null {
  if (scan.framework === 'node:test') return 'node:test';
  if (scan.framework !== 'globals') return null;
  const dir = packageDirOf(file);
  return dependsOnMocha(readPackage(dir)) || looksLikeTestFile(file, dir) ? 'mocha' : null;
}

/**
 * The `--test-name-pattern` for one node:test test or suite. Node 20 matches each test's own name
 * (a matching suite runs everything in it); newer Node versions may match the name with its
 * suites' names in front, joined by spaces: the optional prefix accepts both, anchored both ends.
 */
export function nodeTestPattern(test: TestInfo): string {
  const name = escapeRegExp(test.name);
  if (!test.parents.length) return `^${name}$`;
  return `^(?:${escapeRegExp(test.parents.join(' '))} )?${name}$`;
}

/**
 * The `--grep` for one mocha test or suite: mocha matches a test's full title (its suites' titles
 * and its own, joined by spaces). A test matches exactly; a suite matches every test under it.
 */
export function mochaGrep(test: TestInfo): string {
  const full = escapeRegExp([...test.parents, test.name].join(' '));
  return test.isSuite ? `^${full} ` : `^${full}$`;
}

/** The mocha CLI script of the package (its `bin.mocha`), resolved from the package's folder. */
export function mochaBin(packageDir: string): string {
  let pkgJson: string;
  try {
    pkgJson = require.resolve('mocha/package.json', { paths: [packageDir] });
  } catch {
    throw new Error(`mocha is not installed in ${packageDir} (npm install --save-dev mocha)`);
  }
  const pkg = readPackage(path.dirname(pkgJson));
  const bin = pkg?.bin;
  const rel =
    typeof bin === 'string'
      ? bin
      : typeof bin === 'object' && bin !== null
        ? (bin as Record<string, unknown>).mocha
        : undefined;
  return path.join(path.dirname(pkgJson), typeof rel === 'string' ? rel : 'bin/mocha.js');
}

/**
 * The command that runs just this test under the timeline: `node --test --test-name-pattern=…
 * <file>`, or the package's mocha with `--grep … <file>` (mocha reads the package's own config, so
 * `require`, `extension`, `timeout` … apply; a config `spec` list is still loaded, the grep keeps
 * only this test). The cwd is the package's folder, so config and relative paths resolve as under npm.
 */
export function testCommand(target: TestTarget, nodePath: string): TestCommand {
  const cwd = packageDirOf(target.file) ?? path.dirname(target.file);
  if (target.runner === 'node:test') {
    return {
      command: [nodePath, '--test', `--test-name-pattern=${nodeTestPattern(target.test)}`, target.file],
      cwd,
    };
  }
  return { command: [nodePath, mochaBin(cwd), '--grep', mochaGrep(target.test), target.file], cwd };
}
