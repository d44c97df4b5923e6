/**
 * Which Python runs a `.py` file from the editor: the `asyncTimeline.python.path` setting, else
 * the interpreter selected in the Python extension (ms-python.python) when it is installed, else
 * `python3`/`python` on PATH — then resolved to the real binary by the runner (pyenv shims cost
 * ~250 ms per start).
 *
 * The Python extension is reached through its exports, guarded: `@vscode/python-extension` (the
 * typed wrapper of the same API) is not a dependency of this project, so the shape is checked
 * here at run time (`environments.getActiveEnvironmentPath` + `resolveEnvironment`, else the
 * older `settings.getExecutionDetails`). Anything unexpected falls through to PATH.
 */
import * as vscode from 'vscode';
import { resolvePython, type PythonInterpreter } from '../runner/pythonInterpreter';

const PYTHON_EXTENSION_ID = 'ms-python.python';
/** The Python extension may take a while to activate; a run does not wait for it longer than this. */
const ACTIVATE_TIMEOUT_MS = 5000;

interface EnvPath {
  path?: unknown;
}
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): EnvPath | undefined;
    resolveEnvironment?(env: EnvPath | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: unknown } | undefined;
  };
}

function withTimeout<T>(p: Thenable<T>, ms: number): Promise<T | undefined> {
  return Promise.race([Promise.resolve(p), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

/** The interpreter the Python extension has selected for `resource`, when it is installed and says so. */
export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await withTimeout(ext.activate(), ACTIVATE_TIMEOUT_MS);
    if (!api) return undefined;
    const envPath = api.environments?.getActiveEnvironmentPath?.(resource);
    if (envPath && api.environments?.resolveEnvironment) {
      const env = await withTimeout(api.environments.resolveEnvironment(envPath), ACTIVATE_TIMEOUT_MS);
      const exe = env?.executable?.uri?.fsPath;
      if (exe) return exe;
    }
    if (envPath && typeof envPath.path === 'string' && envPath.path) return envPath.path;
    const cmd = api.settings?.getExecutionDetails?.(resource)?.execCommand;
    if (Array.isArray(cmd) && typeof cmd[0] === 'string' && cmd.length === 1) return cmd[0];
  } catch {
    // An older or broken Python extension: PATH it is.
  }
  return undefined;
}

/** Resolves the interpreter for a run or a lens scan of `resource`. Throws PythonNotFoundError with a readable message. */
export async function resolvePythonFor(setting: string, resource: vscode.Uri | undefined, cwd: string): Promise<PythonInterpreter> {
  if (setting) return resolvePython({ given: { path: setting, source: 'setting' }, cwd });
  const fromExtension = await pythonExtensionInterpreter(resource);
  if (fromExtension) {
    try {
      return await resolvePython({ given: { path: fromExtension, source: 'python-extension' }, cwd });
    } catch {
      // The selected interpreter is gone (a deleted venv): PATH still may work.
    }
  }
  return resolvePython({ cwd });
}
