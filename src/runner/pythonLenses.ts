/**
 * Where the `▶ Run with Timeline` lenses go in a Python file: asks the user's own interpreter
 * (its `ast` module, through `pyruntime/lenses.py`) rather than guessing with regular
 * expressions. The buffer goes in on stdin, so unsaved edits are scanned as shown. No vscode.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ScanResult } from '../instrument/scan';

/** The answer for a file that does not parse: where, and Python's message. */
export interface PythonScanError {
  error: { message: string; line: number; column: number };
}

/** Scans `source` with `python`; rejects when the interpreter cannot be run or answers nonsense. */
export function scanPythonSource(python: string, source: string, dist: string, timeoutMs = 10_000): Promise<ScanResult | PythonScanError> {
  const script = path.join(dist, 'pyruntime', 'lenses.py');
  return new Promise((resolve, reject) => {
    // -I: isolated (no PYTHONPATH, no user site, no script folder on sys.path): only the standard library.
    const child = spawn(python, ['-I', script], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(out.trim().split('\n').pop() ?? '') as ScanResult | PythonScanError;
        if ('error' in parsed || (Array.isArray(parsed.functions) && typeof parsed.entryLine === 'number')) {
          resolve(parsed);
          return;
        }
      } catch {
        // fall through
      }
      reject(new Error(`lens scan failed (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
    child.stdin.on('error', () => undefined); // the child may exit before reading everything
    child.stdin.end(source, 'utf8');
  });
}
