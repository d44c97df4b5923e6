/**
 * tsconfig `paths`/`baseUrl` inside the traced program, for both module systems: a bare specifier
 * imported by a prepared file is first looked for where the importer's tsconfig maps it (pathMapping.ts),
 * spelled as TypeScript users spell it (`@lib/util.js` for util.ts); when none of the mapped files
 * exists, it resolves as Node would. Only files the tool prepared (the program's own) have a scope:
 * imports made by dependencies are never remapped, as with tsc and tsx.
 */
import Module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TS_SPELLINGS, type RunManifest } from './manifest';
import { mapSpecifier, type PathScope } from './pathMapping';

/** The scope of the file that imports (a path, or a file: URL for ES modules), if the tool prepared it. */
function scopeOf(m: RunManifest, importer: string | undefined): PathScope | undefined {
  if (!importer || !m.pathScopes?.length) return undefined;
  const file = importer.startsWith('file:') ? fileURLToPath(importer) : importer;
  const scope = m.files[file]?.scope;
  return scope === undefined ? undefined : m.pathScopes[scope];
}

/** A mapped file as written, then with the TypeScript spellings of its extension (`x.js` → x.ts, x.tsx). */
function spellings(target: string): string[] {
  const ext = /\.[cm]?jsx?$/.exec(target)?.[0];
  const ts = ext ? TS_SPELLINGS[ext] : undefined;
  return ts ? [target, ...ts.map((e) => target.slice(0, -ext!.length) + e)] : [target];
}

/** CommonJS: `require('@lib/x')` from a prepared file looks where its tsconfig maps it first. */
export function hookRequirePaths(m: RunManifest): void {
  const M = Module as unknown as {
    _resolveFilename(request: string, parent: { filename?: string } | undefined, ...rest: unknown[]): string;
  };
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    const scope = Module.isBuiltin(request) ? undefined : scopeOf(m, parent?.filename);
    for (const target of mapSpecifier(scope, request)) {
      for (const candidate of spellings(target)) {
        try {
          return original.call(this, candidate, parent, ...rest);
        } catch {
          // not there: the next mapping, or Node's own resolution below
        }
      }
    }
    return original.call(this, request, parent, ...rest);
  };
}

type Next = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

/**
 * ES modules (the loader hooks' `resolve`): the mapped file's resolution, or undefined to let the
 * specifier resolve as Node would. `spelled` gives the TypeScript spellings to try after the mapped file
 * as written (hooks.ts: `.js` → `.ts`, extensionless, index files), as for relative specifiers.
 */
export async function resolveMapped(
  m: RunManifest,
  specifier: string,
  context: { parentURL?: string },
  next: Next,
  spelled: (url: string) => string[],
): Promise<unknown> {
  const scope = Module.isBuiltin(specifier) ? undefined : scopeOf(m, context.parentURL);
  for (const target of mapSpecifier(scope, specifier)) {
    const url = pathToFileURL(target).href;
    for (const candidate of [url, ...spelled(url)]) {
      try {
        return await next(candidate, context);
      } catch {
        // not there
      }
    }
  }
  return undefined;
}
