/** The timeline as a view in the bottom panel ("Async Timeline" container). */
import * as vscode from 'vscode';
import { Ids } from './ids';
import type { TimelineHub } from './timelineHub';

/** Provides the panel's webview view; the hub feeds it. */
export class TimelineViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly registration: vscode.Disposable;

  constructor(private readonly hub: TimelineHub) {
    this.registration = vscode.window.registerWebviewViewProvider(Ids.views.timeline, this);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const attached = this.hub.attach(view.webview);
    view.onDidDispose(() => {
      this.hub.detach(attached);
      if (this.view === view) this.view = undefined;
    });
  }

  /** True once VS Code has created the view. */
  get isResolved(): boolean {
    return this.view !== undefined;
  }

  /** Shows the view in the panel, keeping the keyboard focus where it is. */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(true);
      return;
    }
    const editor = vscode.window.activeTextEditor;
    await vscode.commands.executeCommand(`${Ids.views.timeline}.focus`);
    if (editor)
      await vscode.window.showTextDocument(editor.document, {
        viewColumn: editor.viewColumn,
        preserveFocus: false,
      });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
