/**
 * The instrumenter: TS/JS source text in → instrumented JavaScript (with an inline source map back
 * to the original) out. Pure: no file system; the runner decides formats and paths.
 *
 * Two paths with the same output semantics: the fast path (`fastPath.ts`: one parse, types blanked out
 * by ts-blank-space, hooks inserted as text edits) for JavaScript and ES-module TypeScript, and the slow
 * path (`transpileModule` with the transformer in `transform.ts`) for everything the fast path declines:
 * TypeScript compiled to CommonJS, syntax that is not erasable, syntax errors (reported from here).
 */
import path from 'node:path';
import ts from 'typescript';
import type { SiteEntry } from '../protocol/events';
import { isSourceError, SourceError } from './errors';
import { instrumentFast } from './fastPath';
import { maskForV8, withOriginalInMap } from './parseMode';
import { createTransformer } from './transform';
import type { ProjectCompile } from './projectConfig';

export { SourceError } from './errors';
export { scanAsyncFunctions } from './scan';
export { createProjectReader, type ProjectCompile, type ProjectSettings } from './projectConfig';
export { scanTests } from './testScan';

export interface InstrumentOptions {
  /** The module format Node will load the output as. */
  format: 'module' | 'commonjs';
  /** false: transpile only (types stripped, modules converted), no tracing hooks. */
  trace: boolean;
  /** Paths in names and errors are shown relative to this folder. */
  cwd: string;
  /** Site id of this file's first site (the host numbers all files' sites in one space). Default 1. */
  siteBase?: number;
  /** Emit code that registers the site table at run time (for files instrumented inside the traced program). */
  registerSites?: boolean;
  /** This is the program's entry: its first statement marks t = 0. */
  entry?: boolean;
  /**
   * `slow` forces the TypeScript transformer (tests compare both paths). Default `auto`: the fast path
   * where it can reproduce the transformer exactly. The environment variable
   * ASYNC_TIMELINE_INSTRUMENT_PATH=slow sets the default (it reaches the runner's worker and the child).
   */
  path?: 'auto' | 'slow';
  /** The project's settings for this file (its tsconfig: createProjectReader); absent: the defaults. */
  project?: ProjectCompile;
}

export interface InstrumentResult {
  /** JavaScript with an inline source map (sources embedded). */
  code: string;
  /** The file's site table (site k of this file = base + k at run time). */
  sites: SiteEntry[];
  /** Module specifiers the file loads: static imports, re-exports, literal require() and import(). */
  imports: Array<{ specifier: string; dynamic: boolean }>;
  /** Which path produced the code. */
  path: 'fast' | 'slow';
  /** Why the fast path declined (slow path taken without being forced). */
  fallback?: string;
  /**
   * Set when tracing was asked for but the file could not be instrumented (not the user's syntax error):
   * `code` is then the file compiled with the same settings and no hooks, so it still runs; this says why.
   */
  untraced?: string;
}

/** The path as a user names it: relative to cwd with `/`, or absolute when outside cwd. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/**
 * The compiler options both paths agree on (the fast path parses with the same module detection), with the
 * project's settings that change what the program does (`project`, from its tsconfig: projectConfig.ts).
 */
function compilerOptionsFor(file: string, format: InstrumentOptions['format'], project: ProjectCompile | undefined): ts.CompilerOptions {
  const isTs = /\.[cm]?tsx?$/.test(file);
  return {
    // What Node runs: ES2024 keeps everything Node 20 runs as written and lowers what it cannot run
    // (standard decorators, `accessor`, `using`), as tsx does for the running Node. The project's own `target`
    // only counts through what it means at run time (useDefineForClassFields below), never to down-level.
    target: ts.ScriptTarget.ES2024,
    // JavaScript stays as written: a CommonJS .js/.cjs file is not rewritten (TypeScript's CommonJS emit would
    // add "use strict" and change sloppy-mode semantics); TypeScript modules compile the way tsc would.
    module: format === 'module' ? ts.ModuleKind.ESNext : /\.[cm]?jsx?$/.test(file) ? ts.ModuleKind.Preserve : ts.ModuleKind.CommonJS,
    // Node decides the module kind (extension, package.json "type"): an ES module is parsed as one even
    // without import/export (top-level await, `await` reserved), a CommonJS file as a script.
    // (Legacy for CommonJS: only import/export make a module, never a top-level `await` word.)
    moduleDetection: format === 'module' ? ts.ModuleDetectionKind.Force : ts.ModuleDetectionKind.Legacy,
    esModuleInterop: true,
    allowJs: true,
    jsx: project?.jsx ?? ts.JsxEmit.ReactJSX,
    ...(project?.jsxFactory ? { jsxFactory: project.jsxFactory } : {}),
    ...(project?.jsxFragmentFactory ? { jsxFragmentFactory: project.jsxFragmentFactory } : {}),
    ...(project?.jsxImportSource ? { jsxImportSource: project.jsxImportSource } : {}),
    ...(project?.experimentalDecorators ? { experimentalDecorators: true } : {}),
    ...(project?.emitDecoratorMetadata ? { emitDecoratorMetadata: true } : {}),
    // A TypeScript script (no import/export) gets "use strict" under `strict`, as tsc and tsx emit it; JavaScript stays as written.
    ...(isTs && project?.alwaysStrict ? { alwaysStrict: true } : {}),
    // JavaScript files run as written (native fields define); TypeScript fields follow the project, as tsc.
    useDefineForClassFields: isTs && project ? project.useDefineForClassFields : true,
    inlineSourceMap: true,
    inlineSources: true,
    removeComments: false,
  };
}

