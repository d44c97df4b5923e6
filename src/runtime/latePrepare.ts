/**
 * Modules the host could not see (computed require/import paths) are instrumented inside the
 * traced program, on first load: by the CommonJS hook on the main thread and by the ES-module
 * hooks on Node's hooks thread, each numbering its sites in its own range.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { isUserCode, type ManifestFile, type RunManifest } from './manifest';
import { formatOf } from './moduleFormat';
import { scopeIndex } from './pathMapping';
import { noteUntraced } from './untracedLog';
import type { ProjectSettings } from '../instrument/projectConfig';

/** A prepared module whose code is held in memory rather than in the host's cache folder. */
export type LateFile = ManifestFile & { code?: string };

export function createLatePreparer(m: RunManifest, firstSite: number): (file: string) => LateFile | null {
  let instrumentLib: any = null;
  let projectOf: ((file: string) => ProjectSettings | null) | null = null;
  let nextSite = firstSite;
  return (file) => {
    const known = m.files[file];
    if (known) return known;
    if (!isUserCode(file, m.ownDir, m.packages)) return null;
    // Loaded only when needed: it carries the TypeScript compiler.
    instrumentLib ??= createRequire(m.instrumentModule)(m.instrumentModule);
    const format = formatOf(file);
    const project = (projectOf ??= instrumentLib.createProjectReader() as (file: string) => ProjectSettings | null)(file);
    let out;
    try {
      out = instrumentLib.instrumentFile(fs.readFileSync(file, 'utf8'), file, {
        format,
        trace: m.trace,
        cwd: m.cwd,
        siteBase: nextSite,
        registerSites: true,
        project: project?.compile,
      });
    } catch (err) {
      // What Node would say for a module that does not parse: a SyntaxError naming file:line:col.
      if (err && (err as Error).name === 'SourceError') throw new SyntaxError((err as Error).message);
      throw err;
    }
    if (out.untraced) noteUntraced(m.untracedFile, { file: instrumentLib.displayPath(file, m.cwd), reason: out.untraced });
    nextSite += out.sites.length;
    const scope = scopeIndex((m.pathScopes ??= []), project?.paths);
    const entry: LateFile = { cache: '', format, code: out.code, ...(scope === undefined ? {} : { scope }) };
    m.files[file] = entry;
    return entry;
  };
}

/** The module's code: in memory for late files, else the host's cached file. */
export function codeOf(entry: LateFile): string {
  return entry.code ?? fs.readFileSync(entry.cache, 'utf8');
}
