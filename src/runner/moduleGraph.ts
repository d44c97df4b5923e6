/**
 * Prepares a program for a run: instruments the entry and every local module it imports
 * (statically, or with a literal `require`/`import()`), and the files of the packages the user chose
 * to instrument (`RunOptions.packages`), leaving the rest of node_modules alone, and writes the
 * results to a cache folder the child's loader reads from.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Instrumenter from '../instrument';
import { formatOf } from '../runtime/moduleFormat';
import type { SiteEntry } from '../protocol/events';
import type { UntracedFile } from '../protocol/trace';
import { isUserCode, TS_SPELLINGS, type ManifestFile } from '../runtime/manifest';
import { mapSpecifier, scopeIndex, type PathScope } from '../runtime/pathMapping';
import { workerEntries } from './workerEntries';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** Resolves a relative specifier the way Node (and TypeScript users' habits) would; null when not found. */
export function resolveLocal(fromFile: string, specifier: string): string | null {
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/'))) return null;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const tries: string[] = [base];
  const ext = path.extname(base);
  if (TS_SPELLINGS[ext]) tries.push(...TS_SPELLINGS[ext].map((e) => base.slice(0, -ext.length) + e));
  tries.push(...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, 'index' + e)));
  for (const candidate of tries) {
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** `name` and `./sub/path` of a bare specifier (`p-queue`, `@scope/name/sub`); null for anything else. */
function splitBare(specifier: string): { name: string; subpath: string } | null {
  if (/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier)) return null; // relative, absolute, node:, file:, data:
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  if (parts.length < n || parts.slice(0, n).some((p) => !p)) return null;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest ? './' + rest : '.' };
}

/** Node's PACKAGE_TARGET_RESOLVE, enough for what packages publish: strings, condition objects, arrays. */
function exportTarget(target: unknown, conditions: readonly string[], star: string): string | null {
  if (typeof target === 'string') return target.startsWith('./') ? target.split('*').join(star) : null;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = exportTarget(t, conditions, star);
      if (r) return r;
    }
    return null;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key === 'default' || conditions.includes(key)) {
        const r = exportTarget(value, conditions, star);
        if (r) return r;
      }
    }
  }
  return null;
}

/** The file a package's `exports` map gives for `subpath` (`.` or `./x`); undefined when the package has no map. */
function fromExports(
  exportsField: unknown,
  subpath: string,
  conditions: readonly string[],
): string | null | undefined {
  if (exportsField === undefined || exportsField === null) return undefined;
  const isSubpathMap =
    typeof exportsField === 'object' &&
    !Array.isArray(exportsField) &&
    Object.keys(exportsField).some((k) => k.startsWith('.'));
  const map = (isSubpathMap ? exportsField : { '.': exportsField }) as Record<string, unknown>;
  if (subpath in map && !subpath.includes('*')) return exportTarget(map[subpath], conditions, '');
  let best: { key: string; star: string } | null = null;
  for (const key of Object.keys(map)) {
    const at = key.indexOf('*');
    if (at < 0) continue;
    const head = key.slice(0, at);
    const tail = key.slice(at + 1);
    if (
      subpath.length >= key.length &&
      subpath.startsWith(head) &&
      subpath.endsWith(tail) &&
      (!best || head.length > best.key.indexOf('*'))
    ) {
      best = { key, star: subpath.slice(head.length, subpath.length - tail.length) };
    }
  }
  return best ? exportTarget(map[best.key], conditions, best.star) : null;
}

/**
 * Resolves a bare specifier that names one of `packages` the way Node would (the nearest
 * node_modules/<name> up from `fromFile`, then its `exports` with Node's conditions for an import or a
 * require, else `main`/index), as the real path Node names the module by. Null for any other
 * specifier, and for what this does not model: the program's own loader still prepares such a file
 * when it is loaded (only the host-side head start is lost).
 */
