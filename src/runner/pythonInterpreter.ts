/**
 * Which Python runs the user's program, resolved to the REAL binary.
 *
 * The candidates come from the caller (CLI `--python`, the extension's setting, the Python
 * extension's selected interpreter), else `python3` / `python` on PATH. A name on PATH is often a
 * pyenv shim (a shell script that costs ~250 ms per start, and picks the version from the cwd's
 * `.python-version` or $PYENV_VERSION): the interpreter is asked once for `sys.executable` and its
 * version, and the answer is cached per (path, mtime, cwd, PYENV_VERSION), so a run spawns the
 * real binary directly. No vscode here: the CLI uses it too.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { findOnPath, isExecutable } from './executables';
import path from 'node:path';

/** The oldest Python the tracer records (3.11: sys.setprofile tables; 3.12+: sys.monitoring). */
export const MIN_TRACED_PYTHON: readonly [number, number] = [3, 11];

export interface PythonInterpreter {
  /** The real binary (`sys.executable`), spawned for the run. */
  path: string;
  /** What the user gave or what was found on PATH (may be a shim). */
  requested: string;
  version: [number, number, number];
  /** Where it came from (for messages). */
  source: 'option' | 'setting' | 'python-extension' | 'PATH';
  /** True when the tracer supports this version ({@link MIN_TRACED_PYTHON}); else the program runs untraced. */
  traced: boolean;
}

/** Something wrong with the interpreter: shown as one line to the user. */
export class PythonNotFoundError extends Error {
  override name = 'PythonNotFoundError';
}

/** The probe: prints the real executable and the version as JSON; works on every Python from 2.7 on. */
const PROBE = 'import sys, json; print(json.dumps({"executable": sys.executable, "version": list(sys.version_info[:3])}))';

interface Probe {
  executable: string;
  version: [number, number, number];
}

const cache = new Map<string, Probe>();

/** For tests: forget every cached probe. */
export function clearPythonCache(): void {
  cache.clear();
}

/** How many probes are cached (for tests). */
export function pythonCacheSize(): number {
  return cache.size;
}

function probe(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(file, ['-c', PROBE], { cwd, env, timeout: 15_000, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || err.message).trim().split('\n').pop();
        reject(new PythonNotFoundError(`${file} could not be started as Python: ${detail}`));
        return;
      }
      try {
        const p = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Probe;
        if (typeof p.executable !== 'string' || !Array.isArray(p.version)) throw new Error('bad probe');
        // Some embedded builds leave sys.executable empty: keep the path that worked.
        resolve({ executable: p.executable || file, version: [p.version[0], p.version[1], p.version[2]] });
      } catch {
        reject(new PythonNotFoundError(`${file} does not look like a Python interpreter`));
      }
    });
  });
}

export interface ResolvePythonOptions {
  /** An explicit interpreter (CLI --python, the setting, the Python extension's choice). */
  given?: { path: string; source: 'option' | 'setting' | 'python-extension' };
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

/** Resolves the interpreter; throws {@link PythonNotFoundError} with an explanation when there is none. */
export async function resolvePython(opts: ResolvePythonOptions): Promise<PythonInterpreter> {
  const env = opts.env ?? process.env;
  let requested: string | undefined;
  let source: PythonInterpreter['source'];
  if (opts.given && opts.given.path.trim()) {
    const p = opts.given.path.trim();
    source = opts.given.source;
    const hasSep = /[\\/]/.test(p);
    requested = hasSep ? path.resolve(opts.cwd, p) : await findOnPath(p, env.PATH ?? '');
    const what = source === 'option' ? `--python ${p}` : source === 'setting' ? `asyncTimeline.python.path "${p}"` : `the Python extension's interpreter "${p}"`;
    if (!requested || !(await isExecutable(requested))) {
      throw new PythonNotFoundError(`${what}: ${hasSep ? 'no such executable file' : 'not found on PATH'}`);
    }
  } else {
    source = 'PATH';
    requested = (await findOnPath('python3', env.PATH ?? '')) ?? (await findOnPath('python', env.PATH ?? ''));
    if (!requested) {
      throw new PythonNotFoundError(
        'no Python found: neither python3 nor python is on PATH (install Python 3.11+, or give --python <path> / set asyncTimeline.python.path)',
      );
    }
  }
  const stat = await fs.stat(requested);
  const key = [requested, stat.mtimeMs, opts.cwd, env.PYENV_VERSION ?? ''].join('\0');
  let found = cache.get(key);
  if (!found) {
    found = await probe(requested, opts.cwd, env);
    cache.set(key, found);
  }
  const [maj, min] = found.version;
  const traced = maj > MIN_TRACED_PYTHON[0] || (maj === MIN_TRACED_PYTHON[0] && min >= MIN_TRACED_PYTHON[1]);
  if (maj < 3) {
    throw new PythonNotFoundError(`${requested} is Python ${found.version.join('.')}; Async Timeline needs Python 3.11 or newer`);
  }
  return { path: found.executable, requested, version: found.version, source, traced };
}

/** One line for logs: `/usr/bin/python3.12 (3.12.1, from PATH)`. */
export function describePython(p: PythonInterpreter): string {
  const via = p.requested !== p.path ? ` via ${p.requested}` : '';
  return `${p.path} (${p.version.join('.')}, ${p.source === 'python-extension' ? 'Python extension' : p.source}${via})`;
}
