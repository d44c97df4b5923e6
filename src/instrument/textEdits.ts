/**
 * Text edits over a source, applied in one pass, with a source map back to the original.
 *
 * An edit replaces [pos, end) with text (pos === end: a pure insertion). Edits at the same position
 * come out in the order they were added — the fast path adds an expression's opening text before
 * visiting it and its closing text after, so nesting comes out right. Replaced ranges must not overlap
 * and nothing may be inserted strictly inside one: `apply` returns null then (the caller falls back).
 */
import { encode, type SourceMapMappings, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

export class TextEdits {
  private readonly pos: number[] = [];
  private readonly end: number[] = [];
  private readonly text: string[] = [];

  /** Reserves a slot that sorts before every later edit at its position; fill it with {@link set}. */
  reserve(pos: number): number {
    this.insert(pos, '');
    return this.pos.length - 1;
  }

  set(slot: number, text: string): void {
    this.text[slot] = text;
  }

  insert(pos: number, text: string): void {
    this.pos.push(pos);
    this.end.push(pos);
    this.text.push(text);
  }

  replace(pos: number, end: number, text: string): void {
    this.pos.push(pos);
    this.end.push(end);
    this.text.push(text);
  }

  /**
   * The edited text and its source map (segments at the start of every word and every punctuator of
   * copied text, so a stack trace's line:column maps to the original token). `text` must be `original`
   * or a same-length rewrite of it (types blanked): positions are shared.
   */
  apply(text: string, original: string, file: string, source: string): { code: string; map: string } | null {
    const n = this.pos.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stable by position: insertion order breaks ties.
    const pos = this.pos;
    order.sort((a, b) => pos[a] - pos[b] || a - b);

    const parts: string[] = [];
    const lines: SourceMapMappings = [[]];
    let line: SourceMapSegment[] = lines[0];
    let genCol = 0;
    let origLine = 0;
    let origCol = 0;
    let lastChar = -1;
    let cursor = 0;

    const copy = (from: number, to: number): void => {
      if (from >= to) return;
      parts.push(text.slice(from, to));
      let prevClass = -1;
      for (let i = from; i < to; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) {
          lines.push((line = []));
          genCol = 0;
          origLine++;
          origCol = 0;
          prevClass = -1;
          continue;
        }
        const cls = charClass(c);
        if (cls !== 0 && (cls === 2 || cls !== prevClass)) line.push([genCol, 0, origLine, origCol]);
        prevClass = cls;
        genCol++;
        origCol++;
      }
      lastChar = text.charCodeAt(to - 1);
    };
    const skip = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        if (text.charCodeAt(i) === 10) {
          origLine++;
          origCol = 0;
        } else origCol++;
      }
    };
    const emit = (t: string): void => {
      if (!t) return;
      // `return(x)()` → `return __atl.c(…)`: never glue a word onto the previous one.
      if (isWordChar(lastChar) && isWordChar(t.charCodeAt(0))) t = ' ' + t;
      parts.push(t);
      for (let i = 0; i < t.length; i++) {
        if (t.charCodeAt(i) === 10) {
          lines.push((line = []));
          genCol = 0;
        } else genCol++;
      }
      lastChar = t.charCodeAt(t.length - 1);
    };

    for (let k = 0; k < n; k++) {
      const i = order[k];
      const p = this.pos[i];
      if (p < cursor) return null; // inside a replaced range
      copy(cursor, p);
      emit(this.text[i]);
      skip(p, this.end[i]);
      cursor = this.end[i];
    }
    copy(cursor, text.length);

    const map = {
      version: 3,
      file,
      sourceRoot: '',
      sources: [source],
      names: [] as string[],
      mappings: encode(lines),
      sourcesContent: [original],
    };
    return { code: parts.join(''), map: JSON.stringify(map) };
  }
}

/** 0: whitespace, 1: word, 2: punctuator (each one its own segment). */
function charClass(c: number): number {
  if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) return 0;
  return isWordChar(c) ? 1 : 2;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127
  );
}
