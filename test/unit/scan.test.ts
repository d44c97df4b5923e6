import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { scanAsyncFunctions } from '../../src/instrument/scan';

const root = path.resolve(__dirname, '../../..');

describe('instrument/scan', () => {
  it('finds the async functions and the entry point of the worker example', () => {
    const text = fs.readFileSync(path.join(root, 'test/fixtures/workspace/workers.ts'), 'utf8');
    const r = scanAsyncFunctions(text, 'workers.ts');
    assert.deepEqual(
      r.functions.map((f) => [f.name, f.kind, f.line]),
      [
        ['worker1', 'function', 6],
        ['worker2', 'function', 12],
        ['main', 'function', 18],
      ],
    );
    assert.equal(r.entryLine, 29); // main().then(...)
    assert.equal(r.topLevelAwait, false);
  });

  it('names methods, arrows, object methods, generators and anonymous functions', () => {
    const src = [
      'class Crawler {', //                                1
      '  @log async fetch(url: string) { await 1; }', //   2
      '  handler = async () => {};', //                     3
      '  async *pages() { yield 1; }', //                  4
      '}', //                                              5
      'const api = { async get() {}, put: async function () {} };', // 6
      'export const load = async (x: number) => x;', //   7
      'setTimeout(async () => { await 0; }, 1);', //       8
      '// async function commented() {}', //               9
      'const s = "async function inString() {}";', //      10
      'function notAsync() { return 1; }', //              11
    ].join('\n');
    const r = scanAsyncFunctions(src, 'x.ts');
    assert.deepEqual(
      r.functions.map((f) => [f.name, f.kind, f.line]),
      [
        ['Crawler.fetch', 'method', 2],
        ['Crawler.handler', 'arrow', 3],
        ['Crawler.pages', 'generator', 4],
        ['api.get', 'method', 6],
        ['api.put', 'function', 6],
        ['load', 'arrow', 7],
        ['<anonymous x.ts:8>', 'arrow', 8],
      ],
    );
    assert.equal(r.functions[0]!.column, 8); // at `async`, after the decorator
    assert.equal(r.entryLine, 8);
  });

  it('gives the names the trace gives: handlers after what registered them, well-known symbol methods', () => {
    const src = [
      "app.get('/user/:id', async (req, res) => { await 1; });", // 1
      "emitter.on('data', async function () {});", //               2
      'class Feed { async *[Symbol.asyncIterator]() {} }', //       3
      'register(async () => {});', //                               4
    ].join('\n');
    const r = scanAsyncFunctions(src, '/work/srv.ts');
    assert.deepEqual(
      r.functions.map((f) => f.name),
      ['GET /user/:id', "on 'data'", 'Feed[Symbol.asyncIterator]', '<anonymous srv.ts:4>'],
    );
  });

  it('detects top-level await as the entry point, in JS files too', () => {
    const r = scanAsyncFunctions('const helper = () => 1;\nimport("x");\n', 'a.mjs');
    assert.equal(r.entryLine, 2);
    const t = scanAsyncFunctions(
      'const x = 1;\n\nconst data = await fetchIt();\nasync function fetchIt() {}\n',
      'a.mts',
    );
    assert.equal(t.entryLine, 3);
    assert.equal(t.topLevelAwait, true);
    assert.deepEqual(scanAsyncFunctions('', 'empty.ts'), {
      functions: [],
      entryLine: 1,
      topLevelAwait: false,
    });
  });

  it('survives syntax errors (the parser recovers)', () => {
    const r = scanAsyncFunctions('async function ok() {}\nasync function broken( {\n', 'b.ts');
    assert.equal(r.functions[0]!.name, 'ok');
  });

  it('parses TSX', () => {
    const r = scanAsyncFunctions('const App = async () => <div>{await load()}</div>;\n', 'a.tsx');
    assert.deepEqual(
      r.functions.map((f) => f.name),
      ['App'],
    );
  });
});
