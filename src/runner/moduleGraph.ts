/**
 * Prepares a program for a run: instruments the entry and every local module it imports
 * (statically, or with a literal `require`/`import()`), leaving node_modules alone, and writes
 * the results to a cache folder the child's loader reads from.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as Instrumenter from '../instrument';
import { formatOf } from '../runtime/moduleFormat';
import type { SiteEntry } from '../protocol/events';
import { isUserCode, TS_SPELLINGS, type ManifestFile } from '../runtime/manifest';

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

export interface PreparedProgram {
  files: Record<string, ManifestFile>;
  /** Some module is an ES module or uses import(): the child needs the ES module loader hooks. */
  esm: boolean;
  /** Each prepared file's site table and its first site id (the host registers them: the child does not). */
  sites: Array<{ file: string; base: number; entries: SiteEntry[] }>;
  /** The next free site id. */
  nextSite: number;
}

/**
 * Instruments the module graph from `entry`. Throws SourceError for the first file that does not parse.
 * `entrySource` replaces the entry's text on disk (an unsaved editor buffer).
 */
export function prepareProgram(
  instrumenter: typeof Instrumenter,
  entry: string,
  cwd: string,
  trace: boolean,
  cacheDir: string,
  entrySource?: string,
): PreparedProgram {
  const files: Record<string, ManifestFile> = {};
  const queue = [entry];
  let n = 0;
  let esm = false;
  let nextSite = 1;
  const sites: PreparedProgram['sites'] = [];
  while (queue.length) {
    const file = queue.shift()!;
    if (files[file] || !isUserCode(file)) continue;
    const source = file === entry && entrySource !== undefined ? entrySource : fs.readFileSync(file, 'utf8');
    const format = formatOf(file);
    const out = instrumenter.instrumentFile(source, file, { format, trace, cwd, siteBase: nextSite, entry: file === entry });
    sites.push({ file, base: nextSite, entries: out.sites });
    nextSite += out.sites.length;
    const cache = path.join(cacheDir, `${n++}-${path.basename(file)}.js`);
    fs.writeFileSync(cache, out.code);
    files[file] = { cache, format };
    if (format === 'module') esm = true;
    for (const ref of out.imports) {
      if (ref.dynamic) esm = true;
      const resolved = resolveLocal(file, ref.specifier);
      if (resolved && !files[resolved]) queue.push(resolved);
    }
  }
  return { files, esm, sites, nextSite };
}
