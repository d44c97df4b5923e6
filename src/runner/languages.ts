/**
 * Which language a file is, by its extension: the runner picks its launcher by it, the CLI and the
 * editor say which files they can run. Pure and tiny (the CLI's argument parser reads it too).
 */

/** Files the Node launcher runs (what Node would run, plus TypeScript). */
export const JS_TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];
/** Files the Python launcher runs. */
export const PYTHON_EXTENSIONS = ['.py', '.pyw'];
/** Every file a run can start from. */
export const RUNNABLE_EXTENSIONS = [...JS_TS_EXTENSIONS, ...PYTHON_EXTENSIONS];

export type RunLanguage = 'typescript' | 'javascript' | 'python';

/** The language of a file, or null when no launcher runs it. */
export function languageOf(file: string): RunLanguage | null {
  const lower = file.toLowerCase();
  if (PYTHON_EXTENSIONS.some((e) => lower.endsWith(e))) return 'python';
  if (!JS_TS_EXTENSIONS.some((e) => lower.endsWith(e))) return null;
  return /\.[cm]?tsx?$/.test(lower) ? 'typescript' : 'javascript';
}

/** True for a Python source file. */
export function isPythonFile(file: string): boolean {
  return languageOf(file) === 'python';
}
