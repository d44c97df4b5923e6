/**
 * The timeline as an editor tab (Show Timeline). One at a time; restored after a reload by the
 * webview panel serializer (the webview's own state plus the host's snapshot on `ready`).
 */
import * as vscode from 'vscode';
import { Ids } from './ids';
import type { TimelineHub } from './timelineHub';
import { timelineWebviewOptions } from './timelineHtml';

/** Opens, reveals and revives the editor-tab timeline. */
export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly hub: TimelineHub,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(Ids.webviewPanelType, {
      deserializeWebviewPanel: async (panel) => this.adopt(panel),
    });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens the tab beside the editor, or reveals it. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(
      Ids.webviewPanelType,
      'Async Timeline',
      { viewColumn: column, preserveFocus: true },
      timelineWebviewOptions(this.extensionUri),
    );
    this.adopt(panel);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    const attached = this.hub.attach(panel.webview);
    panel.onDidDispose(() => {
      this.hub.detach(attached);
      if (this.panel === panel) this.panel = undefined;
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.registration.dispose();
  }
}
