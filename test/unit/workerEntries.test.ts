import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workerEntries } from '../../src/runner/workerEntries';
import { prepareProgram } from '../../src/runner/moduleGraph';
import * as instrumenter from '../../src/instrument';

describe('worker entries the host prepares ahead', () => {
  const file = '/proj/src/pool.ts';
  const cwd = '/proj';

  it('finds the forms people write, each resolved as Node resolves it', () => {
    const source = [
      "const a = new Worker('./workers/a.js');", // relative to the working directory
      'const b = new Worker(new URL("./b.ts", import.meta.url));', // relative to the module
      "const c = new Worker(path.join(__dirname, 'workers', 'c.ts'), { workerData: 1 });",
      "const d = new Worker(resolve(__dirname, 'd.mts'));",
      'const e = new Worker(`../e.js`);',
    ].join('\n');
    assert.deepEqual(workerEntries(source, file, cwd), [
      '/proj/workers/a.js',
      '/proj/src/b.ts',
      '/proj/src/workers/c.ts',
      '/proj/src/d.mts',
      '/e.js',
    ]);
  });

  it('leaves alone what names no file: code run with eval, a module name, a computed path', () => {
    const source = [
      "new Worker('postMessage(1)', { eval: true });",
      "new Worker('some-package/worker');",
      'new Worker(path.join(__dirname, name));',
      'new Worker(`./${name}.js`);',
      'new Worker(file);',
    ].join('\n');
    assert.deepEqual(workerEntries(source, file, cwd), []);
  });

  it('prepareProgram instruments a worker file with the program, so the worker needs no instrumenter', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-workers-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'main.ts'),
        "import { Worker } from 'node:worker_threads';\nimport path from 'node:path';\nnew Worker(path.join(__dirname, 'w.ts'));\n",
      );
      fs.writeFileSync(
        path.join(dir, 'w.ts'),
        'async function work(): Promise<number> { return 1; }\nvoid work();\n',
      );
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'atl-workers-cache-'));
      const prepared = prepareProgram(instrumenter, path.join(dir, 'main.ts'), dir, true, cache);
      assert.deepEqual(
        Object.keys(prepared.files).sort(),
        [path.join(dir, 'main.ts'), path.join(dir, 'w.ts')].sort(),
      );
      // its sites are registered by the host like every prepared file's
      assert.ok(
        prepared.sites.some(
          (s) => s.file === path.join(dir, 'w.ts') && s.entries.some((e) => e[0] === 'function'),
        ),
      );
      fs.rmSync(cache, { recursive: true, force: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
