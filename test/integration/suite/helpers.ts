/** Shared helpers for the integration tests (they run inside the extension host). */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Ids } from '../../../src/extension/ids';
import type { RunOutcome } from '../../../src/extension/runSession';
import type { TestState } from '../../../src/extension/testState';

export const EXTENSION_ID = 'async-timeline.async-timeline';

/** The fixture workspace the suite was opened on. */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs a workspace folder (test/fixtures/workspace)');
  return folder.uri.fsPath;
}

export function fixture(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceDir(), name));
}

export async function activate(): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  await ext.activate();
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  return vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
}

export function state(): Promise<TestState> {
  return vscode.commands.executeCommand<TestState>(Ids.internalCommands.testState) as Promise<TestState>;
}

export function run(uri: vscode.Uri): Promise<RunOutcome> {
  return vscode.commands.executeCommand<RunOutcome>(Ids.commands.run, uri) as Promise<RunOutcome>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * How late a timer may fire, or a run end, on a loaded CI machine: generous. Timers never fire early,
 * so lower bounds stay as they are; an upper bound only has to catch a wrong unit or a hang.
 */
export const LATE_MS = 5000;

/**
 * A duration as the hints print it (`0.25 ms`, `205 ms`, `1.02 s`, `12.3 s`) in milliseconds, so
 * tests check what the numbers mean rather than how many digits a loaded machine gave them.
 */
/** Reads what core/duration.ts#formatDuration writes (µs, ms, s; `1 min 15.3 s`), in ms. */
export function parseDuration(text: string): number {
  const t = text.trim();
  const min = /^(\d+) min (\d+(?:\.\d+)?) s$/.exec(t);
  if (min) return Number(min[1]) * 60_000 + Number(min[2]) * 1000;
  const m = /^(\d+(?:\.\d+)?) (µs|ms|s)$/.exec(t);
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'µs' ? 0.001 : 1);
}

/** A duration pattern for regexes over hint labels (capture it and read it with parseDuration). */
export const DURATION = String.raw`(?:\d+ min )?\d+(?:\.\d+)? (?:µs|ms|s)`;

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`: generous, for a loaded machine). */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 75_000,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

/**
 * Sets (or, with undefined, removes) a workspace setting of ours and waits until the extension host
 * sees it: `update()` can resolve before the new value reaches the host's configuration, and on a
 * loaded machine a run started right away would still read the old one.
 */
export async function configure(key: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration('asyncTimeline')
    .update(key, value, vscode.ConfigurationTarget.Workspace);
  await waitFor(`asyncTimeline.${key} = ${JSON.stringify(value)}`, () => {
    const now = vscode.workspace.getConfiguration('asyncTimeline', fixture('workers.ts')).inspect(key);
    return now?.workspaceValue === value;
  });
}

/**
 * Throws unless VS Code leaves edited buffers at `uri` unsaved until told otherwise: with auto-save
 * on (the web workbench's default is 1 s after an edit), a test that edits a buffer races the
 * workbench saving it. The code-server harness turns it off (codeServer.mjs SETTINGS); desktop
 * VS Code has it off by default.
 */
export function assertNoAutoSave(uri: vscode.Uri): void {
  const mode = vscode.workspace.getConfiguration('files', uri).get<string>('autoSave');
  if (mode !== 'off')
    throw new Error(
      `files.autoSave is ${JSON.stringify(mode)}: an edited buffer would be saved behind the test's back`,
    );
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    // A killed child stays a zombie until its parent reaps it; count only live states.
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^\d+ \(.*\) [ZX] /s.test(stat);
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The lens titles VS Code gets from every provider for a document, by 1-based line. */
export async function lenses(uri: vscode.Uri): Promise<{ line: number; title: string; command: string }[]> {
  const all =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ??
    [];
  return all
    .filter((l) => l.command?.command.startsWith('asyncTimeline.'))
    .map((l) => ({ line: l.range.start.line + 1, title: l.command!.title, command: l.command!.command }))
    .sort((a, b) => a.line - b.line || a.title.localeCompare(b.title));
}
