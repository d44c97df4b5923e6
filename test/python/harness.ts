/**
 * Shared by the Python suites (test/unit/pythonTracer.test.ts, test/unit/pythonDiff.test.ts):
 * finds the Python interpreters of this machine and runs a script under the tracer through the
 * launch contract of pyruntime/PROTOCOL.md (no host launcher involved), then folds the events
 * file with the real FrameDecoder + TraceBuilder.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FrameDecoder } from '../../src/runner/frameDecoder';
import { TraceBuilder } from '../../src/core/traceBuilder';
import type { RuntimeMessage } from '../../src/protocol/events';
import type { Trace } from '../../src/protocol/trace';

/** The repository root (this file is compiled to out/test/python/). */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
export const PYRUNTIME = path.join(ROOT, 'pyruntime');
export const PYDIFF = path.join(ROOT, 'test', 'fixtures', 'pydiff');
/** The seed programs: byte-identical copies in test/python/seed (the line numbers the tests check). */
export const SEED = path.join(ROOT, 'test', 'python', 'seed');

export interface Interpreter {
  path: string;
  version: string;
  minor: number;
}

let found: Interpreter[] | null = null;

/** Every real CPython ≥ 3.11 binary: pyenv's versions and the PATH (never the pyenv shim). */
export function findInterpreters(): Interpreter[] {
  if (found) return found;
  const candidates: string[] = [];
  const roots = new Set<string>();
  if (process.env.PYENV_ROOT) roots.add(process.env.PYENV_ROOT);
  roots.add(path.join(os.homedir(), '.pyenv'));
  try {
    roots.add(execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pyenv
  }
  for (const r of roots) {
    const versions = path.join(r, 'versions');
    if (!fs.existsSync(versions)) continue;
    for (const v of fs.readdirSync(versions)) {
      const m = /^3\.(\d+)\.\d+$/.exec(v);
      if (m) candidates.push(path.join(versions, v, 'bin', `python3.${m[1]}`));
    }
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || dir.includes('shims')) continue;
    for (const name of ['python3', 'python3.11', 'python3.12', 'python3.13', 'python3.14']) candidates.push(path.join(dir, name));
  }
  const byReal = new Map<string, Interpreter>();
  for (const c of candidates) {
    let real: string;
    try {
      real = fs.realpathSync(c);
    } catch {
      continue;
    }
    if (byReal.has(real)) continue;
    try {
      const version = execFileSync(real, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20000,
      }).trim();
      const minor = Number(version.split('.')[1]);
      if (minor >= 11) byReal.set(real, { path: real, version, minor });
    } catch {
      // not runnable
    }
  }
  // one interpreter per version
  const byVersion = new Map<string, Interpreter>();
  for (const i of byReal.values()) if (!byVersion.has(i.version)) byVersion.set(i.version, i);
  found = [...byVersion.values()].sort((a, b) => a.minor - b.minor);
  return found;
}

/** An interpreter older than 3.11 (for the "needs 3.11" message), when this machine has one. */
export function findOldInterpreter(): string | null {
  const r = (() => {
    try {
      return execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return path.join(os.homedir(), '.pyenv');
    }
  })();
  const versions = path.join(r, 'versions');
  if (!fs.existsSync(versions)) return null;
  for (const v of fs.readdirSync(versions).sort().reverse()) {
    const m = /^3\.(\d+)\.\d+$/.exec(v);
    if (m && Number(m[1]) < 11 && Number(m[1]) >= 8) {
      const p = path.join(versions, v, 'bin', `python3.${m[1]}`);
      if (fs.existsSync(p)) return p;
    }
  }
  return null;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  eventsFile: string;
  messages: RuntimeMessage[];
  trace: Trace;
  builder: TraceBuilder;
}