export function resolvePackage(
  fromFile: string,
  specifier: string,
  packages: readonly string[],
  kind: 'import' | 'require',
): string | null {
  const bare = splitBare(specifier);
  if (!bare || !packages.includes(bare.name)) return null;
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', bare.name);
    let pkg: { exports?: unknown; main?: unknown } | null = null;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    } catch {
      pkg = fs.existsSync(pkgDir) ? {} : null;
    }
    if (pkg) {
      const conditions = ['node', kind];
      const target = fromExports(pkg.exports, bare.subpath, conditions);
      let file: string | null;
      if (target === undefined) {
        const main =
          bare.subpath === '.'
            ? typeof pkg.main === 'string' && pkg.main
              ? pkg.main
              : 'index.js'
            : bare.subpath;
        file = resolveLocal(path.join(pkgDir, 'package.json'), main.startsWith('.') ? main : './' + main);
        if (!file && bare.subpath === '.')
          file = resolveLocal(path.join(pkgDir, 'package.json'), './index.js');
      } else {
        file = target && fs.existsSync(path.join(pkgDir, target)) ? path.join(pkgDir, target) : null;
      }
      try {
        return file ? fs.realpathSync(file) : null;
      } catch {
        return null;
      }
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** A bare specifier through the importing file's tsconfig `paths`/`baseUrl` (pathMapping.ts), as a local file; null when none. */
export function resolveMapped(scope: PathScope | undefined, specifier: string): string | null {
  for (const target of mapSpecifier(scope, specifier)) {
    const file = resolveLocal(target, './' + path.basename(target));
    if (file) return file;
  }
  return null;
}

export interface PreparedProgram {
  files: Record<string, ManifestFile>;
  /** The tsconfig `paths`/`baseUrl` settings the files' imports resolve through (ManifestFile.scope). */
  pathScopes: PathScope[];
  /** Some module is an ES module or uses import(): the child needs the ES module loader hooks. */
  esm: boolean;
  /** Each prepared file's site table and its first site id (the host registers them: the child does not). */
  sites: Array<{ file: string; base: number; entries: SiteEntry[] }>;
  /** The next free site id. */
  nextSite: number;
  /** Files that run without tracing hooks, and why (Trace.untraced). */
  untraced: UntracedFile[];
}

/**
 * Instruments the module graph from `entry`. Throws SourceError for the first file that does not parse.
 * `entrySource` replaces the entry's text on disk (an unsaved editor buffer). `packages` are followed
 * into node_modules (see isUserCode); `ownDir` (our dist/) is never instrumented.
 */
export function prepareProgram(
  instrumenter: typeof Instrumenter,
  entry: string,
  cwd: string,
  trace: boolean,
  cacheDir: string,
  entrySource?: string,
  packages: readonly string[] = [],
  ownDir?: string,
): PreparedProgram {
  const files: Record<string, ManifestFile> = {};
  const queue = [entry];
  let n = 0;
  let esm = false;
  let nextSite = 1;
  const sites: PreparedProgram['sites'] = [];
  const untraced: UntracedFile[] = [];
  const projectOf = instrumenter.createProjectReader();
  const pathScopes: PathScope[] = [];
  while (queue.length) {
    const file = queue.shift()!;
    if (files[file] || !isUserCode(file, ownDir, packages)) continue;
    const source = file === entry && entrySource !== undefined ? entrySource : fs.readFileSync(file, 'utf8');
    const format = formatOf(file);
    const project = projectOf(file);
    const out = instrumenter.instrumentFile(source, file, {
      format,
      trace,
      cwd,
      siteBase: nextSite,
      entry: file === entry,
      project: project?.compile,
    });
    if (out.untraced) untraced.push({ file: instrumenter.displayPath(file, cwd), reason: out.untraced });
    sites.push({ file, base: nextSite, entries: out.sites });
    nextSite += out.sites.length;
    const cache = path.join(cacheDir, `${n++}-${path.basename(file)}.js`);
    fs.writeFileSync(cache, out.code);
    const scope = scopeIndex(pathScopes, project?.paths);
    files[file] = scope === undefined ? { cache, format } : { cache, format, scope };
    if (format === 'module') esm = true;
    for (const ref of out.imports) {
      if (ref.dynamic) esm = true;
      const kind = ref.dynamic || format === 'module' ? 'import' : 'require';
      const resolved =
        resolveLocal(file, ref.specifier) ??
        resolveMapped(project?.paths, ref.specifier) ??
        resolvePackage(file, ref.specifier, packages, kind);
      if (resolved && !files[resolved]) queue.push(resolved);
    }
    // The worker threads it starts run the program's code too (prepared here, the workers need no instrumenter).
    for (const worker of workerEntries(source, file, cwd)) {
      const resolved = resolveLocal(worker, './' + path.basename(worker));
      if (resolved && !files[resolved]) queue.push(resolved);
    }
  }
  return { files, esm, sites, nextSite, pathScopes, untraced };
}
