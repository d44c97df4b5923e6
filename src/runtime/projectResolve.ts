/**
 * tsconfig `paths`/`baseUrl` inside the traced program, for both module systems: a bare specifier
 * imported by a prepared file is first looked for where the importer's tsconfig maps it (pathMapping.ts),
 * spelled as TypeScript users spell it (`@lib/util.js` for util.ts); when none of the mapped files
 * exists, it resolves as Node would. Only files the tool prepared (the program's own) have a scope:
 * imports made by dependencies are never remapped, as with tsc and tsx.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
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

/**
 * CommonJS: `require('@lib/x')` from a prepared file looks where its tsconfig maps it first, and
 * `require('./lib.js')` finds lib.ts when there is no lib.js (TypeScript compiled to CommonJS keeps the
 * specifier as written; the ES-module hooks do the same for `import`).
 */
export function hookRequirePaths(m: RunManifest): void {
  const M = Module as unknown as {
    _resolveFilename(request: string, parent: { filename?: string } | undefined, ...rest: unknown[]): string;
  };
  const original = M._resolveFilename;
  M._resolveFilename = function (request, parent, ...rest) {
    const prepared = !!parent?.filename && m.files[parent.filename] !== undefined;
    const scope = prepared && !Module.isBuiltin(request) ? scopeOf(m, parent?.filename) : undefined;
    for (const target of mapSpecifier(scope, request)) {
      for (const candidate of spellings(target)) {
        try {
          return original.call(this, candidate, parent, ...rest);
        } catch {
          // not there: the next mapping, or Node's own resolution below
        }
      }
    }
    // Decided before Node resolves, not by catching its error: a not-found error must stay Node's own (its banner).
    const relative = prepared && /^\.\.?[/\\]/.test(request);
    const spelled = relative ? tsSpelling(path.resolve(path.dirname(parent!.filename!), request)) : null;
    return original.call(this, spelled ?? request, parent, ...rest);
  };
}

/** The TypeScript file a missing `x.js` stands for (x.ts, x.tsx), or null when `file` exists or none does. */
function tsSpelling(file: string): string | null {
  const alternatives = spellings(file).slice(1);
  if (!alternatives.length || fs.existsSync(file)) return null;
  return alternatives.find((f) => fs.existsSync(f)) ?? null;
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