/**
 * Instruments one module. Throws {@link SourceError} when the source does not parse. Any other failure
 * to instrument leaves the file untraced (compiled without hooks, `untraced` says why) rather than
 * keeping the program from running.
 */
export function instrumentFile(original: string, file: string, options: InstrumentOptions): InstrumentResult {
  try {
    return instrumentTraced(original, file, options);
  } catch (err) {
    if (!options.trace || isSourceError(err)) throw err;
    const plain = instrumentTraced(original, file, { ...options, trace: false });
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ...plain, sites: [], untraced: `could not be instrumented: ${why}` };
  }
}

function instrumentTraced(original: string, file: string, options: InstrumentOptions): InstrumentResult {
  if (options.trace && untraceableForTests(file)) throw new Error('made untraceable by ASYNC_TIMELINE_TEST_UNTRACEABLE');
  // Both paths parse what V8 will parse (parseMode.ts): a script's `await` identifiers and the like are
  // masked with same-length names for the parse and restored in the output.
  const masked = maskForV8(original, file, options.format === 'commonjs');
  const out = instrumentMasked(masked.text, file, options);
  if (masked.text === original) return { ...out, imports: fileImports(original, file, out.code) };
  const unmask = masked.unmask;
  const code = withOriginalInMap(unmask(out.code), original);
  return {
    ...out,
    code,
    sites: out.sites.map((s) => s.map((v) => (typeof v === 'string' ? unmask(v) : v)) as SiteEntry),
    imports: fileImports(original, file, code),
  };
}

/**
 * What a file imports. A JSX file on the automatic runtime also imports `<jsxImportSource>/jsx-runtime`,
 * which only the compiled code names: the host follows it too (through tsconfig `paths` when mapped).
 */
function fileImports(original: string, file: string, code: string): InstrumentResult['imports'] {
  const imports = importsOf(original);
  if (!/\.[jt]sx$/.test(file)) return imports;
  for (const ref of importsOf(code)) {
    if (/\/jsx(?:-dev)?-runtime$/.test(ref.specifier) && !imports.some((i) => i.specifier === ref.specifier)) imports.push(ref);
  }
  return imports;
}

function instrumentMasked(source: string, file: string, options: InstrumentOptions): InstrumentResult {
  const shown = displayPath(file, options.cwd);
  const siteBase = options.siteBase ?? 1;
  const registerSites = options.registerSites ?? false;
  const entry = options.entry ?? false;
  const compilerOptions = compilerOptionsFor(file, options.format, options.project);
  const wanted = options.path ?? (globalThis.process?.env?.ASYNC_TIMELINE_INSTRUMENT_PATH === 'slow' ? 'slow' : 'auto');
  let fallback: string | undefined;
  if (wanted === 'slow') fallback = undefined;
  else if (compilerOptions.module === ts.ModuleKind.CommonJS) fallback = 'TypeScript compiled to CommonJS';
  else {
    const fast = instrumentFast({ source, file, displayPath: shown, compilerOptions, trace: options.trace, siteBase, registerSites, entry });
    if ('code' in fast) return { code: fast.code, sites: fast.sites, imports: importsOf(source), path: 'fast' };
    fallback = fast.fallback;
  }
  const state = { sites: [] as SiteEntry[], siteBase, registerSites, entry };
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions,
    transformers: options.trace ? { before: [createTransformer(shown, file, state)] } : undefined,
  });
  const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const message = ts.flattenDiagnosticMessageText(error.messageText, '\n');
    if (error.file && error.start !== undefined) {
      const { line, character } = error.file.getLineAndCharacterOfPosition(error.start);
      throw new SourceError(shown, line + 1, character + 1, message);
    }
    throw new SourceError(shown, 1, 1, message);
  }
  return { code: out.outputText, sites: state.sites, imports: importsOf(source), path: 'slow', ...(fallback ? { fallback } : {}) };
}

/** What a file imports, from TypeScript's pre-processor (it sees ESM, require and import() alike). */
export function importsOf(source: string): InstrumentResult['imports'] {
  return ts.preProcessFile(source, true, true).importedFiles.map((ref) => ({
    specifier: ref.fileName,
    // preProcessFile does not say which form it saw: look just before the specifier.
    dynamic: /import\s*\(\s*['"`]$/.test(source.slice(Math.max(0, ref.pos - 12), ref.pos)),
  }));
}

/**
 * `false` in the released build (`esbuild.mjs --production`, which `npm run package` uses), so the
 * test-only switch below is compiled out of what users install; `true` in development builds, and
 * not defined at all when the tests run the TypeScript compiler's output.
 */
declare const ASYNC_TIMELINE_TEST_HOOKS: boolean | undefined;

/**
 * TEST-ONLY: files (by base name, comma-separated in ASYNC_TIMELINE_TEST_UNTRACEABLE) whose instrumentation
 * fails as an internal error would, so a test can show the untraced fallback end to end (it sets the
 * variable for a CLI process, whose prepare worker and traced program inherit it). Not in released builds.
 */
function untraceableForTests(file: string): boolean {
  if (typeof ASYNC_TIMELINE_TEST_HOOKS !== 'undefined' && !ASYNC_TIMELINE_TEST_HOOKS) return false;
  const names = globalThis.process?.env?.ASYNC_TIMELINE_TEST_UNTRACEABLE;
  return !!names && names.split(',').includes(path.basename(file));
}
