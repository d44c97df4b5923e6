/**
 * ES module loader hooks (registered by preload.ts through module.register; Node runs them on
 * its hooks thread). They resolve TypeScript specifiers the way TypeScript users write them
 * (`./lib.js` for lib.ts, extensionless) and serve the host-prepared code for the user's modules.
 * CommonJS modules are left to the CommonJS loader, where preload.ts serves them.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LAZY_SITE_STRIDE, TS_SPELLINGS, type RunManifest } from './manifest';
import { codeOf, createLatePreparer, type LateFile } from './latePrepare';
import { installStacks } from './stacks';
import { resolveMapped } from './projectResolve';

let manifest: RunManifest | null = null;
let prepared: ((file: string) => LateFile | null) | null = null;

export async function initialize(data: { manifest: string | null }): Promise<void> {
  manifest = data.manifest ? JSON.parse(fs.readFileSync(data.manifest, 'utf8')) : null;
  // Errors made on this thread (a module that is not found) reach the program: no frame of ours in them.
  if (manifest) installStacks({ ownDir: manifest.ownDir, codeOf: () => null, requireFrom: manifest.hooksModule });
}

type Next = (specifier: string, context: any) => Promise<any>;

/** TypeScript-style spellings of a relative specifier, tried when Node cannot find it as written. */
function candidates(specifier: string): string[] {
  const ext = /\.[cm]?jsx?$/.exec(specifier)?.[0];
  const spellings = ext ? TS_SPELLINGS[ext] : undefined;
  if (ext && spellings) return spellings.map((e) => specifier.slice(0, -ext.length) + e);
  if (/\.[cm]?[jt]sx?$/.test(specifier)) return [];
  return ['.ts', '.tsx', '.mts', '.js', '/index.ts', '/index.js'].map((e) => specifier + e);
}

export async function resolve(specifier: string, context: any, next: Next): Promise<any> {
  // tsconfig `paths`/`baseUrl` first, as TypeScript resolves them (projectResolve.ts).
  const mapped = manifest ? await resolveMapped(manifest, specifier, context, next, candidates) : undefined;
  if (mapped) return mapped;
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

export async function load(url: string, context: any, next: Next): Promise<any> {
  if (!manifest || !url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  prepared ??= createLatePreparer(manifest, manifest.lazySiteBase + LAZY_SITE_STRIDE);
  const entry = prepared(file);
  if (!entry) return next(url, context);
  const source = codeOf(entry);
  // CommonJS: Node's CommonJS loader compiles it (preload.ts hands it the prepared code); the source
  // given here is what Node scans for the module's named exports when ES modules import it.
  if (entry.format === 'commonjs') return { format: 'commonjs', source, shortCircuit: true };
  return { format: 'module', source, shortCircuit: true };
}
