/**
 * ES module loader hooks (registered by preload.ts through module.register; Node runs them on
 * its hooks thread). They resolve TypeScript specifiers the way TypeScript users write them
 * (`./lib.js` for lib.ts, extensionless) and serve the host-prepared code for the user's modules.
 * CommonJS modules are left to the CommonJS loader, where preload.ts serves them.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isUserCode, LAZY_SITE_STRIDE, type ManifestFile, type RunManifest } from './manifest';
import { formatOf } from './moduleFormat';

let manifest: RunManifest | null = null;
let instrumentLib: any = null;

export async function initialize(data: { manifest: string | null }): Promise<void> {
  manifest = data.manifest ? JSON.parse(fs.readFileSync(data.manifest, 'utf8')) : null;
}

type Next = (specifier: string, context: any) => Promise<any>;

/** TypeScript-style spellings of a relative specifier, tried when Node cannot find it as written. */
function candidates(specifier: string): string[] {
  const swaps: Array<[RegExp, string[]]> = [
    [/\.js$/, ['.ts', '.tsx']],
    [/\.mjs$/, ['.mts']],
    [/\.cjs$/, ['.cts']],
    [/\.jsx$/, ['.tsx']],
  ];
  for (const [re, exts] of swaps) if (re.test(specifier)) return exts.map((e) => specifier.replace(re, e));
  if (/\.[cm]?[jt]sx?$/.test(specifier)) return [];
  return ['.ts', '.tsx', '.mts', '.js', '/index.ts', '/index.js'].map((e) => specifier + e);
}

export async function resolve(specifier: string, context: any, next: Next): Promise<any> {
  try {
    return await next(specifier, context);
  } catch (err: any) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:') || specifier.startsWith('/');
    if (!manifest || !relative || (err && err.code !== 'ERR_MODULE_NOT_FOUND' && err.code !== 'ERR_UNSUPPORTED_DIR_IMPORT')) throw err;
    for (const candidate of candidates(specifier)) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw err;
  }
}

let lazySites = -1;
function prepared(file: string): ManifestFile | null {
  const m = manifest!;
  const known = m.files[file];
  if (known) return known;
  if (!isUserCode(file, m.ownDir)) return null;
  instrumentLib ??= createRequire(m.instrumentModule)(m.instrumentModule);
  if (lazySites < 0) lazySites = m.lazySiteBase + LAZY_SITE_STRIDE;
  const format = formatOf(file);
  let out;
  try {
    out = instrumentLib.instrumentFile(fs.readFileSync(file, 'utf8'), file, { format, trace: m.trace, cwd: m.cwd, siteBase: lazySites, registerSites: true });
  } catch (err) {
    if (err && (err as Error).name === 'SourceError') throw new SyntaxError((err as Error).message);
    throw err;
  }
  lazySites += out.sites.length;
  const entry = { cache: '', format, code: out.code } as ManifestFile & { code: string };
  m.files[file] = entry;
  return entry;
}

export async function load(url: string, context: any, next: Next): Promise<any> {
  if (!manifest || !url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  const entry = prepared(file);
  if (!entry) return next(url, context);
  // CommonJS: let Node's CommonJS loader compile it (preload.ts hands it the prepared code).
  const inline = (entry as ManifestFile & { code?: string }).code;
  const source = inline ?? fs.readFileSync(entry.cache, 'utf8');
  // CommonJS: Node's CommonJS loader compiles it (preload.ts hands it the prepared code); the source
  // given here is what Node scans for the module's named exports when ES modules import it.
  if (entry.format === 'commonjs') return { format: 'commonjs', source, shortCircuit: true };
  return { format: 'module', source, shortCircuit: true };
}
