/**
 * The after-line hints on the code: await lines that suspended, task-creation lines, and
 * blocking warnings, each with a hover table. Labels and hovers come from core/editorHints;
 * this class only maps them onto decoration types (contributed theme colours), keeps them on
 * their lines while the file is edited (or marks them stale), removes them on Clear, and puts
 * them back when a file with results is shown again.
 */
import * as vscode from 'vscode';
import { computeFileHints, type HintKind, type LineHint } from '../core/editorHints';
import { shiftLineThrough, type LineEdit } from '../core/lineShift';
import type { ExtensionConfig } from './config';
import { Ids } from './ids';
import type { ResultsStore, RunResults } from './resultsStore';

/** One hint placed in one file (0-based line, as the editor counts). */
interface PlacedHint {
  hint: LineHint;
  line: number;
  stale: boolean;
}

/** The hints of one file for one version of one run's results. */
interface FileState {
  results: RunResults;
  version: number;
  hints: PlacedHint[];
  /** The placement as of the last save: what is restored if unsaved edits are discarded. */
  saved: PlacedHint[];
}

/** What a decorated line shows (for the integration tests' state command). */
export interface DecoratedLine {
  line: number;
  kind: HintKind;
  label: string;
  stale: boolean;
}

/** Live updates repaint at most this often. */
const LIVE_REFRESH_MS = 500;

/** Inline decorations for traced files. */
export class TimelineDecorations implements vscode.Disposable {
  private readonly types: Record<HintKind | 'stale', vscode.TextEditorDecorationType>;
  private readonly files = new Map<string, FileState>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: ResultsStore,
    private readonly config: ExtensionConfig,
  ) {
    const after = (color: string): vscode.ThemableDecorationAttachmentRenderOptions => ({
      color: new vscode.ThemeColor(color),
      margin: '0 0 0 2em',
      fontStyle: 'italic',
    });
    this.types = {
      await: vscode.window.createTextEditorDecorationType({
        after: after(Ids.colors.awaitForeground),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      create: vscode.window.createTextEditorDecorationType({
        after: after(Ids.colors.createForeground),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      callback: vscode.window.createTextEditorDecorationType({
        after: after(Ids.colors.createForeground),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      blocking: vscode.window.createTextEditorDecorationType({
        after: { ...after(Ids.colors.blockingForeground), fontStyle: 'normal', fontWeight: 'bold' },
        backgroundColor: new vscode.ThemeColor(Ids.colors.blockingBackground),
        isWholeLine: true,
        overviewRulerColor: new vscode.ThemeColor(Ids.colors.blockingForeground),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      stale: vscode.window.createTextEditorDecorationType({
        after: after(Ids.colors.staleForeground),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    };
    this.subscriptions.push(
      store.onDidChange((change) => {
        if (change.kind === 'clear') {
          this.files.clear();
          this.refreshVisible();
        } else if (change.results.live) {
          this.scheduleRefresh();
        } else {
          this.refreshVisible();
        }
      }),
      config.onDidChange(() => {
        this.files.clear();
        this.refreshVisible();
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshVisible()),
      vscode.workspace.onDidChangeTextDocument((e) => this.followEdits(e)),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        const st = this.files.get(doc.uri.fsPath);
        if (st) st.saved = st.hints.map((h) => ({ ...h }));
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        // Unsaved edits are gone: the file on disk still has the saved layout.
        const st = this.files.get(doc.uri.fsPath);
        if (st) st.hints = st.saved.map((h) => ({ ...h }));
      }),
    );
    this.refreshVisible();
  }

  private scheduleRefresh(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refreshVisible();
    }, LIVE_REFRESH_MS);
  }

  /** The current hints of a file, computing them from the results when they are new. */
  private stateFor(fsPath: string): FileState | undefined {
    const found = this.store.forFile(fsPath);
    if (!found) {
      this.files.delete(fsPath);
      return undefined;
    }
    const existing = this.files.get(fsPath);
    if (existing && existing.results === found.results && existing.version === found.results.version)
      return existing;
    const stats = this.store.stats(found.results, this.config.blockingThresholdMs);
    const { lines } = computeFileHints(found.results.trace, found.file, {
      showCommand: Ids.commands.showInTimeline,
      stats,
    });
    const hints = lines.map((hint) => ({ hint, line: hint.line - 1, stale: false }));
    const st: FileState = {
      results: found.results,
      version: found.results.version,
      hints,
      saved: hints.map((h) => ({ ...h })),
    };
    this.files.set(fsPath, st);
    return st;
  }

  /** The 0-based line a trace line (1-based) sits on now, or undefined when it was edited away. */
  currentLine(fsPath: string, traceLine: number): number | undefined {
    const st = this.files.get(fsPath);
    if (!st) return traceLine - 1;
    const h = st.hints.find((x) => x.hint.line === traceLine);
    if (!h) return traceLine - 1;
    return h.stale ? undefined : h.line;
  }

  private refreshVisible(): void {
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
  }

  private apply(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const st =
      doc.uri.scheme === 'file' && this.config.decorationsEnabled ? this.stateFor(doc.uri.fsPath) : undefined;
    const buckets: Record<HintKind | 'stale', vscode.DecorationOptions[]> = {
      await: [],
      create: [],
      callback: [],
      blocking: [],
      stale: [],
    };
    for (const h of st?.hints ?? []) {
      if (h.line < 0 || h.line >= doc.lineCount) continue;
      const text = doc.lineAt(h.line);
      const hover = new vscode.MarkdownString(
        h.stale ? `*This line changed since the run; re-run to refresh.*\n\n${h.hint.hover}` : h.hint.hover,
      );
      hover.isTrusted = { enabledCommands: [Ids.commands.showInTimeline] };
      hover.supportHtml = false;
      buckets[h.stale ? 'stale' : h.hint.kind].push({
        range: new vscode.Range(h.line, 0, h.line, text.range.end.character),
        hoverMessage: hover,
        renderOptions: {
          after: { contentText: h.stale ? `${h.hint.label} (edited since the run)` : h.hint.label },
        },
      });
    }
    for (const kind of Object.keys(buckets) as (HintKind | 'stale')[])
      editor.setDecorations(this.types[kind], buckets[kind]);
  }

  private followEdits(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const st = this.files.get(e.document.uri.fsPath);
    if (!st) return;
    const edits: LineEdit[] = e.contentChanges.map((c) => {
      const firstNew =
        c.range.start.line < e.document.lineCount ? e.document.lineAt(c.range.start.line).text : '';
      return {
        startLine: c.range.start.line,
        startCharacter: c.range.start.character,
        endLine: c.range.end.line,
        endCharacter: c.range.end.character,
        text: c.text,
        insertedAtLineEnd:
          c.text.startsWith('\n') || c.text.startsWith('\r\n')
            ? firstNew.length === c.range.start.character
            : false,
      };
    });
    for (const h of st.hints) {
      const r = shiftLineThrough(
        h.line,
        edits.map((x) => ({ ...x, text: x.text.replace(/\r\n/g, '\n') })),
      );
      h.line = r.line;
      h.stale = h.stale || r.stale;
    }
    for (const editor of vscode.window.visibleTextEditors)
      if (editor.document === e.document) this.apply(editor);
  }

  /** What is shown in each file with hints (for the integration tests). */
  describe(): Record<string, DecoratedLine[]> {
    const out: Record<string, DecoratedLine[]> = {};
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
    for (const [file, st] of this.files) {
      out[file] = st.hints.map((h) => ({
        line: h.line + 1,
        kind: h.hint.kind,
        label: h.hint.label,
        stale: h.stale,
      }));
    }
    return out;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }
}
