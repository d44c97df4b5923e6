/**
 * CodeLenses: `▶ Run with Timeline` above every async function and the file's entry point
 * (found by the TypeScript parser in instrument/scan; for Python by the user's interpreter's own
 * `ast` module through pyruntime/lenses.py), and after a run a summary above each
 * async function that ran (`3 calls · 5 yields · waited 2.0 s · ran 1.2 ms — Show in timeline`).
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { computeFileHints } from '../core/editorHints';
import type { ScanResult } from '../instrument/scan';
import { findDist, loadInstrumenter } from '../runner/run';
import { isPythonFile } from '../runner/languages';
import { scanPythonSource } from '../runner/pythonLenses';
import { resolvePythonFor } from './pythonResolver';
import type { ExtensionConfig } from './config';
import { Ids } from './ids';
import type { ResultsStore } from './resultsStore';
import type { RunController } from './runController';
import type { TimelineDecorations } from './timelineDecorations';

/** The lens title for running a file. */
export const RUN_LENS_TITLE = '▶ Run with Timeline';

/** Provides the run and summary lenses. */
export class RunCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly scans = new Map<string, { version: number; scan: ScanResult }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: ResultsStore,
    private readonly config: ExtensionConfig,
    private readonly runs: RunController,
    private readonly decorations: TimelineDecorations,
  ) {
    const selector: vscode.DocumentSelector = [
      'typescript',
      'javascript',
      'typescriptreact',
      'javascriptreact',
      'python',
    ].map((language) => ({ language, scheme: 'file' }));
    this.subscriptions.push(
      vscode.languages.registerCodeLensProvider(selector, this),
      store.onDidChange((c) =>
        c.kind === 'update' && c.results.live ? this.scheduleRefresh() : this.emitter.fire(),
      ),
      config.onDidChange(() => this.emitter.fire()),
      runs.onDidChangeRunning(() => this.emitter.fire()),
      vscode.workspace.onDidCloseTextDocument((d) => this.scans.delete(d.uri.toString())),
    );
  }

  private scheduleRefresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emitter.fire();
    }, 1000);
  }

  /** No lenses for a file Python cannot parse (or no Python to ask): the last good scan, else none. */
  private static readonly EMPTY: ScanResult = { functions: [], entryLine: 0, topLevelAwait: false };

  private async scanPython(doc: vscode.TextDocument): Promise<ScanResult> {
    const key = doc.uri.toString();
    const cached = this.scans.get(key);
    if (cached && cached.version === doc.version) return cached.scan;
    const version = doc.version;
    let scan: ScanResult = cached?.scan ?? RunCodeLensProvider.EMPTY;
    try {
      const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
      const python = await resolvePythonFor(this.config.run(doc.uri).pythonPath, doc.uri, folder ?? path.dirname(doc.uri.fsPath));
      const answer = await scanPythonSource(python.path, doc.getText(), findDist());
      // A syntax error while typing: keep the lenses where they were until it parses again.
      if (!('error' in answer)) scan = answer;
    } catch {
      // No usable Python: the Run command explains that when it is used; lenses just stay away.
    }
    this.scans.set(key, { version, scan });
    return scan;
  }

  private scan(doc: vscode.TextDocument): ScanResult {
    const key = doc.uri.toString();
    const cached = this.scans.get(key);
    if (cached && cached.version === doc.version) return cached.scan;
    // The parser lives in the instrumenter bundle, loaded on first use (not at activation).
    const scan = loadInstrumenter().scanAsyncFunctions(doc.getText(), doc.fileName);
    this.scans.set(key, { version: doc.version, scan });
    return scan;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] | Promise<vscode.CodeLens[]> {
    if (!this.config.codeLensEnabled) return [];
    if (isPythonFile(doc.fileName)) return this.scanPython(doc).then((scan) => this.lenses(doc, scan));
    return this.lenses(doc, this.scan(doc));
  }

  private lenses(doc: vscode.TextDocument, scan: ScanResult): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const running = this.runs.session(doc.uri.fsPath) !== undefined;
    const runLines = new Set<number>([scan.entryLine, ...scan.functions.map((f) => f.line)]);
    for (const line of [...runLines].sort((a, b) => a - b)) {
      if (line < 1 || line > doc.lineCount) continue;
      const range = new vscode.Range(line - 1, 0, line - 1, 0);
      lenses.push(
        running
          ? new vscode.CodeLens(range, {
              title: '■ Stop Run',
              command: Ids.commands.stop,
              arguments: [doc.uri],
              tooltip: 'Stop the running program',
            })
          : new vscode.CodeLens(range, {
              title: RUN_LENS_TITLE,
              command: Ids.commands.runFile,
              arguments: [doc.uri],
              tooltip: 'Run this file and record when each coroutine ran',
            }),
      );
    }
    const found = this.store.forFile(doc.uri.fsPath);
    if (found) {
      const stats = this.store.stats(found.results, this.config.blockingThresholdMs);
      const hints = computeFileHints(found.results.trace, found.file, {
        showCommand: Ids.commands.showInTimeline,
        stats,
      });
      for (const lens of hints.lenses) {
        const line = this.decorations.currentLine(doc.uri.fsPath, lens.line) ?? lens.line - 1;
        if (line < 0 || line >= doc.lineCount) continue;
        lenses.push(
          new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
            title: found.results.live
              ? `${lens.title.replace(/ — Show in timeline$/, '')} (running…)`
              : lens.title,
            command: Ids.commands.showInTimeline,
            arguments: [{ taskIds: lens.taskIds }],
          }),
        );
      }
    }
    return lenses;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.emitter.dispose();
  }
}
