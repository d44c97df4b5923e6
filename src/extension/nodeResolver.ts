/**
 * Which `node` runs the user's program: the `asyncTimeline.node.path` setting, else `node` on
 * PATH, else the runtime VS Code itself runs on (`process.execPath`; under Electron that needs
 * ELECTRON_RUN_AS_NODE=1 to behave as plain Node).
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';

/** The executable and any environment it needs to act as Node. */
export interface ResolvedNode {
  path: string;
  env: Record<string, string>;
  source: 'setting' | 'PATH' | 'vscode';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    if (process.platform !== 'win32') await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks `name` up on PATH the way a shell would (PATHEXT on Windows). */
export async function findOnPath(
  name: string,
  envPath = process.env.PATH ?? '',
): Promise<string | undefined> {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Resolves the Node executable; throws with an explanation when the setting points nowhere. */
export async function resolveNode(setting: string, cwd: string): Promise<ResolvedNode> {
  if (setting) {
    const candidate =
      path.isAbsolute(setting) || !setting.includes(path.sep) ? setting : path.resolve(cwd, setting);
    const found = path.isAbsolute(candidate)
      ? (await isExecutable(candidate))
        ? candidate
        : undefined
      : await findOnPath(candidate);
    if (!found)
      throw new Error(`asyncTimeline.node.path is set to "${setting}", which is not an executable file.`);
    return { path: found, env: {}, source: 'setting' };
  }
  const onPath = await findOnPath('node');
  if (onPath) return { path: onPath, env: {}, source: 'PATH' };
  return {
    path: process.execPath,
    env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {},
    source: 'vscode',
  };
}
