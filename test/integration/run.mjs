#!/usr/bin/env node
// `node test/integration/run.mjs [--suite-only | --e2e-only]`: the extension inside a real VS Code.
//   1. the integration suite (test/integration/suite, @vscode/test-electron layout) inside
//      code-server's Node extension host, on a scratch copy of test/fixtures/workspace;
//   2. the end-to-end UI test: package the .vsix, install it into code-server, and use the
//      extension as a person would in headless Chromium (test/integration/e2e.mjs).
// Installs code-server and friends on first use (see codeServer.mjs). Expects `npm run build`
// and `npm run compile-tests` to have run (npm test's pretest does both). Ends with a
// `N passed, N failed` line; exit status 1 when anything failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureInstalled, ROOT, runExtensionTests } from './codeServer.mjs';
import { runUiTest } from './e2e.mjs';

const args = process.argv.slice(2);
const doSuite = !args.includes('--e2e-only');
const doE2E = !args.includes('--suite-only');
let passed = 0;
let failed = 0;

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

try {
  ensureInstalled();
} catch (err) {
  console.error(`cannot set up code-server: ${err.message}`);
  failed++;
  finish();
}

if (doSuite) {
  const suite = path.join(ROOT, 'out/test/integration/suite/index.js');
  for (const f of [suite, path.join(ROOT, 'dist/extension.js')]) {
    if (!fs.existsSync(f)) {
      console.error(
        `${path.relative(ROOT, f)} is missing: run \`npm run build && npm run compile-tests\` first`,
      );
      failed++;
      finish();
    }
  }
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'at-ws-'));
  fs.cpSync(path.join(ROOT, 'test/fixtures/workspace'), ws, { recursive: true });
  console.log(`integration suite in code-server (workspace: ${ws})`);
  const t = Date.now();
  const r = await runExtensionTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite,
    folder: ws,
    timeoutSeconds: 600,
    env: process.env.ASYNC_TIMELINE_TEST_GREP
      ? { ASYNC_TIMELINE_TEST_GREP: process.env.ASYNC_TIMELINE_TEST_GREP }
      : {},
    // Mocha's own "N passing" summary is relabelled: this script's closing line is the count.
    onLine: (text, type) =>
      (type === 'error' ? console.error : console.log)(
        text.replace(/^(\s*)(\d+ (?:passing|failing|pending))/gm, '$1suite: $2'),
      ),
  });
  fs.rmSync(ws, { recursive: true, force: true });
  console.log(`integration suite: exit code ${r.code} after ${Math.round((Date.now() - t) / 1000)} s`);
  passed += r.passed;
  failed += r.failed;
  if (r.code !== 0 && r.failed === 0) failed++; // the suite did not load, or timed out
}

if (doE2E) {
  const r = await runUiTest();
  passed += r.passed;
  failed += r.failed;
}
finish();
