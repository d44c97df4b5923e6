/**
 * Runs the same program two ways — traced by the runner, and plainly with tsx as the loader — and
 * collects what each printed, so a test can hold them side by side.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startRun } from '../../../src/runner/run';
import type { RunOptions, RunResult } from '../../../src/runner/types';
import type { Outcome } from './runNode';

/** The repository's node_modules/.bin (tsx, mocha). */
export const BIN = path.resolve(__dirname, '../../../../node_modules/.bin');

/** `command args…` in `cwd` (env merged over ours), untraced. */
export function runPlain(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }));
  });
}

/** A traced run through the runner (a file, or `command` when given). */
export async function runTraced(opts: RunOptions): Promise<Outcome & { result: RunResult }> {
  let stdout = '';
  let stderr = '';
  const handle = await startRun(opts, { onStdout: (t) => (stdout += t), onStderr: (t) => (stderr += t) });
  const result = await handle.done;
  return { stdout, stderr, code: result.exit.code, trace: result.trace, result };
}
