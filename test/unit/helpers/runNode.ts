/** Runs a program with this process's node, directly (a test's ground truth), and collects what it did. */
import { spawn } from 'node:child_process';
import type { Trace } from '../../../src/protocol/trace';

/** What a run did: its output, its exit code and (for traced runs) its trace. */
export interface Outcome {
  stdout: string;
  stderr: string;
  code: number | null;
  trace?: Trace;
}

/** `node file args…` in `cwd`, killed after `timeoutMs`. */
export function runNode(file: string, cwd: string, args: string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      });
    });
  });
}
