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
  /** The file the main thread of the process the host started appends its frames to (src/protocol/events.ts); the host reads it as it grows. */
  eventsFile: string;
  /** Every other traced thread (worker threads, a command's other processes) writes its own stream here, one file each. */
  streamsDir: string;
  /**
   * A command run (`run -- npm test`): the program's processes pass the run on to the processes they
   * start (NODE_OPTIONS and the run's variables stay in the environment), each one its own stream.
   */
  command: boolean;
  /** Ring size in events (power of two). */
  ringEvents: number;
  /**
   * Packages from node_modules instrumented like the user's own code, by name (`p-queue`, `@scope/name`):
   * every copy of the package, wherever node_modules nests it. Everything else in node_modules is left alone.
   */
  packages: string[];
}

export const MANIFEST_ENV = 'ASYNC_TIMELINE_MANIFEST';

/** Source extensions the loader takes care of. */
export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];
export const JS_EXTENSIONS = ['.js', '.jsx', '.mjs', '.cjs'];

/** How TypeScript users spell an import of a .ts file: `./lib.js` means lib.ts (or .tsx), and so on. */
export const TS_SPELLINGS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };

/** What npm accepts as a package name (old names may have capitals): `name` or `@scope/name`. */
export const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;

/**
 * The package a file belongs to: the name after the LAST `node_modules` folder of its path
 * (`@scope/name` for scoped packages), so a copy nested inside another package's node_modules is
 * its own package; null for a file outside node_modules.
 */
export function packageOf(file: string): string | null {
  const parts = file.split(/[\\/]+/);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return null;
  const first = parts[i + 1] ?? '';
  if (first.startsWith('@')) return parts[i + 2] ? `${first}/${parts[i + 2]}` : first;
  // `require('x')` also finds node_modules/x.js: a file directly in node_modules is the package x.
  return i + 2 === parts.length ? first.replace(/\.[^.]*$/, '') : first;
}

/**
 * Whether a file is instrumented: the user's own code, or a file of one of `packages` (packages the user
 * chose to see inside), rather than any other dependency or our own runtime (never, whatever it holds).
 */
export function isUserCode(file: string, ownDir?: string, packages: readonly string[] = []): boolean {
  if (ownDir) {
    const dir = ownDir.replace(/[\\/]+$/, '');
    if (file === dir || file.startsWith(dir + '/') || file.startsWith(dir + '\\')) return false;
  }
  if (![...TS_EXTENSIONS, ...JS_EXTENSIONS].some((e) => file.endsWith(e))) return false;
  const pkg = packageOf(file);
  return pkg === null || packages.includes(pkg);
}

/** Site ids for modules prepared inside the program: the CommonJS side and the ES-module hooks thread count apart. */
export const LAZY_SITE_STRIDE = 1 << 26;
