/**
 * The integration suite's entry, in the @vscode/test-electron layout: VS Code loads this module
 * as `extensionTestsPath` in the extension host and calls `run()`; it drives mocha over every
 * `*.test.js` next to it. The same module runs under test-electron (desktop) and inside
 * code-server's Node extension host (test/integration/run.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

/** Runs the suite; rejects when any test failed. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // ASYNC_TIMELINE_TEST_GREP narrows the run while working on one test.
  if (process.env.ASYNC_TIMELINE_TEST_GREP) mocha.grep(process.env.ASYNC_TIMELINE_TEST_GREP);
  for (const f of fs.readdirSync(__dirname).sort())
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
