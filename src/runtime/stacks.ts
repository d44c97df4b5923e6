/**
 * Error stacks and crash banners inside the traced program, byte for byte what plain Node prints.
 * (V8's CallSite methods cannot be replaced — non-configurable — so a program's own
 * Error.prepareStackTrace still receives instrumented positions; see test/fixtures/diff/KNOWN_ISSUES.md.)
 *
 * Node's `--enable-source-maps` is not used: its formatter prints frames its own way (paths for
 * `file://` URLs, `async <anonymous> (…)`), and its crash banner adds a blank line. Instead, with the
 * runner's `--expose-internals` (hidden from the program like our other flags):
 *   - Node's internal formatter (what the default `Error.prepareStackTrace` calls) prints frames in
 *     prepared files with their ORIGINAL line:column (V8's own frame text otherwise: URL form, `async`,
 *     `new`, `[as m]` all kept), leaves out our own frames (hooks that call user code, e.g. a wrapped
 *     `.then` callback) and shows the CommonJS compile hook as the Node loader frame it stands in for;
 *   - the uncaught-exception banner (`file:line`, source line, caret) quotes the original line, in the
 *     layout Node's C++ uses for unmapped code (it asks us through its source-map error-source hook).
 * Without the flag (a worker thread the program started with its own execArgv) nothing is changed.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hook } from '../protocol/hooks';

export interface StackOptions {
  /** Our dist folder (real path): frames there are the tool's own. */
  ownDir: string;
  /** The prepared code of a program file (with its inline source map), or null if it is not ours. */
  codeOf(file: string): string | null;
  /** A CommonJS file of ours (the preload bundle): Node's loader frame is measured by loading it. Omitted on
   * the loader-hooks thread, which has no CommonJS compile hook of ours. */
  loaderProbe?: string;
  /** Where to resolve Node's internal modules from (any file path). */
  requireFrom: string;
}

interface FileMap {
  /** Per generated line (0-based): flat [genCol, origLine, origCol, …] sorted by genCol. */
  lines: Int32Array[];
  /** The original source's lines (for the crash banner). */
  source: string[] | null;
}

const B64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/** Decodes a v3 source map's `mappings` (one source) into per-line segment arrays. */
function decodeMappings(mappings: string): Int32Array[] {
  const lines: Int32Array[] = [];
  let seg: number[] = [];
  let genCol = 0;
  let origLine = 0;
  let origCol = 0;
  let i = 0;
  const vlq = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const d = B64[mappings.charCodeAt(i++)];
      result += (d & 31) << shift;
      if ((d & 32) === 0) break;
      shift += 5;
    }
    return result & 1 ? -(result >>> 1) : result >>> 1;
  };
  const endLine = () => {
    lines.push(Int32Array.from(seg));
    seg = [];
    genCol = 0;
  };
  while (i < mappings.length) {
    const c = mappings.charCodeAt(i);
    if (c === 59 /* ; */) {
      i++;
      endLine();
      continue;
    }
    if (c === 44 /* , */) {
      i++;
      continue;
    }
    genCol += vlq();
    const next = mappings.charCodeAt(i);
    if (i < mappings.length && next !== 44 && next !== 59) {
      vlq(); // source index (always 0)
      origLine += vlq();
      origCol += vlq();
      const n = mappings.charCodeAt(i);
      if (i < mappings.length && n !== 44 && n !== 59) vlq(); // name
      seg.push(genCol, origLine, origCol);
    }
  }
  endLine();
  return lines;
}

const MAP_PREFIX = '//# sourceMappingURL=data:application/json;base64,';

