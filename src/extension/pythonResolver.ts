/**
 * Which Python runs a `.py` file from the editor: the `asyncTimeline.python.path` setting, else
 * the interpreter selected in the Python extension (ms-python.python) when it is installed, else
 * `python3`/`python` on PATH — then resolved to the real binary by the runner (pyenv shims cost
 * ~250 ms per start).
 *
 * The Python extension is reached through its published API, `@vscode/python-extension`
 * (`PythonExtension.api()` → `environments.getActiveEnvironmentPath` + `resolveEnvironment`),
 * bundled into dist/extension.js. Only when the extension is installed: `api()` would otherwise
 * throw, and it activates an installed but inactive one, so the whole call is time-boxed.
 * Anything unexpected falls through to PATH.
 */
import * as vscode from 'vscode';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import { resolvePython, type PythonInterpreter } from '../runner/pythonInterpreter';
import { chooseFromPythonApi, withTimeout } from './pythonEnvChoice';

/** The Python extension may take a while to activate; a run does not wait for it longer than this. */
const ACTIVATE_TIMEOUT_MS = 5000;

/** The interpreter the Python extension has selected for `resource`, when it is installed and says so. */
export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  // Never make VS Code look for (or offer to install) a missing extension: installed or nothing.
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await withTimeout(PythonExtension.api(), ACTIVATE_TIMEOUT_MS);
    return api ? await chooseFromPythonApi(api, resource, ACTIVATE_TIMEOUT_MS) : undefined;
  } catch {
    // An older or broken Python extension: PATH it is.
    return undefined;
  }
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
