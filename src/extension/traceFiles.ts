/**
 * Export Trace (our JSON, or Chrome/Perfetto JSON) and Open Trace File (load a saved trace: the
 * timeline and decorations come back without re-running). Opening needs no trust: a trace is
 * data, validated before use.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { toChromeTrace } from '../core/chromeTrace';
import { validateTrace } from '../protocol/traceGuard';
import type { Notifier } from './notifier';
import { absoluteTracePath, type ResultsStore } from './resultsStore';

export type ExportFormat = 'json' | 'chrome';

/** Arguments the commands accept (from tests or other callers), skipping the dialogs. */
export interface ExportArgs {
  format?: ExportFormat;
  uri?: vscode.Uri | string;
}

function toUri(u: vscode.Uri | string): vscode.Uri {
  return typeof u === 'string' ? vscode.Uri.file(u) : u;
}

/** The Export and Open commands. */
export class TraceFiles {
  constructor(
    private readonly store: ResultsStore,
    private readonly notifier: Notifier,
    private readonly onOpened: () => void,
  ) {}

  /** Writes the latest trace; returns the path written, or undefined when cancelled. */
  async exportTrace(args: ExportArgs = {}): Promise<string | undefined> {
    const results = this.store.latest;
    if (!results) {
      this.notifier.show('info', 'Async Timeline: nothing to export yet: run a file or open a trace first.');
      return undefined;
    }
    let format = args.format;
    if (!format) {
      const picked = await vscode.window.showQuickPick(
        [
          {
            label: 'Async Timeline trace (JSON)',
            description: 'open it again later with Open Trace File',
            format: 'json' as const,
          },
          {
            label: 'Chrome / Perfetto trace (JSON)',
            description: 'for ui.perfetto.dev or chrome://tracing',
            format: 'chrome' as const,
          },
        ],
        { title: 'Export Trace', placeHolder: 'Format' },
      );
      if (!picked) return undefined;
      format = picked.format;
    }
    let target = args.uri ? toUri(args.uri) : undefined;
    if (!target) {
      const base = path.basename(results.entry).replace(/\.[^.]+$/, '');
      const dir = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(results.entry));
      target = await vscode.window.showSaveDialog({
        title: 'Export Trace',
        defaultUri: vscode.Uri.joinPath(
          dir,
          format === 'chrome' ? `${base}.perfetto.json` : `${base}.trace.json`,
        ),
        filters: { 'Trace JSON': ['json'] },
      });
      if (!target) return undefined;
    }
    const body = format === 'chrome' ? toChromeTrace(results.trace) : results.trace;
    await vscode.workspace.fs.writeFile(
      target,
      Buffer.from(JSON.stringify(body, null, format === 'json' ? 1 : 0) + '\n', 'utf8'),
    );
    vscode.window.setStatusBarMessage(`Async Timeline: trace written to ${target.fsPath}`, 5000);
    return target.fsPath;
  }

  /** Loads a saved trace; returns its entry path, or undefined when cancelled or invalid. */
  async openTrace(arg?: vscode.Uri | string): Promise<string | undefined> {
    let uri = arg ? toUri(arg) : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Open Trace File',
        canSelectMany: false,
        filters: { 'Async Timeline trace': ['json'] },
      });
      uri = picked?.[0];
      if (!uri) return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    } catch (err) {
      this.notifier.show('error', `Async Timeline: cannot read ${uri.fsPath}: ${(err as Error).message}`);
      return undefined;
    }
    const result = validateTrace(parsed);
    if (typeof result === 'string') {
      this.notifier.show(
        'error',
        `Async Timeline: ${path.basename(uri.fsPath)} is not a trace this extension can open: ${result}.`,
      );
      return undefined;
    }
    let trace = result;
    // A trace recorded elsewhere: anchor its relative paths in the workspace folder that has the entry.
    if (!fs.existsSync(absoluteTracePath(trace, trace.entry)) && !path.isAbsolute(trace.entry)) {
      const folder = vscode.workspace.workspaceFolders?.find((f) =>
        fs.existsSync(path.join(f.uri.fsPath, trace.entry)),
      );
      if (folder) trace = { ...trace, cwd: folder.uri.fsPath };
    }
    const entry = absoluteTracePath(trace, trace.entry);
    this.store.set(entry, trace, false, 'file');
    this.onOpened();
    return entry;
  }
}
