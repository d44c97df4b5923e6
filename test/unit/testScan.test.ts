import assert from 'node:assert/strict';
import { scanTests } from '../../src/instrument/testScan';

/** `name@line` per test, suites marked, with their parents: the shape the lenses are built from. */
const shape = (src: string, file = 'x.test.ts') =>
  scanTests(src, file).tests.map(
    (t) => `${t.isSuite ? 'suite ' : ''}${[...t.parents, t.name].join(' > ')}@${t.line}`,
  );

describe('instrument/testScan', () => {
  it('finds node:test tests and suites by what was imported, with their suites and lines', () => {
    const src = [
      "import { describe, it as spec, test } from 'node:test';", // 1
      "describe('math', () => {", //                                   2
      "  spec('adds', async () => {});", //                             3
      "  describe.only('nested', () => { test('deep', () => {}); });", // 4
      '});', //                                                          5
      'test(`template name`, async () => {});', //                       6
      "test('x' + y, () => {});", //                                     7 computed: no lens
      "it('not imported', () => {});", //                                8 `it` is not bound here
    ].join('\n');
    const r = scanTests(src, 'math.test.ts');
    assert.equal(r.framework, 'node:test');
    assert.deepEqual(shape(src), [
      'suite math@2',
      'math > adds@3',
      'suite math > nested@4',
      'math > nested > deep@4',
      'template name@6',
    ]);
    assert.equal(r.tests[1].kind, 'it', 'the imported name, not the alias');
  });

  it('knows the default import, namespaces and require of node:test', () => {
    assert.deepEqual(
      shape("import test from 'node:test';\ntest('a', () => {});\ntest.skip('b', () => {});"),
      ['a@2', 'b@3'],
    );
    assert.deepEqual(
      shape("import * as nt from 'node:test';\nnt.describe('s', () => { nt.it('a', () => {}); });"),
      ['suite s@2', 's > a@2'],
    );
    assert.deepEqual(shape("const { test: t } = require('node:test');\nt('a', () => {});", 'x.test.js'), [
      'a@2',
    ]);
    assert.deepEqual(shape("const test = require('test');\ntest('a', () => {});", 'x.test.cjs'), ['a@2']);
  });

  it('reports describe/it used as globals (mocha style), but not names the file declares itself', () => {
    const src =
      "describe('queue', function () {\n  context('full', () => { it('waits', async () => {}); });\n});";
    const r = scanTests(src, 'q.spec.js');
    assert.equal(r.framework, 'globals');
    assert.deepEqual(shape(src, 'q.spec.js'), [
      'suite queue@1',
      'suite queue > full@2',
      'queue > full > waits@2',
    ]);
    assert.deepEqual(scanTests("function it(n, f) {}\nit('x', () => {});", 'a.ts'), {
      framework: null,
      tests: [],
    });
    assert.deepEqual(scanTests('const x = 1;', 'a.ts'), { framework: null, tests: [] });
  });

  it('parses TSX and tolerates syntax errors', () => {
    assert.deepEqual(
      shape("import { test } from 'node:test';\ntest('jsx', () => { const e = <div/>; });", 'a.test.tsx'),
      ['jsx@2'],
    );
    assert.deepEqual(
      shape("import { test } from 'node:test';\ntest('ok', () => {});\ntest('broken', () => {", 'b.test.ts'),
      ['ok@2', 'broken@3'],
    );
  });
});
