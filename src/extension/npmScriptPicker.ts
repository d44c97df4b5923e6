/**
 * *Trace npm Script…*: lists the `scripts` of the workspace folders' package.json files (or of the
 * package.json it was invoked on, from the explorer) in a QuickPick and runs `npm run <script>`
 * under the timeline, in the package's folder, with the same run UI as a file run.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { type NpmScript, npmRunCommand, readNpmScripts } from './npmScripts';
import type { RunController } from './runController';
import type { RunOutcome } from './runSession';

/** The packages to offer: the clicked package.json's, else each workspace folder's root package. */
function packageDirs(uri: vscode.Uri | undefined): string[] {
  if (uri && path.basename(uri.fsPath) === 'package.json') return [path.dirname(uri.fsPath)];
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

/**
 * Asks for a script (unless `script` names one: a keybinding's argument) and runs it. Resolves
 * with the run's outcome, or undefined when there was nothing to run or the pick was dismissed.
 */
export async function traceNpmScript(
  runs: RunController,
  uri?: vscode.Uri,
  script?: string,
): Promise<RunOutcome | undefined> {
  const scripts = packageDirs(uri).flatMap(readNpmScripts);
  if (!scripts.length) {
    void vscode.window.showInformationMessage(
      'Async Timeline: no package.json with "scripts" in this workspace; open a folder with one to trace an npm script.',
    );
    return undefined;
  }
  let chosen: NpmScript | undefined = script ? scripts.find((s) => s.name === script) : undefined;
  if (!chosen) {
    const several = new Set(scripts.map((s) => s.packageDir)).size > 1;
    const pick = await vscode.window.showQuickPick(
      scripts.map((s) => ({
        label: s.name,
        description: several ? s.packageName : undefined,
        detail: s.script,
        script: s,
      })),
      {
        title: 'Trace npm Script',
        placeHolder: 'Pick a script to run with npm under the timeline',
        matchOnDetail: true,
      },
    );
    chosen = pick?.script;
  }
  if (!chosen) return undefined;
  const s = chosen;
  return runs.runCommand({
    entry: path.join(s.packageDir, 'package.json'),
    label: `npm run ${s.name}`,
    build: (nodePath) => ({ command: npmRunCommand(s, nodePath), cwd: s.packageDir }),
  });
}
