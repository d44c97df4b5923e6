/**
 * What the host hands the traced program (a JSON file named by ASYNC_TIMELINE_MANIFEST).
 * The host instruments the static module graph ahead of time so the child never loads the
 * TypeScript compiler unless the program loads a module the host could not see (dynamic paths).
 */
export type ModuleFormat = 'module' | 'commonjs';

export interface ManifestFile {
  /** Where the instrumented (or, in plain mode, transpiled) code is cached. */
  cache: string;
  format: ModuleFormat;
}

export interface RunManifest {
  version: 1;
  /** true: record events; false: run the transpiled program with a no-op tracer (plain). */
  trace: boolean;
  cwd: string;
  /** Absolute source path → prepared module. */
  files: Record<string, ManifestFile>;
  /** dist/instrument.js: loaded lazily for modules that are not in `files`. */
  instrumentModule: string;
  /** dist/runtime/writer.js: the writer thread. */
  writerModule: string;
  /** dist/runtime/hooks.mjs: the ES module loader hooks. */
  hooksModule: string;
  maxEvents: number;
  /** When this file appears, the writer flushes everything and reports `stopping` (host Stop/timeout). */
  stopFile: string;
  /** Install the ES module loader hooks (costs a thread; only when the program has ES modules or dynamic imports). */
  esm: boolean;
  /** Our own dist/ folder: never instrumented, whatever it holds. */
  ownDir: string;
  /** First free site id after the host-prepared files (modules prepared inside the program number from here). */
  lazySiteBase: number;
  /** The file the runtime appends its frames to (see src/protocol/events.ts); the host reads it as it grows. */
  eventsFile: string;
  /** Ring size in events (power of two). */
  ringEvents: number;
}

export const MANIFEST_ENV = 'ASYNC_TIMELINE_MANIFEST';

/** Source extensions the loader takes care of. */
export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
export const JS_EXTENSIONS = ['.js', '.jsx', '.mjs', '.cjs'];

/** How TypeScript users spell an import of a .ts file: `./lib.js` means lib.ts (or .tsx), and so on. */
export const TS_SPELLINGS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** Whether a file is the user's own code (instrumented) rather than a dependency or our own runtime. */
export function isUserCode(file: string, ownDir?: string): boolean {
  if (ownDir) {
    const dir = ownDir.replace(/[\\/]+$/, '');
    if (file === dir || file.startsWith(dir + '/') || file.startsWith(dir + '\\')) return false;
  }
  return !/[\\/]node_modules[\\/]/.test(file) && [...TS_EXTENSIONS, ...JS_EXTENSIONS].some((e) => file.endsWith(e));
}

/** Site ids for modules prepared inside the program: the CommonJS side and the ES-module hooks thread count apart. */
export const LAZY_SITE_STRIDE = 1 << 26;
