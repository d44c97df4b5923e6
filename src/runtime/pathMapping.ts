/**
 * tsconfig `paths` / `baseUrl`, as TypeScript (and tsx) apply them to a bare specifier. One definition
 * for the host's module graph (runner/moduleGraph.ts) and the program's own loaders (the CommonJS
 * resolve hook in projectResolve.ts and the ES-module hooks): dependency-free, no TypeScript needed.
 */
import path from 'node:path';

/** The `paths`/`baseUrl` settings of one tsconfig (after `extends`), with absolute folders. */
export interface PathScope {
  /** The tsconfig they come from (for messages and tests). */
  config: string;
  /** `paths` entries in the tsconfig's order: a pattern (at most one `*`) and its targets. */
  paths: Array<[pattern: string, targets: string[]]>;
  /** Targets are relative to this folder: `baseUrl`, else the folder of the tsconfig that set `paths`. */
  pathsBase: string;
  /** When `baseUrl` is set, a bare specifier no pattern matches is also looked for under it. */
  baseUrl?: string;
}

/** Whether `specifier` is bare (`pkg`, `@lib/x`, `#app/y`): not relative, absolute or a URL. */
function isBare(specifier: string): boolean {
  return !/^(?:\.\.?(?:[/\\]|$)|[/\\]|[a-zA-Z]:[/\\]|[a-zA-Z][a-zA-Z0-9+.-]+:)/.test(specifier);
}

/**
 * The absolute paths a bare specifier maps to, in the order to try them (empty when no setting applies:
 * the specifier then resolves as Node would). As TypeScript: an exact pattern wins, else the wildcard
 * pattern with the longest prefix; only when no pattern matches does `baseUrl` apply.
 */
export function mapSpecifier(scope: PathScope | undefined, specifier: string): string[] {
  if (!scope || !isBare(specifier)) return [];
  let best: { targets: string[]; star: string } | null = null;
  let bestPrefix = -1;
  for (const [pattern, targets] of scope.paths) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (pattern === specifier) {
        best = { targets, star: '' };
        break;
      }
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (
      prefix.length > bestPrefix &&
      specifier.length >= prefix.length + suffix.length &&
      specifier.startsWith(prefix) &&
      specifier.endsWith(suffix)
    ) {
      bestPrefix = prefix.length;
      best = { targets, star: specifier.slice(prefix.length, specifier.length - suffix.length) };
    }
  }
  if (best) {
    const star = best.star;
    return best.targets.map((t) => path.resolve(scope.pathsBase, t.replace('*', star)));
  }
  return scope.baseUrl ? [path.resolve(scope.baseUrl, specifier)] : [];
}

/** `scope`'s index in `list` (one entry per tsconfig, added on first use); undefined without a scope. */
export function scopeIndex(list: PathScope[], scope: PathScope | undefined): number | undefined {
  if (!scope) return undefined;
  const i = list.findIndex((s) => s.config === scope.config);
  if (i >= 0) return i;
  list.push(scope);
  return list.length - 1;
}
