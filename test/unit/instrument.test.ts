import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { instrumentFile, SourceError } from '../../src/instrument';

const FIX = path.resolve(__dirname, '../../../test/fixtures/instrument');
const cwd = FIX;

function instrument(name: string, format: 'module' | 'commonjs' = 'commonjs', trace = true) {
  const file = path.join(FIX, name);
  return instrumentFile(fs.readFileSync(file, 'utf8'), file, { format, trace, cwd });
}

const withoutMap = (code: string) => code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');

function sourceMapOf(code: string): SourceMap {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)/.exec(code);
  assert.ok(m, 'inline source map');
  return new SourceMap(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
}

/** 0-based line/column of the first occurrence of `needle` in generated code. */
function positionOf(code: string, needle: string, nth = 0): { line: number; column: number } {
  let idx = -1;
  for (let i = 0; i <= nth; i++) idx = code.indexOf(needle, idx + 1);
  assert.ok(idx >= 0, `${needle} not found`);
  const before = code.slice(0, idx).split('\n');
  return { line: before.length - 1, column: before[before.length - 1].length };
}

describe('instrument: golden outputs', () => {
  // Regenerate with UPDATE_GOLDEN=1 after an intended change, then read the diff.
  for (const [name, format] of [
    ['basics.ts', 'commonjs'],
    ['loops.mjs', 'module'],
    ['names.ts', 'module'],
  ] as const) {
    it(`${name} (${format})`, () => {
      // The site table names the file by its absolute path: keep goldens independent of the checkout's location.
      const out = withoutMap(instrument(name, format).code).split(FIX).join('<fixtures>');
      const golden = path.join(FIX, `${name}.expected.js`);
      if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, out);
      assert.equal(out, fs.readFileSync(golden, 'utf8'));
    });
  }
});

describe('instrument: transform rules', () => {
  it('keeps prologue directives first and wraps the body once', () => {
    const { code } = instrument('basics.ts');
    assert.ok(code.startsWith('"use strict";') || code.startsWith("'use strict';"), code.slice(0, 40));
    assert.equal((code.match(/__asyncTimeline\.e\(/g) ?? []).length, 2, 'two coroutines (worker, main); sleep and the then-callback are not async');
  });

  it('never changes what an await awaits: y() hands back the operand itself', () => {
    const { code } = instrument('basics.ts');
    // `await f()` folds the call bookkeeping into the yield hook; the awaited operand is still the call's own value
    assert.match(code, /__asyncTimeline\.r\(__atlT, await __asyncTimeline\.ya\(__atlT, \d+, __asyncTimeline\.n, sleep\(10\), \d+\)\)/);
    assert.match(code, /await __asyncTimeline\.y\(__atlT, \d+, __asyncTimeline\.g\(Promise, 1, tasks\)\)/);
  });

  it('records a resume at the top of catch and finally blocks', () => {
    const { code } = instrument('basics.ts');
    assert.match(code, /catch \(err\) \{\s*__asyncTimeline\.rc\(__atlT\);/);
    assert.match(code, /finally \{\s*__asyncTimeline\.rc\(__atlT\);\s*__asyncTimeline\.c\(__asyncTimeline\.n, console\.log\('done'\)/);
  });

  it('keeps labels on for-await loops and resumes after them', () => {
    const { code } = instrument('loops.mjs', 'module');
    assert.match(code, /\{\s*outer: for await \(const n of __asyncTimeline\.fa\(__atlT, \d+, __asyncTimeline\.c\(__asyncTimeline\.n, numbers\(\), \d+\), "numbers\(\.\.\.\)", true\)\) \{\s*__asyncTimeline\.r\(__atlT\);/);
    assert.match(code, /continue outer;/);
    assert.match(code, /const __atlT = __asyncTimeline\.e\(\d+\);/, 'the module with top-level for-await is a coroutine');
  });

  it('plain mode only transpiles', () => {
    const { code, sites } = instrument('basics.ts', 'commonjs', false);
    assert.ok(!code.includes('__asyncTimeline'));
    assert.deepEqual(sites, []);
    assert.match(code, /exports\.worker = worker/);
  });

  it('leaves CommonJS JavaScript sloppy (no "use strict" added)', () => {
    const file = path.join(FIX, 'sloppy.cjs');
    const { code } = instrumentFile('async function f() { await null; return this; }\nf();\n', file, { format: 'commonjs', trace: true, cwd });
    assert.ok(!code.includes('use strict'));
  });
});

describe('instrument: sites and names', () => {
  it('names coroutines as a reader would', () => {
    const { sites } = instrument('names.ts', 'module');
    const names = sites.filter((s) => s[3] !== undefined).map((s) => s[3]);
    assert.deepEqual(names, [
      'Crawler.fetch',
      'Crawler.create',
      'Crawler.handler',
      'api.get',
      'api.put',
      'inner',
      'arrow',
      'assigned',
      '<anonymous names.ts:14>',
      'default',
    ]);
  });

  it('gives 1-based positions in the original source', () => {
    const { sites } = instrument('basics.ts');
    const awaits = sites.filter((s) => s[0] === 'await');
    assert.deepEqual(awaits.map(([, l, c]) => [l, c]), [
      [5, 3],
      [12, 5],
    ]);
    const worker = sites.find((s) => s[3] === 'worker');
    assert.deepEqual(worker?.slice(0, 3), ['function', 4, 1]);
    const thenSite = sites.find((s) => s[0] === 'then');
    assert.deepEqual(thenSite?.slice(0, 3), ['then', 18, 12]);
  });

  it('maps generated code back to the original through the inline source map', () => {
    const { code } = instrument('basics.ts');
    const map = sourceMapOf(code);
    // The `sleep(10)` call inside the first await, and `Promise.all` in the second.
    const sleepCall = positionOf(code, 'sleep(10)');
    const e1 = map.findEntry(sleepCall.line, sleepCall.column) as { originalLine: number; originalColumn: number };
    assert.deepEqual([e1.originalLine + 1, e1.originalColumn + 1], [5, 9]);
    const consoleDone = positionOf(code, "console.log('done')");
    const e2 = map.findEntry(consoleDone.line, consoleDone.column) as { originalLine: number; originalColumn: number };
    assert.deepEqual([e2.originalLine + 1, e2.originalColumn + 1], [16, 5]);
  });
});

describe('instrument: errors', () => {
  it('a syntax error is a SourceError at file:line:column', () => {
    assert.throws(
      () => instrumentFile('async function f() {\n  await (1 +;\n}\n', path.join(FIX, 'bad.ts'), { format: 'commonjs', trace: true, cwd }),
      (err: unknown) => err instanceof SourceError && err.message === 'bad.ts:2:13: Expression expected.' && err.line === 2 && err.column === 13,
    );
  });
});