export interface RunOptions {
  args?: string[];
  cwd?: string;
  /** false: the manifest says trace:false (plain leg through the boot file). undefined/true: traced. */
  trace?: boolean;
  /** Run without any tracer env at all (python directly). */
  plain?: boolean;
  /** Create the stop file after this many ms, then SIGKILL once `stopping` is in the events file. */
  stopAfterMs?: number;
  /** Send this signal after this many ms. */
  signalAfter?: { ms: number; signal: NodeJS.Signals };
  /** When this text shows on stdout, send `signal` (or run the stop protocol with 'stop'). */
  onStdout?: { text: string; action: NodeJS.Signals | 'stop' };
  timeoutMs?: number;
  maxEvents?: number;
  userRoots?: string[];
}

function decode(bytes: Buffer, cwd: string, entry: string): { builder: TraceBuilder; messages: RuntimeMessage[] } {
  const builder = new TraceBuilder({ entry, cwd, language: 'python', startedAt: new Date().toISOString() });
  const messages: RuntimeMessage[] = [];
  const dec = new FrameDecoder({
    events: (b) => builder.handleEvents(b),
    message: (m) => {
      messages.push(m);
      builder.handleMessage(m);
    },
  });
  dec.push(bytes);
  return { builder, messages };
}

/** Runs `python script args…` under the tracer's launch contract and folds what it recorded. */
export function runPython(python: string, script: string, opts: RunOptions = {}): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-py-'));
  const eventsFile = path.join(dir, 'events.bin');
  const stopFile = path.join(dir, 'stop');
  const cwd = opts.cwd ?? path.dirname(script);
  const manifest = path.join(dir, 'manifest.json');
  fs.writeFileSync(
    manifest,
    JSON.stringify({
      version: 1,
      eventsFile,
      stopFile,
      maxEvents: opts.maxEvents ?? 5_000_000,
      cwd,
      userRoots: opts.userRoots ?? [path.dirname(script)],
      trace: opts.trace ?? true,
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONHASHSEED: '0' };
  delete env.PYTHONPATH;
  delete env.ASYNC_TIMELINE_PY_MANIFEST;
  if (!opts.plain) {
    env.ASYNC_TIMELINE_PY_MANIFEST = manifest;
    env.PYTHONPATH = PYRUNTIME;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...(opts.args ?? [])], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let acted = false;
    const timers: NodeJS.Timeout[] = [];
    const stopThenKill = () => {
      fs.writeFileSync(stopFile, '');
      const poll = setInterval(() => {
        const text = fs.existsSync(eventsFile) ? fs.readFileSync(eventsFile).toString('latin1') : '';
        if (text.includes('"type":"stopping"') || Date.now() - started > 20000) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 5);
      timers.push(poll as unknown as NodeJS.Timeout);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      if (opts.onStdout && !acted && stdout.includes(opts.onStdout.text)) {
        acted = true;
        if (opts.onStdout.action === 'stop') stopThenKill();
        else child.kill(opts.onStdout.action);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    if (opts.stopAfterMs !== undefined) timers.push(setTimeout(stopThenKill, opts.stopAfterMs));
    if (opts.signalAfter) {
      const s = opts.signalAfter;
      timers.push(setTimeout(() => child.kill(s.signal), s.ms));
    }
    timers.push(setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60000));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      for (const t of timers) clearTimeout(t);
      const bytes = fs.existsSync(eventsFile) ? fs.readFileSync(eventsFile) : Buffer.alloc(0);
      const { builder, messages } = decode(bytes, cwd, path.relative(cwd, script));
      builder.finish({ code: status, signal, reason: 'exited' }, 0);
      resolve({ status, signal, stdout, stderr, eventsFile, messages, trace: builder.snapshot(), builder });
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
}

/** A copy of a seed program with its sleeps divided by `factor` (fast tests keep the shape). */
export function scaledCopy(src: string, factor: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-py-seed-'));
  let text = fs.readFileSync(src, 'utf8');
  text = text.replace(/asyncio\.sleep\(([^)]+)\)/g, (_m, a: string) => `asyncio.sleep((${a}) / ${factor})`);
  const out = path.join(dir, path.basename(src));
  fs.writeFileSync(out, text);
  return out;
}
