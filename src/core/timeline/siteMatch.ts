import type { SourceSite } from '../../protocol/trace';
import type { TraceIndex } from './traceIndex';

/** A segment (segIndex ≥ 0) or a whole lane (segIndex = -1, a task created on the line). */
export interface SiteHit {
  taskId: number;
  segIndex: number;
}

/**
 * True when `file` (as the host sent it: relative to the run's cwd, or absolute) names the same
 * file as `site.file` (relative or absolute in the trace). Compared by path suffix on `/`
 * boundaries, with Windows separators normalised, so either side may be absolute.
 */
export function sameFile(file: string, siteFile: string, cwd: string): boolean {
  const a = norm(file);
  const b = norm(siteFile);
  if (a === b) return true;
  const c = norm(cwd).replace(/\/$/, '');
  if (c && (a === `${c}/${b}` || b === `${c}/${a}`)) return true;
  return a.endsWith('/' + b) || b.endsWith('/' + a);
}

function norm(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

function onLine(site: SourceSite | null | undefined, file: string, line: number, cwd: string): boolean {
  return !!site && site.line === line && sameFile(file, site.file, cwd);
}

/**
 * Everything a source line caused: each suspension at an `await`/`yield` on that line, and each
 * task created by a call on that line (the editor's cursor → timeline link).
 */
export function segmentsAtSite(index: TraceIndex, file: string, line: number): SiteHit[] {
  const out: SiteHit[] = [];
  const cwd = index.trace.cwd;
  for (const task of index.trace.tasks) {
    if (onLine(task.created.site, file, line, cwd)) out.push({ taskId: task.id, segIndex: -1 });
    task.segments.forEach((s, i) => {
      if (s.state === 'suspended' && onLine(s.site, file, line, cwd))
        out.push({ taskId: task.id, segIndex: i });
    });
  }
  return out;
}
