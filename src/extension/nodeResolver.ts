/**
 * Which `node` runs the user's program: the `asyncTimeline.node.path` setting, else `node` on
 * PATH, else the runtime VS Code itself runs on (`process.execPath`; under Electron that needs
 * ELECTRON_RUN_AS_NODE=1 to behave as plain Node).
 */
import path from 'node:path';
import { findOnPath, isExecutable } from '../runner/executables';

/** The executable and any environment it needs to act as Node. */
export interface ResolvedNode {
  path: string;
  env: Record<string, string>;
  source: 'setting' | 'PATH' | 'vscode';
}

export { findOnPath } from '../runner/executables';

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
