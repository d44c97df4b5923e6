/**
 * The pure half of "which interpreter did the Python extension select": given the extension's
 * published API (`PythonExtension` from `@vscode/python-extension`, or a stub in the unit tests),
 * the executable for a resource, or undefined. No `vscode` import at run time, so it is tested
 * without VS Code (test/unit/pythonEnvChoice.test.ts).
 */
import type { PythonExtension } from '@vscode/python-extension';

/** The part of the published API this uses (a stub needs only this). */
export type PythonEnvironmentsApi = Pick<PythonExtension, 'environments'>;

/** Resolves `p`, or undefined after `ms` (a slow or stuck Python extension never holds a run up). */
export function withTimeout<T>(p: PromiseLike<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  return Promise.race([Promise.resolve(p), timeout]).finally(() => clearTimeout(timer));
}

/**
 * The active environment for `resource` (a file URI, or undefined for the workspace), resolved to
 * its executable: `resolveEnvironment(...).executable.uri.fsPath`, else the environment path the
 * API returned when it names a file (an unresolved but explicit interpreter path). Undefined when
 * the API has nothing, throws, or takes longer than `timeoutMs`.
 */
export async function chooseFromPythonApi(
  api: PythonEnvironmentsApi,
  resource: Parameters<PythonExtension['environments']['getActiveEnvironmentPath']>[0],
  timeoutMs: number,
): Promise<string | undefined> {
  try {
    const envPath = api.environments.getActiveEnvironmentPath(resource);
    if (!envPath) return undefined;
    const env = await withTimeout(api.environments.resolveEnvironment(envPath), timeoutMs);
    const exe = env?.executable?.uri?.fsPath;
    if (exe) return exe;
    // Unresolved: the path itself when it looks like an interpreter (a conda prefix or a
    // directory is not something we can run).
    const p = typeof envPath.path === 'string' ? envPath.path : '';
    return /python[\d.]*(\.exe)?$/i.test(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
