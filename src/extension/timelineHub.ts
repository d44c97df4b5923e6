/**
 * The timeline viewers' side of the host: every open timeline webview (the panel view, editor
 * tabs) is attached here and fed from the results store. Handles what the viewers ask for
 * (open a source position, run/stop/export/open) and sends them the editor's cursor line
 * (highlight the segments an await line caused) and "Show in timeline" requests.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { ViewerSettings, WebviewToHost } from '../protocol/webview';
import { Ids } from './ids';
import { absoluteTracePath, type ResultsStore } from './resultsStore';
import { StepRevealer } from './stepReveal';
import { TimelineWebview } from './timelineWebview';

/** Connects timeline webviews to the results. */
export class TimelineHub implements vscode.Disposable {
  private readonly webviews = new Set<TimelineWebview>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastHighlight = '';
  private readonly stepRevealer = new StepRevealer();
  /** The task the user last selected in a viewer. */
  selectedTask: number | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: ResultsStore,
    private readonly settings: () => ViewerSettings,
    settingsChanged: vscode.Event<void>,
  ) {
    this.subscriptions.push(
      settingsChanged(() => {
        const s = this.settings();
        for (const w of this.webviews) w.post({ type: 'settings', ...s });
      }),
      store.onDidChange((change) => {
        for (const w of this.webviews) {
          if (change.kind === 'clear') w.post({ type: 'clear' });
          else if (change.results === store.latest) w.traceChanged(change.results.live);
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.cursorMoved(e.textEditor)),
    );
  }

  /** Attaches a webview (sets its HTML and options); detach it when it is disposed. */
  attach(webview: vscode.Webview): TimelineWebview {
    const w = new TimelineWebview(webview, this.extensionUri, {
      current: () => {
        const r = this.store.latest;
        return r
          ? { trace: r.trace, live: r.live, ...(r.label !== undefined ? { title: r.label } : {}) }
          : null;
      },
      onMessage: (m) => void this.handle(m),
      settings: this.settings,
    });
    this.webviews.add(w);
    return w;
  }

  detach(w: TimelineWebview): void {
    this.webviews.delete(w);
    w.dispose();
  }

  /** How many viewers are attached / have said `ready` (for the integration tests). */
  describe(): { attached: number; ready: number; posted: Record<string, number>; csp: string[] } {
    const posted: Record<string, number> = {};
    for (const w of this.webviews)
      for (const [k, v] of Object.entries(w.posted)) posted[k] = (posted[k] ?? 0) + v;
    return {
      attached: this.webviews.size,
      ready: [...this.webviews].filter((w) => w.isReady).length,
      csp: [...this.webviews].map((w) => w.csp),
      posted,
    };
  }

  /** Asks every viewer to reveal and select these tasks. */
  revealTasks(taskIds: number[]): void {
    for (const w of this.webviews) w.post({ type: 'revealTasks', taskIds });
  }

  private cursorMoved(editor: vscode.TextEditor): void {
    if (this.webviews.size === 0 || editor.document.uri.scheme !== 'file') return;
    const found = this.store.forFile(editor.document.uri.fsPath);
    if (!found || found.results !== this.store.latest) return;
    const line = editor.selection.active.line + 1;
    const key = `${found.file}:${line}`;
    if (key === this.lastHighlight) return;
    this.lastHighlight = key;
    for (const w of this.webviews) w.post({ type: 'highlightSite', file: found.file, line });
  }

  private async handle(message: Exclude<WebviewToHost, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'openSite': {
        const trace = this.store.latest?.trace;
        const file = trace ? absoluteTracePath(trace, message.site.file) : path.resolve(message.site.file);
        try {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
          const pos = new vscode.Position(message.site.line - 1, message.site.column - 1);
          const column =
            vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ??
            vscode.ViewColumn.One;
          await vscode.window.showTextDocument(doc, {
            viewColumn: column,
            selection: new vscode.Range(pos, pos),
          });
        } catch {
          void vscode.window.showWarningMessage(`Async Timeline: cannot open ${message.site.file}.`);
        }
        return;
      }
      case 'revealStep': {
        const trace = this.store.latest?.trace;
        const file = trace ? absoluteTracePath(trace, message.site.file) : path.resolve(message.site.file);
        // The cursor lands on the step's line: that is no request to highlight the line's segments
        // (the viewer already marks the step), so the selection change it causes is not echoed back.
        this.lastHighlight = `${message.site.file}:${message.site.line}`;
        // Quietly: a step in a file that is gone (or a library) is no reason for a warning per arrow key.
        await this.stepRevealer.reveal(file, message.site).catch(() => false);
        return;
      }
      case 'selectTask':
        this.selectedTask = message.taskId;
        return;
      case 'command': {
        const ids = {
          run: Ids.commands.run,
          stop: Ids.commands.stop,
          export: Ids.commands.exportTrace,
          open: Ids.commands.openTrace,
        } as const;
        // "run" from the viewer runs the entry of the trace it shows when no editor file is active.
        const entry = this.store.latest?.origin === 'run' ? this.store.latest.entry : undefined;
        const arg =
          message.command === 'run' && !vscode.window.activeTextEditor && entry
            ? vscode.Uri.file(entry)
            : undefined;
        void vscode.commands.executeCommand(ids[message.command], arg);
        return;
      }
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  dispose(): void {
    this.stepRevealer.dispose();
    for (const w of this.webviews) w.dispose();
    this.webviews.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}
