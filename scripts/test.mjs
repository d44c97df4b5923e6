// `npm test`: every suite, in order, on a machine that may be fresh (the `pretest` script has
// already built dist/ and compiled the tests to out/). Each step's output streams through;
// the counts of all steps are summed into one closing `N passed, N failed` line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const only = process.argv.slice(2);
const steps = [
  { name: 'types', cmd: 'npm', args: ['run', '--silent', 'check-types'] },
  { name: 'lint', cmd: 'npm', args: ['run', '--silent', 'lint'] },
  // the spec is given here, not in .mocharc.json: there it is added to any file named on the command line
  { name: 'unit', cmd: 'npx', args: ['mocha', 'out/test/unit/**/*.test.js'] },
  { name: 'webview', cmd: 'node', args: ['test/webview/run.mjs'], when: 'test/webview/run.mjs' },
  { name: 'vscode', cmd: 'node', args: ['test/integration/run.mjs'], when: 'test/integration/run.mjs' },
].filter((s) => (!s.when || fs.existsSync(s.when)) && (only.length === 0 || only.includes(s.name)));

let passed = 0;
let failed = 0;
const failedSteps = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd} ${step.args.join(' ')}`);
  let text = '';
  const code = await new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { process.stdout.write(d); text += d; });
    child.stderr.on('data', (d) => { process.stderr.write(d); text += d; });
    child.on('close', (c) => resolve(c ?? 1));
  });
  // mocha says "N passing" / "N failing"; our own harnesses end with "N passed, N failed".
  const mp = [...text.matchAll(/^\s*(\d+) passing/gm)].map((m) => +m[1]);
  const mf = [...text.matchAll(/^\s*(\d+) failing/gm)].map((m) => +m[1]);
  const plain = [...text.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  if (mp.length || mf.length) {
    passed += mp.reduce((a, b) => a + b, 0);
    failed += mf.reduce((a, b) => a + b, 0);
  } else if (plain.length) {
    const last = plain[plain.length - 1];
    passed += +last[1];
    failed += +last[2];
  } else if (code === 0) {
    passed += 1; // a check step (types, lint) counts as one
  }
  if (code !== 0) {
    failedSteps.push(step.name);
    if (!mf.length && !plain.length) failed += 1;
  }
}
console.log(`\nsteps failed: ${failedSteps.length ? failedSteps.join(', ') : 'none'}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
