/**
 * Text edits over a source, applied in one pass, with a source map back to the original.
 *
 * An edit replaces [pos, end) with a text (pos === end: a pure insertion). Edits at the same position
 * come out in the order they were added — the fast path adds an expression's opening text before
 * visiting it and its closing text after, so nesting comes out right. Replaced ranges must not overlap
 * and nothing may be inserted strictly inside one: `apply` returns null then (the caller falls back).
 *
 * Built for files of tens of thousands of lines: an edit is a template (fixed text around an optional
 * number, e.g. a site id) plus its number, stored in typed arrays, and the output is written character
 * by character into one buffer in the same pass that writes the source map — no string per edit, no
 * string per copied piece, nothing for the garbage collector to copy while the syntax tree is alive.
 */

/** An edit's text: `before + number + after` (no number when the edit's argument is negative). */
export interface Template {
  readonly before: string;
  readonly after: string;
  /**
   * Offset in `before` where a source-map segment starts that points at the edit's `origin` (an original
   * position inside the replaced range): e.g. the hook name that stands for a replaced call's method, so a
   * stack frame at the hook call maps to the method name V8 would have reported.
   */
  readonly mark?: number;
}

const TEXT: Template = { before: '', after: '' };

export class TextEdits {
  private pos = new Int32Array(4096);
  private end = new Int32Array(4096);
  private arg = new Float64Array(4096);
  private origin = new Float64Array(4096).fill(-1);
  private templates: Template[] = [];
  private texts: string[] = [];
  private n = 0;

  /** Reserves a slot that sorts before every later edit at its position; fill it with {@link set}. */
  reserve(pos: number): number {
    return this.insertText(pos, '');
  }

  set(slot: number, text: string): void {
    this.texts[this.arg[slot]] = text;
  }

  /** Inserts `template` (with `arg`, when >= 0) at `pos`. */
  insert(pos: number, template: Template, arg = -1): number {
    return this.replace(pos, pos, template, arg);
  }

  insertText(pos: number, text: string): number {
    return this.replaceText(pos, pos, text);
  }

  /** `origin` (an original position inside [pos, end)): the text's last character maps to it (see Template.mark). */
  replaceText(pos: number, end: number, text: string, origin = -1): number {
    this.texts.push(text);
    return this.replace(pos, end, TEXT, this.texts.length - 1, origin);
  }

  replace(pos: number, end: number, template: Template, arg = -1, origin = -1): number {
    const i = this.n++;
    if (i === this.pos.length) this.grow();
    this.pos[i] = pos;
    this.end[i] = end;
    this.arg[i] = arg;
    this.origin[i] = origin;
    this.templates[i] = template;
    return i;
  }

  private grow(): void {
    const size = this.pos.length * 2;
    const pos = new Int32Array(size);
    pos.set(this.pos);
    const end = new Int32Array(size);
    end.set(this.end);
    const arg = new Float64Array(size);
    arg.set(this.arg);
    const origin = new Float64Array(size).fill(-1);
    origin.set(this.origin);
    this.origin = origin;
    this.pos = pos;
    this.end = end;
    this.arg = arg;
  }

  /**
   * The edited text and its source map (a segment where copied text turns from space to word, word to
   * punctuation or back: every identifier and every run of punctuators, so a stack trace's line:column
   * maps to the original token). `text` must be `original` or a same-length rewrite of it (types
   * blanked): positions are shared. Null when edits overlap.
   */
  apply(text: string, original: string, file: string, source: string): { code: string; map: string } | null {
    const n = this.n;
    if (n >= SEQ) return null;
    // Sort by position, insertion order breaking ties, as one numeric key (a typed-array sort, no comparator).
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = this.pos[i] * SEQ + i;
    keys.sort();

    const out = new OutputWriter(text.length + (text.length >> 1) + 1024);
    const map = new MappingsWriter();
    let cursor = 0;
    let origLine = 0;
    let origCol = 0;

    const copy = (from: number, to: number): void => {
      // The hot loop of a large file: state in locals, written back once.
      let prevClass = -1;
      const buf = out.reserve(to - from);
      let o = out.length;
      let genCol = map.genCol;
      let line = origLine;
      let col = origCol;
      for (let i = from; i < to; i++) {
        const c = text.charCodeAt(i);
        buf[o++] = c;
        if (c === 10) {
          map.newLine();
          genCol = 0;
          line++;
          col = 0;
          prevClass = -1;
          continue;
        }
        const cls = c < 128 ? CLASS[c] : c === 0xa0 || c === 0xfeff ? 0 : 1;
        if (cls !== prevClass && cls !== 0) map.segment(genCol, line, col);
        prevClass = cls;
        genCol++;
        col++;
      }
      out.length = o;
      map.genCol = genCol;
      origLine = line;
      origCol = col;
    };
    const skip = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        if (text.charCodeAt(i) === 10) {
          origLine++;
          origCol = 0;
        } else origCol++;
      }
    };
    const emit = (s: string): void => {
      if (s.length === 0) return;
      // `return(x)()` → `return __atl.c(…)`: never glue a word onto the previous one.
      if (out.length > 0 && isWord(out.buffer[out.length - 1]) && isWord(s.charCodeAt(0))) {
        out.write(' ');
        map.genCol++;
      }
      out.write(s);
      if (s.indexOf('\n') < 0) map.genCol += s.length;
      else
        for (let i = 0; i < s.length; i++) {
          if (s.charCodeAt(i) === 10) map.newLine();
          else map.genCol++;
        }
    };
    const emitNumber = (v: number): void => {
      const before = out.length;
      out.writeNumber(v);
      map.genCol += out.length - before;
    };

    for (let k = 0; k < n; k++) {
      const key = keys[k];
      const i = key % SEQ;
      const p = (key - i) / SEQ;
      if (p < cursor) return null; // inside a replaced range
      if (p > cursor) copy(cursor, p);
      const template = this.templates[i];
      const arg = this.arg[i];
      const origin = this.origin[i];
      const marked = origin >= p && (template === TEXT || template.mark !== undefined);
      const segmentAtOrigin = (): void => {
        // A segment inside the inserted text, pointing at `origin` in the replaced range.
        let line = origLine;
        let col = origCol;
        for (let k = p; k < origin; k++) {
          if (text.charCodeAt(k) === 10) {
            line++;
            col = 0;
          } else col++;
        }
        map.segment(map.genCol, line, col);
      };
      if (template === TEXT && marked) {
        const t = this.texts[arg];
        emit(t.slice(0, -1));
        segmentAtOrigin();
        emit(t.slice(-1));
      } else if (template === TEXT) emit(this.texts[arg]);
      else if (marked) {
        emit(template.before.slice(0, template.mark));
        segmentAtOrigin();
        emit(template.before.slice(template.mark));
        if (arg >= 0) emitNumber(arg);
        emit(template.after);
      } else {
        emit(template.before);
        if (arg >= 0) emitNumber(arg);
        emit(template.after);
      }
      const e = this.end[i];
      skip(p, e);
      cursor = e;
    }
    if (cursor < text.length) copy(cursor, text.length);

    const json = JSON.stringify({
      version: 3,
      file,
      sourceRoot: '',
      sources: [source],
      names: [],
      mappings: map.done(),
      sourcesContent: [original],
    });
    return { code: out.done(), map: json };
  }
}

