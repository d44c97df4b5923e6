/**
 * Worker threads a module starts, found in its text so the host can prepare their files with the
 * rest of the program: a worker whose file the host did not prepare instruments it itself on first
 * load, and so loads the whole instrumenter (TypeScript included: ~0.7 s of CPU per worker).
 *
 * This is a prefetch, not a rule: a worker it misses is still prepared inside the program, and a
 * match that names no file (or sits in a comment) only prepares a file that exists anyway. The forms
 * are the ones people write, with literal paths:
 *   new Worker('./w.js')                                 relative to the working directory (Node's rule)
 *   new Worker(new URL('./w.ts', import.meta.url))       relative to the module
 *   new Worker(path.join(__dirname, 'w.ts'))             relative to the module (join or resolve,
 *   new Worker(join(__dirname, 'workers', 'w.ts'))        any number of literal segments)
 */
import path from 'node:path';

const LITERAL = String.raw`(?:'[^'\\\n]*'|"[^"\\\n]*"|\x60[^\x60\\$\n]*\x60)`;
const WORKER = new RegExp(
  String.raw`\bnew\s+Worker\s*\(\s*(?:` +
    String.raw`new\s+URL\s*\(\s*(${LITERAL})\s*,\s*import\.meta\.url\s*\)` +
    String.raw`|(?:path\s*\.\s*)?(?:join|resolve)\s*\(\s*__dirname\s*((?:,\s*${LITERAL}\s*)+)\)` +
    String.raw`|(${LITERAL})\s*[,)]` +
    ')',
  'g',
);
const SEGMENT = new RegExp(LITERAL, 'g');

const unquote = (lit: string) => lit.slice(1, -1);

/** Absolute paths of the worker files `source` (the text of `file`) starts, as far as its text says. */
export function workerEntries(source: string, file: string, cwd: string): string[] {
  if (!source.includes('Worker')) return [];
  const dir = path.dirname(file);
  const out: string[] = [];
  for (const m of source.matchAll(WORKER)) {
    if (m[1]) out.push(path.resolve(dir, unquote(m[1])));
    else if (m[2]) out.push(path.resolve(dir, ...(m[2].match(SEGMENT) ?? []).map(unquote)));
    else if (m[3]) {
      const spec = unquote(m[3]);
      // A string that is not a path is a module name or code (eval: true): not ours to prepare.
      if (spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec))
        out.push(path.resolve(cwd, spec));
    }
  }
  return [...new Set(out)];
}
