/**
 * What *Trace npm Script…* offers and runs: the `scripts` of a package.json, and the `npm run`
 * command line for one of them. Pure apart from reading the file; no `vscode`.
 */
import fs from 'node:fs';
import path from 'node:path';

/** One script of one package. */
export interface NpmScript {
  /** Absolute path of the package's folder (the run's cwd). */
  packageDir: string;
  /** The package's `name`, or its folder name. */
  packageName: string;
  name: string;
  /** The script's command text, as package.json says it. */
  script: string;
}

/** The scripts of the package.json in `packageDir`, in file order ([] when there is none or it does not parse). */
export function readNpmScripts(packageDir: string): NpmScript[] {
  let pkg: unknown;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return [];
  }
  if (typeof pkg !== 'object' || pkg === null) return [];
  const { name, scripts } = pkg as { name?: unknown; scripts?: unknown };
  if (typeof scripts !== 'object' || scripts === null) return [];
  const packageName = typeof name === 'string' && name ? name : path.basename(packageDir);
  return Object.entries(scripts as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([n, script]) => ({ packageDir, packageName, name: n, script }));
}

/**
 * `npm run <script>`, with the npm that sits next to the Node the run uses when there is one (so
 * the script runs on the same Node as a file run would), else `npm` from PATH.
 */
export function npmRunCommand(script: NpmScript, nodePath: string): string[] {
  const win = process.platform === 'win32';
  const beside = path.join(path.dirname(nodePath), win ? 'npm.cmd' : 'npm');
  const npm = path.isAbsolute(nodePath) && fs.existsSync(beside) ? beside : win ? 'npm.cmd' : 'npm';
  return [npm, 'run', script.name];
}
