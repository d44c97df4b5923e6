/**
 * Shows the line of the Steps pane's current step in the editor: opens the file beside the
 * timeline if needed, scrolls the line into the middle when it is off screen and marks it with the
 * editor's own range-highlight colours (whole line). The focus stays in the viewer
 * (`preserveFocus`), so ←/→ keep stepping; each reveal replaces the previous mark.
 */
import * as vscode from 'vscode';
import type { SourceSite } from '../protocol/trace';

export class StepRevealer implements vscode.Disposable {
  private readonly mark = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editor.rangeHighlightBorder'),
    overviewRulerColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private marked: vscode.TextEditor | null = null;
  /** The last site asked for: a reveal that finishes after a newer one was asked for is not shown. */
  private latest = 0;

  /** Reveals `site` (already resolved to an absolute path) and marks its line. */
  async reveal(file: string, site: SourceSite): Promise<boolean> {
    const ticket = ++this.latest;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    if (ticket !== this.latest) return false;
    const line = Math.min(Math.max(0, site.line - 1), Math.max(0, doc.lineCount - 1));
    const pos = new vscode.Position(line, Math.max(0, site.column - 1));
    const column =
      vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: column,
      preserveFocus: true,
      preview: true,
      selection: new vscode.Range(pos, pos),
    });
    if (ticket !== this.latest) return false;
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    if (this.marked && this.marked !== editor) this.marked.setDecorations(this.mark, []);
    editor.setDecorations(this.mark, [new vscode.Range(pos, pos)]);
    this.marked = editor;
    return true;
  }

  dispose(): void {
    this.mark.dispose();
  }
}