export function installStacks(opts: StackOptions): void {
  let internalBinding: (name: string) => any;
  let internalErrors: any;
  const req = Module.createRequire(opts.requireFrom);
  const emitWarning = process.emitWarning;
  const globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
  try {
    // internal/test/binding warns that it is for tests: not a warning the program would print.
    process.emitWarning = () => {};
    internalBinding = req('internal/test/binding').internalBinding;
    internalErrors = req('internal/errors');
  } catch {
    return; // no --expose-internals here
  } finally {
    process.emitWarning = emitWarning;
    // Loading internals leaves `internalBinding` / `primordials` on the global object: not the program's.
    for (const name of ['internalBinding', 'primordials'])
      if (!globalsBefore.has(name) && Object.getOwnPropertyDescriptor(globalThis, name)?.configurable) delete (globalThis as any)[name];
  }
  const errorsBinding = internalBinding('errors');
  if (typeof internalErrors.setInternalPrepareStackTrace !== 'function' || typeof internalErrors.defaultPrepareStackTrace !== 'function') return;
  if (typeof errorsBinding.setGetSourceMapErrorSource !== 'function' || typeof errorsBinding.setSourceMapsEnabled !== 'function') return;

  // ---- source maps of the prepared files, decoded on first use
  const maps = new Map<string, FileMap | null>();
  const mapOf = (name: string | undefined | null): FileMap | null => {
    if (!name) return null;
    let m = maps.get(name);
    if (m !== undefined) return m;
    m = null;
    try {
      const file = name.startsWith('file://') ? fileURLToPath(name) : name;
      const code = opts.codeOf(file);
      const at = code ? code.lastIndexOf(MAP_PREFIX) : -1;
      if (code && at >= 0) {
        const json = JSON.parse(Buffer.from(code.slice(at + MAP_PREFIX.length).trim(), 'base64').toString('utf8'));
        const content = json.sourcesContent?.[0];
        m = { lines: decodeMappings(json.mappings), source: typeof content === 'string' ? content.split(/\r?\n/) : null };
      }
    } catch {
      m = null;
    }
    maps.set(name, m);
    return m;
  };
  /** 1-based generated line/column → 1-based original, or null (not ours, or no segment). */
  const lookup = (m: FileMap, line: number, col: number): [number, number] | null => {
    const segs = m.lines[line - 1];
    if (!segs || segs.length === 0) return null;
    let best = -1;
    for (let k = 0; k < segs.length; k += 3) {
      if (segs[k] <= col - 1) best = k;
      else break;
    }
    if (best < 0) best = 0;
    return [segs[best + 1] + 1, segs[best + 2] + 1];
  };

  // ---- CallSite: original positions for frames in prepared files
  const savedPrepare = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, s) => s;
  const probe = new Error().stack as unknown as NodeJS.CallSite[];
  Error.prepareStackTrace = savedPrepare;
  const proto = Object.getPrototypeOf(probe[0]);
  const getFileName: () => string | undefined = proto.getFileName;
  const getLine: () => number | null = proto.getLineNumber;
  const getColumn: () => number | null = proto.getColumnNumber;
  const toString: () => string = proto.toString;
  const getFunctionName: () => string | null = proto.getFunctionName;
  const mapped = (site: NodeJS.CallSite): [number, number] | null => {
    const m = mapOf(getFileName.call(site));
    if (!m) return null;
    const line = getLine.call(site);
    const col = getColumn.call(site);
    return line && col ? lookup(m, line, col) : null;
  };
  /** V8's own text for the frame, with the original line:column (URL form and all else kept). */
  const frameText = (site: NodeJS.CallSite, p: [number, number]): string => {
    const text = toString.call(site);
    const from = `${getFileName.call(site)}:${getLine.call(site)}:${getColumn.call(site)}`;
    const i = text.lastIndexOf(from);
    return i < 0 ? text : `${text.slice(0, i)}${getFileName.call(site)}:${p[0]}:${p[1]}${text.slice(i + from.length)}`;
  };

  // ---- Node's formatter: no frames of ours; the CommonJS compile hook shows as Node's own loader frame
  const own = opts.ownDir.replace(/[\\/]+$/, '');
  const isOwn = (file: string | undefined): boolean =>
    !!file && (file.startsWith(own + '/') || file.startsWith(own + '\\') || file.startsWith('file://') && isOwnUrl(file));
  const isOwnUrl = (url: string): boolean => {
    try {
      const p = fileURLToPath(url);
      return p.startsWith(own + '/') || p.startsWith(own + '\\');
    } catch {
      return false;
    }
  };
  const loaderFrame = opts.loaderProbe ? nodeLoaderFrame(proto, opts.loaderProbe) : null;
  const defaultPrepare = internalErrors.defaultPrepareStackTrace;
  internalErrors.setInternalPrepareStackTrace(function prepareStackTrace(error: unknown, trace: NodeJS.CallSite[]) {
    let out: unknown[] = trace;
    try {
      out = [];
      for (const site of trace) {
        const file = getFileName.call(site);
        if (isOwn(file)) {
          const fn = getFunctionName.call(site);
          if (loaderFrame && fn === COMPILE_HOOK) out.push(loaderFrame);
          // The hook that runs a `new Promise` executor stands where the engine's constructor frame was.
          else if (fn === Hook.newPromise) out.push('new Promise (<anonymous>)');
          continue;
        }
        const p = mapped(site);
        out.push(p ? frameText(site, p) : site);
      }
    } catch {
      out = trace;
    }
    return defaultPrepare(error, out);
  });

  // ---- the uncaught-exception banner: Node asks this hook for scripts with a source map (ours have one)
  errorsBinding.setSourceMapsEnabled(true); // native flag only: Node's JS source-map support stays off
  errorsBinding.setGetSourceMapErrorSource((name: string, line: number, startColumn: number) => {
    const m = mapOf(name);
    if (!m || !m.source) return undefined; // Node prints the executed line itself
    const p = lookup(m, line, startColumn + 1);
    if (!p) return undefined;
    const text = m.source[p[0] - 1] ?? '';
    // What node_errors.cc GetErrorSource prints for plain code: name:line, the line, spaces (tabs kept), one caret per column.
    let under = '';
    const start = p[1] - 1;
    if (start > text.length) return `${name}:${p[0]}\n${text}\n`;
    for (let i = 0; i < start; i++) under += text[i] === '\t' ? '\t' : ' ';
    return `${name}:${p[0]}\n${text}\n${under}^\n`;
  });
}

/** The name of preload's CommonJS compile hook (its frames stand for Node's `Module._extensions..js`). */
export const COMPILE_HOOK = 'asyncTimelineCompile';

/**
 * The text of Node's own frame for the `.js` extension handler (`Module._extensions..js (node:internal/…)`),
 * taken from a real call into it with a module whose `_compile` only records who called it.
 */
function nodeLoaderFrame(proto: { toString(): string }, probe: string): string | null {
  const exts = (Module as any)._extensions as Record<string, (module: any, filename: string) => void>;
  let frame: string | null = null;
  try {
    const dummy: any = new (Module as any)(probe, null);
    dummy._compile = function () {
      const saved = Error.prepareStackTrace;
      Error.prepareStackTrace = (_e, s) => s;
      const sites = new Error().stack as unknown as NodeJS.CallSite[];
      Error.prepareStackTrace = saved;
      frame = sites[1] ? proto.toString.call(sites[1]) : null;
    };
    exts['.js'](dummy, probe);
  } catch {
    frame = null;
  }
  return frame;
}

/** Reads a prepared file's code (host cache or in-memory late file). */
export function readPrepared(entry: { cache: string; code?: string } | undefined): string | null {
  if (!entry) return null;
  if (entry.code !== undefined) return entry.code;
  try {
    return fs.readFileSync(entry.cache, 'utf8');
  } catch {
    return null;
  }
}