/** Edits per file stay below this (a tie-breaker packed under the position in one double). */
const SEQ = 2 ** 21;

/** Character classes of ASCII: 0 space, 1 word, 2 punctuation. */
const CLASS = new Uint8Array(128).map((_, c) =>
  c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 10
    ? 0
    : (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36
      ? 1
      : 2,
);

function isWord(c: number): boolean {
  return c < 128 ? CLASS[c] === 1 : c !== 0xa0 && c !== 0xfeff;
}

/** UTF-16 output written in place, decoded once. */
class OutputWriter {
  buffer: Uint16Array;
  length = 0;

  constructor(capacity: number) {
    this.buffer = new Uint16Array(capacity);
  }

  /** Makes room for `count` more characters; returns the (possibly new) buffer. */
  reserve(count: number): Uint16Array {
    if (this.length + count > this.buffer.length) {
      const next = new Uint16Array(Math.max(this.buffer.length * 2, this.length + count + 1024));
      next.set(this.buffer.subarray(0, this.length));
      this.buffer = next;
    }
    return this.buffer;
  }

  write(s: string): void {
    const buf = this.reserve(s.length);
    let o = this.length;
    for (let i = 0; i < s.length; i++) buf[o++] = s.charCodeAt(i);
    this.length = o;
  }

  writeNumber(v: number): void {
    if (v < 10) {
      this.reserve(1)[this.length++] = 48 + v;
      return;
    }
    this.write(String(v));
  }

  done(): string {
    return Buffer.from(this.buffer.buffer, this.buffer.byteOffset, this.length * 2).toString('utf16le');
  }
}

/** Base64 digit codes of the source map alphabet. */
const B64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));

/**
 * Source map v3 `mappings` for one source, written as segments come into a byte buffer (a mapping per
 * token of a large file would otherwise be a hundred thousand small strings for the collector).
 */
class MappingsWriter {
  genCol = 0;
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private lineHasSegment = false;
  private lastGenCol = 0;
  private lastOrigLine = 0;
  private lastOrigCol = 0;

  segment(genCol: number, origLine: number, origCol: number): void {
    if (this.len + 32 > this.buf.length) this.grow();
    if (this.lineHasSegment) this.buf[this.len++] = 44; // ','
    this.vlq(genCol - this.lastGenCol);
    this.buf[this.len++] = 65; // 'A': source 0
    this.vlq(origLine - this.lastOrigLine);
    this.vlq(origCol - this.lastOrigCol);
    this.lineHasSegment = true;
    this.lastGenCol = genCol;
    this.lastOrigLine = origLine;
    this.lastOrigCol = origCol;
  }

  newLine(): void {
    if (this.len + 1 > this.buf.length) this.grow();
    this.buf[this.len++] = 59; // ';'
    this.genCol = 0;
    this.lastGenCol = 0;
    this.lineHasSegment = false;
  }

  done(): string {
    return Buffer.from(this.buf.buffer, 0, this.len).toString('latin1');
  }

  private vlq(value: number): void {
    let v = value < 0 ? (-value << 1) | 1 : value << 1;
    do {
      let digit = v & 31;
      v >>>= 5;
      if (v > 0) digit |= 32;
      this.buf[this.len++] = B64[digit];
    } while (v > 0);
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
