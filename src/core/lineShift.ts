/**
 * How a text edit moves an annotated line: the decorations follow the code when lines are
 * inserted or deleted above them, and are marked stale when their own line changes.
 * Pure: positions are 0-based (editor convention), the adapter converts VS Code's change events.
 */

/** One replaced range and its new text (a VS Code `TextDocumentContentChangeEvent`, flattened). */
export interface LineEdit {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
  /**
   * For an insertion that begins with a line break: true when it was typed at the END of
   * `startLine` (so that line's own text is untouched).
   */
  insertedAtLineEnd: boolean;
}

/** Where an annotated line went. `removed`: the line itself was deleted. */
export interface ShiftedLine {
  line: number;
  stale: boolean;
  removed: boolean;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Maps a 0-based line through one edit. */
export function shiftLine(line: number, edit: LineEdit): ShiftedLine {
  const added = countNewlines(edit.text);
  const delta = added - (edit.endLine - edit.startLine);
  if (line < edit.startLine) return { line, stale: false, removed: false };
  if (line > edit.endLine) return { line: line + delta, stale: false, removed: false };
  const pureInsert = edit.startLine === edit.endLine && edit.startCharacter === edit.endCharacter;
  if (pureInsert) {
    // Whole lines typed in front of this one (cursor at column 0, text ends with a newline).
    if (edit.startCharacter === 0 && edit.text.endsWith('\n'))
      return { line: line + delta, stale: false, removed: false };
    // Lines opened after this one (Enter at the end of the line).
    if (edit.insertedAtLineEnd && edit.text.startsWith('\n')) return { line, stale: false, removed: false };
    return { line, stale: true, removed: false };
  }
  // A deletion of whole lines that contains this one (from column 0 of a line to column 0 of a later one).
  const wholeLines = edit.startCharacter === 0 && edit.endCharacter === 0 && edit.text === '';
  if (wholeLines && line < edit.endLine) return { line: edit.startLine, stale: true, removed: true };
  if (wholeLines && line === edit.endLine) return { line: edit.startLine, stale: false, removed: false };
  return { line: Math.min(line, edit.startLine + added), stale: true, removed: false };
}

/** Applies several edits of one change event (non-overlapping, any order) to one line. */
export function shiftLineThrough(line: number, edits: readonly LineEdit[]): ShiftedLine {
  // Bottom-up: an edit never moves the lines above it, so later (lower) edits go first.
  const sorted = [...edits].sort((a, b) => b.startLine - a.startLine || b.startCharacter - a.startCharacter);
  let result: ShiftedLine = { line, stale: false, removed: false };
  for (const e of sorted) {
    const r = shiftLine(result.line, e);
    result = { line: r.line, stale: result.stale || r.stale, removed: result.removed || r.removed };
  }
  return result;
}
